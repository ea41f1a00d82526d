/**
 * Publishes stock to Shopify in batches: levels are queued per (inventory item, location), a newer
 * figure replacing an older one not yet sent (only the latest matters: `set.json` is absolute), and
 * `flush` sends what is queued through the inventory client, which paces the calls to the shop's
 * leaky bucket. A burst of 10,000 stock changes on 300 SKUs costs 300 calls, not 10,000.
 *
 * Outcomes are values: `sent`, `retry` (a transient failure; the level stays queued unless a newer
 * one arrived meanwhile, and the outcome says when to try again) or `failed` (config or business: the
 * level is dropped and the error kept for the exception queue). A config failure (bad token) stops
 * the flush: every later call would fail the same way, so the rest stays queued.
 */
import { CrossdockError } from "../../core/errors.ts";
import type { InventoryLevelSet, ShopifyInventoryClient } from "./shopify-inventory-client.ts";

export type StockPublishOutcome =
  | { readonly level: InventoryLevelSet; readonly outcome: "sent" }
  | { readonly level: InventoryLevelSet; readonly outcome: "retry"; readonly error: CrossdockError }
  | { readonly level: InventoryLevelSet; readonly outcome: "failed"; readonly error: CrossdockError };

export interface ShopifyStockPublisher {
  /** Queues a level; replaces a queued level of the same item and location. */
  enqueue(level: InventoryLevelSet): void;
  /** Levels waiting. */
  pending(): number;
  /** Sends every queued level, one call each, at the rate the client allows. */
  flush(): Promise<StockPublishOutcome[]>;
}

const keyOf = (level: InventoryLevelSet) => `${level.inventoryItemId}@${level.locationId}`;

export function createShopifyStockPublisher(
  client: Pick<ShopifyInventoryClient, "setLevel">,
): ShopifyStockPublisher {
  const queue = new Map<string, InventoryLevelSet>();
  let flushing: Promise<StockPublishOutcome[]> | undefined;

  async function run(): Promise<StockPublishOutcome[]> {
    const outcomes: StockPublishOutcome[] = [];
    for (const [key, level] of [...queue]) {
      if (queue.get(key) !== level) continue; // replaced while we waited: it is sent in a later turn
      queue.delete(key);
      try {
        await client.setLevel(level);
        outcomes.push({ level, outcome: "sent" });
      } catch (cause) {
        const error =
          cause instanceof CrossdockError
            ? cause
            : new CrossdockError("CDK_TARGET_UNAVAILABLE", `stock publication failed: ${String(cause)}`, {
                cause,
              });
        if (error.failureClass === "transient") {
          if (!queue.has(key)) queue.set(key, level);
          outcomes.push({ level, outcome: "retry", error });
          break; // the shop is unwell or full: the rest waits for the next flush
        }
        outcomes.push({ level, outcome: "failed", error });
        if (error.failureClass === "config") break;
      }
    }
    return outcomes;
  }

  return {
    enqueue(level) {
      // a replaced level keeps its place in the queue, so a SKU that changes all the time is not starved
      queue.set(keyOf(level), level);
    },
    pending: () => queue.size,
    async flush() {
      // one flush at a time; a second caller waits for it, then flushes what arrived meanwhile
      while (flushing) await flushing.catch(() => undefined);
      flushing = run();
      try {
        return await flushing;
      } finally {
        flushing = undefined;
      }
    },
  };
}
