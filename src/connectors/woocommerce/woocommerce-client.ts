/**
 * The WooCommerce REST API client the hub's outbound steps use: publish stock by SKU, tell the
 * customer about a shipment with an order note carrying the tracking, and complete the order.
 * Transport, auth and failure classes are `woocommerce-http.ts`'s.
 *
 * Stock is absolute (`stock_quantity`), so a retry sets the same figure again and no idempotency key
 * is needed. A tracking note is not: `addTrackingNote` reads the order's notes first and does nothing
 * when one already names the tracking number, so a retry after a lost answer never writes it twice.
 *
 * Deliberately left out: variations (a SKU found on a variation is updated through its parent's
 * `variations/<id>` endpoint in a later version; today only products are searched), the Shipment
 * Tracking extension's own endpoint, OAuth 1.0a over plain HTTP.
 */
import { CrossdockError } from "../../core/errors.ts";
import { createWooCommerceHttp, type WooCall, type WooCommerceHttpOptions } from "./woocommerce-http.ts";

export type WooCommerceClientOptions = WooCommerceHttpOptions;

/** What happened to one SKU's stock: an expected outcome, not an exception. */
export type WooStockOutcome =
  | { sku: string; outcome: "updated"; productId: string; quantity: number }
  | { sku: string; outcome: "not-found" }
  | { sku: string; outcome: "rejected"; productId: string; code: string; message: string };

export interface WooTracking {
  trackingNumber: string;
  carrier?: string;
  trackingUrl?: string;
}

export interface WooCommerceClient {
  /** The product id of a SKU, or undefined when the store has none. */
  findProductId(sku: string): Promise<string | undefined>;
  /** Sets stock for each SKU (looked up, then updated in batches of 100). Throws only for the whole call. */
  setStock(levels: readonly { sku: string; quantity: number }[]): Promise<WooStockOutcome[]>;
  /** Adds a customer note with the tracking unless one already names the number. */
  addTrackingNote(orderId: string, tracking: WooTracking): Promise<{ noteId: string; created: boolean }>;
  /** Sets the order's status to completed (WooCommerce then emails the customer). */
  completeOrder(orderId: string): Promise<void>;
  close(): Promise<void>;
}

const BATCH = 100;
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function orderPath(name: string, id: string): string {
  if (!/^[1-9][0-9]{0,19}$/.test(id)) {
    throw new CrossdockError("CDK_TARGET_REJECTED", `${name}: order id ${id} is not a WooCommerce id`, {
      details: { orderId: id },
    });
  }
  return `orders/${id}`;
}

/** The note text; the tracking number appears verbatim so a retry can find it. */
export function trackingNoteText(tracking: WooTracking): string {
  const carrier = tracking.carrier ? ` with ${tracking.carrier}` : "";
  const url = tracking.trackingUrl ? `: ${tracking.trackingUrl}` : "";
  return `Your order has shipped${carrier}. Tracking number ${tracking.trackingNumber}${url}`;
}

export function createWooCommerceClient(options: WooCommerceClientOptions): WooCommerceClient {
  const name = options.name ?? "woocommerce";
  const http = createWooCommerceHttp(options);
  const call: WooCall = http.call;

  async function findProductId(sku: string): Promise<string | undefined> {
    const { body } = await call("GET", `products?sku=${encodeURIComponent(sku)}&per_page=10`);
    const match = Array.isArray(body) ? body.find((p) => isObject(p) && p.sku === sku) : undefined;
    return isObject(match) && (typeof match.id === "number" || typeof match.id === "string")
      ? String(match.id)
      : undefined;
  }

  return {
    findProductId,
    async setStock(levels) {
      const outcomes: WooStockOutcome[] = [];
      const found: { sku: string; id: string; quantity: number }[] = [];
      for (const level of levels) {
        if (!Number.isSafeInteger(level.quantity)) {
          throw new CrossdockError(
            "CDK_TARGET_REJECTED",
            `${name}: stock ${level.quantity} of ${level.sku} is not a whole number`,
            {
              details: { sku: level.sku },
            },
          );
        }
        const id = await findProductId(level.sku);
        if (id === undefined) outcomes.push({ sku: level.sku, outcome: "not-found" });
        else found.push({ sku: level.sku, id, quantity: level.quantity });
      }
      for (let start = 0; start < found.length; start += BATCH) {
        const chunk = found.slice(start, start + BATCH);
        const { body } = await call("POST", "products/batch", {
          update: chunk.map((f) => ({ id: Number(f.id), manage_stock: true, stock_quantity: f.quantity })),
        });
        const answers = isObject(body) && Array.isArray(body.update) ? body.update : [];
        for (const item of chunk) {
          const answer = answers.find((a) => isObject(a) && String(a.id) === item.id);
          const error = isObject(answer) && isObject(answer.error) ? answer.error : undefined;
          if (answer === undefined || error) {
            outcomes.push({
              sku: item.sku,
              outcome: "rejected",
              productId: item.id,
              code: typeof error?.code === "string" ? error.code : "missing_from_answer",
              message:
                typeof error?.message === "string"
                  ? error.message
                  : "the batch answer does not mention this product",
            });
          } else
            outcomes.push({ sku: item.sku, outcome: "updated", productId: item.id, quantity: item.quantity });
        }
      }
      return outcomes;
    },
    async addTrackingNote(orderId, tracking) {
      const path = `${orderPath(name, orderId)}/notes`;
      const { body: existing } = await call("GET", path);
      const seen = Array.isArray(existing)
        ? existing.find(
            (n) => isObject(n) && typeof n.note === "string" && n.note.includes(tracking.trackingNumber),
          )
        : undefined;
      if (isObject(seen)) return { noteId: String(seen.id), created: false };
      const { body } = await call("POST", path, { note: trackingNoteText(tracking), customer_note: true });
      return { noteId: isObject(body) ? String(body.id) : "", created: true };
    },
    async completeOrder(orderId) {
      await call("PUT", orderPath(name, orderId), { status: "completed" });
    },
    close: () => http.close(),
  };
}
