/**
 * The durable consumer that feeds the availability engine from the event log, one subscription whose
 * cursor moves in the same transaction that stores the engine's changed inputs:
 *
 * - `stock.reported` (3PL 846, CSV, API: `{ source, levels: StockLevel[] }`): each level is a reading
 *   at its `asOf` (never later than the event: a partner clock ahead of ours does not make it fresher);
 * - `stock.changed` (Odoo quants, `StockEventData`): a reading of the quant's location, mapped to a
 *   warehouse by `odoo[connection].locations`; each quant is its own part, so quants of several
 *   locations or lots of one warehouse add up. Unmapped locations are not stock any channel sells;
 * - `order.received` (`{ order }`): the oversell check against the availability the order met, then a
 *   soft reservation keyed `<channel>:<channelOrderId>`; an oversold order gets a `stock.oversold`
 *   event on its stream with the check's trail;
 * - `order.confirmed` from Odoo (`data.origin` is the order key): the reservation waits for Odoo's next
 *   reading; `order.cancelled` (channel `{ channel, channelOrderId }` or Odoo `origin`): released.
 *
 * Odoo change capture emits nothing while nothing changes, so the Odoo source's freshness comes from
 * the change poller's cursor: `syncHeartbeats()` reads the quant feed's `polledFrom`, catches up with
 * every event committed with it, and only then takes it as the source's heartbeat.
 */

import { POLLER_CURSOR_KIND } from "../connectors/odoo/change-poller.ts";
import type { StockEventData } from "../connectors/odoo/odoo-events.ts";
import type { Clock } from "../core/clock.ts";
import type { Order } from "../core/model/order.ts";
import type { StockLevel } from "../core/model/stock.ts";
import type { StructuredLogger } from "../delivery/structured-logger.ts";
import { createSubscriptionLoop, type SubscriptionLoop } from "../flows/subscription-loop.ts";
import type { JsonValue, Store, StoredEvent, StoreTx } from "../store/store.ts";
import type { Inventory } from "./inventory.ts";
import { persistInventory, writeInventoryChanges } from "./inventory-persistence.ts";
import { checkOrder } from "./oversell-check.ts";

/** The subscription's stored name: never rename it. */
export const STOCK_FEED_SUBSCRIPTION = "inventory.stock-feed";
export const STOCK_FEED_EVENTS = Object.freeze({
  stockReported: "stock.reported",
  stockChanged: "stock.changed",
  orderReceived: "order.received",
  orderConfirmed: "order.confirmed",
  orderCancelled: "order.cancelled",
  /** Emitted by the feed on the order's stream. */
  stockOversold: "stock.oversold",
});

export interface OdooStockSource {
  /** The source name in the inventory options. Default: the connection name. */
  source?: string;
  /** Odoo internal location id -> warehouse code. */
  locations: Record<string, string>;
}

export interface StockFeedOptions {
  store: Store;
  inventory: Inventory;
  clock: Clock;
  logger: StructuredLogger;
  /** Odoo connections whose quants are stock sources. */
  odoo?: Record<string, OdooStockSource>;
  /** Events per batch. Default 500. */
  batchSize?: number;
}

export interface StockFeed extends SubscriptionLoop {
  /** Takes each Odoo source's last complete poll as its heartbeat (see the module comment). */
  syncHeartbeats(): Promise<void>;
}

type Data = Record<string, unknown> | null;

