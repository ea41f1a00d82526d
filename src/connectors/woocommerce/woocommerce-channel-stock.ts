/**
 * The inventory's `ChannelStockPort` over a WooCommerce store: the batch goes to the client's
 * `setStock` (each SKU looked up, then one `products/batch` call per 100), and each outcome is
 * reported per the port's contract: `updated` is accepted; `not-found` (no product with that SKU;
 * variations are not searched yet) and a per-item refusal are rejected with their reason, shown and
 * retried next pass. A failure of the whole call (network, 5xx, auth) is thrown: nothing is known to
 * be accepted, the batch stays pending.
 *
 * A SKU the store does not have is remembered for `notFoundTtlMs` and rejected without a call meanwhile:
 * the planner retries rejected SKUs every pass, and an ERP SKU not sold on the web store would
 * otherwise cost a product search every pass, forever.
 *
 * WooCommerce has no rate limit of its own; the client's failure classes carry a host's 429 and
 * `Retry-After` up to the publisher, which leaves the rest for the next pass.
 */
import type { Clock } from "../../core/clock.ts";
import type { ChannelStockPort } from "../../inventory/channel-stock-port.ts";
import type { StockUpdate } from "../../inventory/publication-planner.ts";
import type { WooCommerceClient } from "./woocommerce-client.ts";

export interface WooCommerceChannelStockOptions {
  client: Pick<WooCommerceClient, "setStock">;
  clock: Clock;
  /** How long a SKU found missing is not searched again, ms. Default 600,000. */
  notFoundTtlMs?: number;
}

const NOT_FOUND = "no product of the store has this SKU";

export function createWooCommerceChannelStock(options: WooCommerceChannelStockOptions): ChannelStockPort {
  const ttl = options.notFoundTtlMs ?? 600_000;
  const missing = new Map<string, number>();
  return {
    async publish(_channel, updates) {
      const now = options.clock.now();
      const accepted: StockUpdate[] = [];
      const rejected: { sku: string; reason: string }[] = [];
      const asked = updates.filter((u) => {
        const until = missing.get(u.sku);
        if (until === undefined || until <= now) return true;
        rejected.push({
          sku: u.sku,
          reason: `${NOT_FOUND} (not searched again before ${new Date(until).toISOString()})`,
        });
        return false;
      });
      const outcomes = asked.length > 0 ? await options.client.setStock(asked) : [];
      for (const outcome of outcomes) {
        missing.delete(outcome.sku);
        if (outcome.outcome === "updated") accepted.push({ sku: outcome.sku, quantity: outcome.quantity });
        else if (outcome.outcome === "not-found") {
          missing.set(outcome.sku, now + ttl);
          rejected.push({ sku: outcome.sku, reason: NOT_FOUND });
        } else rejected.push({ sku: outcome.sku, reason: `${outcome.code}: ${outcome.message}` });
      }
      return { accepted, ...(rejected.length > 0 ? { rejected } : {}) };
    },
  };
}
