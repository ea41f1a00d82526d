/**
 * The inventory's `ChannelStockPort` over a Shopify shop: each SKU is resolved to its inventory item
 * (`ShopifySkuIndex`), and the batch goes out as `inventory_levels/set` calls at the channel's
 * location, one per SKU, through a `ShopifyStockPublisher` (paced by the inventory client).
 *
 * What the port reports, per its contract:
 * - accepted: the levels Shopify answered 2xx for;
 * - rejected (shown, retried next pass): SKUs with no variant on the shop, on several variants, or that
 *   Shopify refused (422 and other business answers);
 * - neither: levels not attempted after a transient failure or a config failure stopped the batch.
 *   When nothing was accepted and such a failure occurred, `publish` throws it (the batch stays pending).
 *
 * A publisher queue is made for each call: a level that failed transiently is not left queued to go
 * out later with a number that is no longer current (the planner sends the current one next pass).
 */
import type { CrossdockError } from "../../core/errors.ts";
import type { ChannelStockPort } from "../../inventory/channel-stock-port.ts";
import type { StockUpdate } from "../../inventory/publication-planner.ts";
import type { ShopifyInventoryClient } from "./shopify-inventory-client.ts";
import { resolveStockUpdates, type ShopifySkuIndex } from "./shopify-sku-index.ts";
import { createShopifyStockPublisher } from "./shopify-stock-publisher.ts";

export interface ShopifyChannelStockOptions {
  index: Pick<ShopifySkuIndex, "resolve">;
  client: Pick<ShopifyInventoryClient, "setLevel">;
  /** The Shopify location the channel's stock is set at (digits; ids may exceed 2^53). */
  locationId: string;
}

export function createShopifyChannelStock(options: ShopifyChannelStockOptions): ChannelStockPort {
  return {
    async publish(_channel, updates) {
      const { found, rejected } = await resolveStockUpdates(options.index, updates);
      const byItem = new Map<string, StockUpdate>();
      const publisher = createShopifyStockPublisher(options.client);
      for (const { update, inventoryItemId } of found) {
        byItem.set(inventoryItemId, update);
        publisher.enqueue({ inventoryItemId, locationId: options.locationId, available: update.quantity });
      }
      const accepted: StockUpdate[] = [];
      let stoppedBy: CrossdockError | undefined;
      for (const outcome of byItem.size > 0 ? await publisher.flush() : []) {
        const update = byItem.get(outcome.level.inventoryItemId) as StockUpdate;
        if (outcome.outcome === "sent") accepted.push(update);
        else if (outcome.outcome === "retry" || outcome.error.failureClass === "config")
          stoppedBy = outcome.error;
        else rejected.push({ sku: update.sku, reason: outcome.error.message });
      }
      if (accepted.length === 0 && stoppedBy) throw stoppedBy;
      return { accepted, ...(rejected.length > 0 ? { rejected } : {}) };
    },
  };
}