export function createStockFeed(options: StockFeedOptions): StockFeed {
  const { inventory, store } = options;
  const { state } = inventory;
  let pending: (() => void) | undefined;

  async function apply(event: StoredEvent, tx: StoreTx): Promise<void> {
    const data = event.data as Data;
    switch (event.type) {
      case STOCK_FEED_EVENTS.stockReported: {
        const levels = (data?.levels ?? []) as StockLevel[];
        for (const level of levels) {
          const asOf = Date.parse(level.asOf);
          state.applyLevel({
            source: level.source ?? String(data?.source),
            warehouse: level.warehouse,
            sku: level.sku,
            part: level.location ?? "",
            onHand: level.onHand,
            reserved: level.reserved,
            available: level.available,
            uom: level.uom,
            ...(level.incoming === undefined ? {} : { incoming: level.incoming }),
            observedAt: Number.isNaN(asOf) ? event.createdAt : Math.min(asOf, event.createdAt),
          });
        }
        return;
      }
      case STOCK_FEED_EVENTS.stockChanged: {
        const quant = data as unknown as StockEventData | null;
        const connection = quant?.source?.connection;
        const odoo = connection === undefined ? undefined : options.odoo?.[connection];
        const warehouse = quant?.location_id == null ? undefined : odoo?.locations[String(quant.location_id)];
        if (!quant || !odoo || warehouse === undefined || typeof quant.quantity !== "string") return;
        state.applyLevel({
          source: odoo.source ?? (connection as string),
          warehouse,
          sku: quant.default_code ?? `odoo-product-${quant.product_id}`,
          part: `quant-${quant.source.id}`,
          onHand: quant.quantity,
          reserved: quant.reserved_quantity,
          observedAt: event.createdAt,
        });
        return;
      }
      case STOCK_FEED_EVENTS.orderReceived: {
        const order = data?.order as Order | undefined;
        if (!order?.channel || !order.channelOrderId || !Array.isArray(order.lines)) return;
        const key = `${order.channel}:${order.channelOrderId}`;
        if (order.status === "cancelled") return state.release(key);
        const lines = order.lines.map((l) => ({ sku: l.sku, quantity: l.quantity }));
        if (!state.reservations.has(key) && inventory.config.channels.has(order.channel)) {
          const check = checkOrder(inventory, order.channel, lines, event.createdAt);
          if (check.status === "oversold") {
            options.logger.warn(
              { order: key, lines: check.lines.filter((l) => l.verdict !== "ok").map((l) => l.sku) },
              "order oversold",
            );
            await tx.appendEvents([
              {
                stream: event.stream,
                type: STOCK_FEED_EVENTS.stockOversold,
                data: { order: key, check } as unknown as JsonValue,
                causationId: event.id,
                ...(event.trace ? { trace: event.trace } : {}),
              },
            ]);
          }
        }
        state.reserve(key, order.channel, event.createdAt, lines);
        return;
      }
      case STOCK_FEED_EVENTS.orderConfirmed:
      case STOCK_FEED_EVENTS.orderCancelled: {
        const key =
          typeof data?.channel === "string" && typeof data.channelOrderId === "string"
            ? `${data.channel}:${data.channelOrderId}`
            : typeof data?.origin === "string"
              ? data.origin
              : undefined;
        if (key === undefined) return;
        if (event.type === STOCK_FEED_EVENTS.orderCancelled) state.release(key);
        else state.confirm(key, event.createdAt);
        return;
      }
    }
  }

  const loop = createSubscriptionLoop({
    store,
    name: STOCK_FEED_SUBSCRIPTION,
    subscription: {
      types: [
        STOCK_FEED_EVENTS.stockReported,
        STOCK_FEED_EVENTS.stockChanged,
        STOCK_FEED_EVENTS.orderReceived,
        STOCK_FEED_EVENTS.orderConfirmed,
        STOCK_FEED_EVENTS.orderCancelled,
      ],
      from: "beginning",
    },
    logger: options.logger,
    batchSize: options.batchSize ?? 500,
    async handle(events, tx) {
      for (const event of events) await apply(event, tx);
      pending = (await writeInventoryChanges(tx, inventory)).commit;
    },
    onCommitted() {
      pending?.();
      pending = undefined;
    },
  });

  return {
    ...loop,
    async syncHeartbeats() {
      const beats: [string, number][] = [];
      for (const [connection, odoo] of Object.entries(options.odoo ?? {})) {
        const cursor = await store.records.get(POLLER_CURSOR_KIND, `${connection}/stock.quant/stock-quants`);
        const polledFrom = (cursor?.data as { polledFrom?: unknown } | undefined)?.polledFrom;
        if (typeof polledFrom === "number") beats.push([odoo.source ?? connection, polledFrom]);
      }
      await loop.catchUp();
      for (const [source, at] of beats) state.setHeartbeat(source, Math.min(at, options.clock.now()));
      await persistInventory(store, inventory);
    },
  };
}
