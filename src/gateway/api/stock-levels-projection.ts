/**
 * A read model of stock levels for the REST API: the latest `stock.changed` fact per SKU and location,
 * kept as store records (kind `stock.level`, key `<sku>/<location id>`). A durable event subscription
 * feeds it; each batch of events and the cursor move commit in one transaction, so a crash neither
 * loses nor double-applies a change. Levels are absolute quantities, so applying a fact again is
 * harmless anyway.
 *
 * This is what the hub knows, per source, not yet what a channel may sell: the availability engine
 * (issue 7) adds reservations, safety stock, channel policies and freshness on top.
 */
import type { Clock } from "../../core/clock.ts";
import type { StructuredLogger } from "../../delivery/structured-logger.ts";
import { createSubscriptionLoop, type SubscriptionLoop } from "../../flows/subscription-loop.ts";
import type { JsonValue, Store } from "../../store/store.ts";

export const STOCK_LEVEL_KIND = "stock.level";
const SUBSCRIPTION = "api.stock-levels";

export interface StockLevelRecord {
  sku: string;
  locationId: number | null;
  onHand: string;
  reserved: string;
  source: string;
  /** When the hub learned it (the event's time), ms. */
  asOf: number;
}

export type StockLevelsProjection = SubscriptionLoop;

export function createStockLevelsProjection(options: {
  store: Store;
  clock: Clock;
  logger: StructuredLogger;
}): StockLevelsProjection {
  return createSubscriptionLoop({
    store: options.store,
    name: SUBSCRIPTION,
    subscription: { types: ["stock.changed"], from: "beginning" },
    logger: options.logger,
    async handle(events, tx) {
      for (const event of events) {
        const data = event.data as {
          default_code?: string | null;
          product_id?: number | null;
          location_id?: number | null;
          quantity?: string;
          reserved_quantity?: string;
          source?: { connection?: string };
        } | null;
        const sku =
          data?.default_code ?? (data?.product_id == null ? undefined : `odoo-product-${data.product_id}`);
        if (!sku || typeof data?.quantity !== "string") continue;
        const level: StockLevelRecord = {
          sku,
          locationId: data.location_id ?? null,
          onHand: data.quantity,
          reserved: data.reserved_quantity ?? "0",
          source: `odoo:${data.source?.connection ?? "unknown"}`,
          asOf: event.createdAt,
        };
        await tx.putRecord(
          STOCK_LEVEL_KIND,
          `${sku}/${level.locationId ?? "none"}`,
          level as unknown as JsonValue,
        );
      }
    },
  });
}
