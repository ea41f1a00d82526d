import type { InboxMessageInput } from "../../src/store/store.ts";

const encoder = new TextEncoder();

const LINES = Array.from({ length: 6 }, (_, i) => ({
  sku: `SKU-${String(1000 + i * 37).padStart(6, "0")}`,
  title: "Pallet wrap film 500mm x 300m, 23 micron, clear",
  quantity: (i % 4) + 1,
  price: "18.40",
}));

/**
 * A ~1 KB webhook-like order body, unique per (run, producer, seq). The benchmark builds it for every
 * append, as a gateway would receive fresh bytes for every request.
 */
export function benchBody(runId: string, producer: number, seq: number): Uint8Array {
  const order = {
    id: `${runId}-${producer}-${seq}`,
    name: `#${100000 + seq}`,
    created_at: "2026-01-01T12:00:00Z",
    currency: "EUR",
    customer: { id: 4200 + producer, email: `buyer${producer}@example.com` },
    shipping_address: { city: "Rotterdam", zip: "3011 AA", country_code: "NL" },
    line_items: LINES,
    note: "Deliver to the loading dock, gate 4; call 30 min ahead. PO ref on every pallet label.",
    tags: "b2b,net30,pallet,priority",
  };
  return encoder.encode(JSON.stringify(order));
}

export const BENCH_HEADERS: Record<string, string> = {
  "content-type": "application/json",
  "x-shopify-topic": "orders/create",
  "x-shopify-shop-domain": "bench.myshopify.com",
};

export const BENCH_CONNECTION = "bench-shop";

/** The inbox input the Crossdock store is given: same body, headers and key as the baseline writes. */
export function benchMessage(runId: string, producer: number, seq: number): InboxMessageInput {
  return {
    source: "webhook",
    connection: BENCH_CONNECTION,
    dedupeKey: `${runId}-${producer}-${seq}`,
    body: benchBody(runId, producer, seq),
    headers: BENCH_HEADERS,
    contentType: "application/json",
  };
}
