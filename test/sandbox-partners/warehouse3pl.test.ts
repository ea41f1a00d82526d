import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { request } from "node:http";
import { describe, test } from "node:test";
import { Webhook } from "standardwebhooks";
import {
  type SandboxWarehouse3pl,
  type ShipmentConfirmation,
  startSandboxWarehouse3pl,
} from "../../sandbox/warehouse3pl/sandbox-warehouse3pl.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { startReceiver } from "./receiver.ts";

const order = (
  reference: string,
  lines = [
    { sku: "FURN_0001", quantity: 4 },
    { sku: "FURN_0008", quantity: 2 },
  ],
) => ({
  reference,
  lines,
  ship_to: {
    name: "Ada Lovelace",
    address1: "1 Harbour Street",
    city: "Lyon",
    zip: "69002",
    country_code: "FR",
  },
  carrier: "UPS",
});

async function post(
  wh: SandboxWarehouse3pl,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${wh.url}${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${wh.apiKey}`, "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

async function setup(options: Parameters<typeof startSandboxWarehouse3pl>[0] = {}) {
  const clock = new ManualClock();
  const rx = await startReceiver();
  const wh = await startSandboxWarehouse3pl({ clock, callbackUrl: rx.url, shipDelayMs: 60_000, ...options });
  return {
    clock,
    rx,
    wh,
    confirmations: () => rx.received.map((r) => r.json() as ShipmentConfirmation),
    close: async () => {
      await wh.close();
      await rx.close();
    },
  };
}

describe("sandbox 3PL", () => {
  test("POST /orders is idempotent per key: same answer replayed, one order, another body refused", async () => {
    const t = await setup();
    try {
      const first = await post(t.wh, "/orders", order("SO-1"), { "Idempotency-Key": "k-1" });
      assert.equal(first.status, 201);
      const again = await post(t.wh, "/orders", order("SO-1"), { "Idempotency-Key": "k-1" });
      assert.equal(again.status, 201);
      assert.equal(again.headers.get("idempotent-replayed"), "true");
      assert.deepEqual(again.body, first.body);
      assert.equal(t.wh.warehouse.orders.size, 1);
      assert.equal(t.wh.requestsByKey.get("k-1"), 2);
      const reused = await post(t.wh, "/orders", order("SO-2"), { "Idempotency-Key": "k-1" });
      assert.equal(reused.status, 422);
      assert.equal(reused.body.error, "idempotency_key_reused");
      const dupRef = await post(t.wh, "/orders", order("SO-1"), { "Idempotency-Key": "k-2" });
      assert.equal(dupRef.status, 409);
      assert.equal(dupRef.body.order_id, first.body.id);
      assert.equal((await post(t.wh, "/orders", order("SO-3"))).status, 400, "a key is required");
    } finally {
      await t.close();
    }
  });

  test("ships after the delay and posts a confirmation signed with Standard Webhooks (checked by the library and by hand)", async () => {
    const t = await setup();
    try {
      const made = await post(t.wh, "/orders", order("SO-1"), { "Idempotency-Key": "k" });
      t.clock.advance(59_999);
      await t.wh.runDue();
      assert.equal(t.rx.received.length, 0);
      t.clock.advance(1);
      await t.wh.runDue();
      assert.equal(t.rx.received.length, 1);
      const r = t.rx.received[0]!;
      const headers = Object.fromEntries(
        ["webhook-id", "webhook-timestamp", "webhook-signature"].map((h) => [h, String(r.headers[h])]),
      );
      const wh = new Webhook(t.wh.callbackSecret);
      // The library checks the timestamp against the real clock; the sandbox's is 2026-01-01 (manual clock).
      assert.throws(() => wh.verify(r.body.toString(), headers), /timestamp/i);
      const key = Buffer.from(t.wh.callbackSecret.replace("whsec_", ""), "base64");
      const mac = createHmac("sha256", key)
        .update(`${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${r.body}`)
        .digest("base64");
      assert.equal(headers["webhook-signature"], `v1,${mac}`);
      const c = r.json() as ShipmentConfirmation;
      assert.equal(c.order_id, made.body.id);
      assert.equal(c.status, "shipped");
      assert.equal(c.complete, true);
      assert.deepEqual(
        c.lines.map((l) => [l.sku, l.shipped, l.remaining, l.cancelled]),
        [
          ["FURN_0001", 4, 0, 0],
          ["FURN_0008", 2, 0, 0],
        ],
      );
      assert.equal(c.packages.length, 2, "6 units at 5 a package");
      assert.equal(c.tracking_number, c.packages[0]?.tracking_number);
      assert.equal(t.wh.warehouse.orders.get(String(made.body.id))?.status, "shipped");
    } finally {
      await t.close();
    }
  });

  test("the Standard Webhooks library accepts the signature on a real-time clock", async () => {
    const rx = await startReceiver();
    const wh = await startSandboxWarehouse3pl({
      callbackUrl: rx.url,
      shipDelayMs: 0,
      autoRunMs: false,
      clock: { now: () => Date.now() },
    });
    try {
      await post(wh, "/orders", order("SO-RT"), { "Idempotency-Key": "rt" });
      await wh.runDue();
      const r = rx.received[0]!;
      const headers = Object.fromEntries(
        ["webhook-id", "webhook-timestamp", "webhook-signature"].map((h) => [h, String(r.headers[h])]),
      );
      assert.deepEqual(new Webhook(wh.callbackSecret).verify(r.body.toString(), headers), r.json());
    } finally {
      await wh.close();
      await rx.close();
    }
  });

  test("partial shipment: half now, the rest later; or half now and the rest cancelled", async () => {
    const t = await setup();
    try {
      t.wh.warehouse.plan("SO-LATER", {
        kind: "partial",
        ship: "half",
        rest: "later",
        restAfterMs: 3_600_000,
      });
      t.wh.warehouse.planNext({ kind: "partial", ship: { FURN_0001: 1 }, rest: "cancel" });
      await post(t.wh, "/orders", order("SO-LATER"), { "Idempotency-Key": "a" });
      await post(t.wh, "/orders", order("SO-CANCEL"), { "Idempotency-Key": "b" });
      t.clock.advance(60_000);
      await t.wh.runDue();
      const [later, cancel] = t.confirmations();
      assert.equal(later?.status, "partially_shipped");
      assert.equal(later?.complete, false);
      assert.deepEqual(
        later?.lines.map((l) => [l.shipped, l.remaining]),
        [
          [2, 2],
          [1, 1],
        ],
      );
      assert.equal(cancel?.status, "shipped");
      assert.equal(cancel?.complete, true);
      assert.deepEqual(
        cancel?.lines.map((l) => [l.shipped, l.cancelled, l.reason]),
        [
          [1, 3, "cancelled_by_warehouse"],
          [0, 2, "cancelled_by_warehouse"],
        ],
      );
      t.clock.advance(3_600_000);
      await t.wh.runDue();
      const rest = t.confirmations()[2];
      assert.equal(rest?.reference, "SO-LATER");
      assert.equal(rest?.status, "shipped");
      assert.deepEqual(
        rest?.lines.map((l) => [l.shipped, l.shipped_total, l.remaining]),
        [
          [2, 4, 0],
          [1, 2, 0],
        ],
      );
    } finally {
      await t.close();
    }
  });

  test("stock discrepancy: only what is on hand ships, the rest is cancelled as stock_discrepancy", async () => {
    const t = await setup({ stock: { FURN_0001: 3, FURN_0008: 0 } });
    try {
      await post(t.wh, "/orders", order("SO-1"), { "Idempotency-Key": "a" });
      t.clock.advance(60_000);
      await t.wh.runDue();
      const [c] = t.confirmations();
      assert.deepEqual(
        c?.lines.map((l) => [l.sku, l.shipped, l.cancelled, l.reason]),
        [
          ["FURN_0001", 3, 1, "stock_discrepancy"],
          ["FURN_0008", 0, 2, "stock_discrepancy"],
        ],
      );
      assert.equal(t.wh.warehouse.stock.get("FURN_0001"), 0);
      const inventory = await fetch(`${t.wh.url}/inventory`, {
        headers: { Authorization: `Bearer ${t.wh.apiKey}` },
      });
      assert.deepEqual(await inventory.json(), {
        items: [
          { sku: "FURN_0001", on_hand: 0 },
          { sku: "FURN_0008", on_hand: 0 },
        ],
      });
    } finally {
      await t.close();
    }
  });

  test("outage: 503 with Retry-After for its duration, then the same request succeeds", async () => {
    const t = await setup();
    try {
      t.wh.outage(120_000, 60);
      const down = await post(t.wh, "/orders", order("SO-1"), { "Idempotency-Key": "a" });
      assert.equal(down.status, 503);
      assert.equal(down.headers.get("retry-after"), "60");
      t.clock.advance(120_000);
      assert.equal((await post(t.wh, "/orders", order("SO-1"), { "Idempotency-Key": "a" })).status, 201);
      assert.equal(t.wh.warehouse.orders.size, 1);
    } finally {
      await t.close();
    }
  });

  test("cancel before shipping stops the shipment; after shipping it is refused; GET shows the order", async () => {
    const t = await setup();
    try {
      const a = await post(t.wh, "/orders", order("SO-A"), { "Idempotency-Key": "a" });
      assert.equal((await post(t.wh, `/orders/${a.body.id}/cancel`, "")).status, 200);
      const b = await post(t.wh, "/orders", order("SO-B"), { "Idempotency-Key": "b" });
      t.clock.advance(60_000);
      await t.wh.runDue();
      assert.deepEqual(
        t.confirmations().map((c) => c.reference),
        ["SO-B"],
      );
      assert.equal((await post(t.wh, `/orders/${b.body.id}/cancel`, "")).status, 409);
      const got = await fetch(`${t.wh.url}/orders/${b.body.id}`, {
        headers: { Authorization: `Bearer ${t.wh.apiKey}` },
      });
      assert.equal(((await got.json()) as { status: string }).status, "shipped");
      assert.equal((await post(t.wh, "/orders/FO-999999/cancel", "")).status, 404);
    } finally {
      await t.close();
    }
  });

  test("callbacks are retried on non-2xx with back-off and keep their webhook-id", async () => {
    const clock = new ManualClock();
    const rx = await startReceiver([503]);
    const wh = await startSandboxWarehouse3pl({
      clock,
      callbackUrl: rx.url,
      shipDelayMs: 0,
      callbackRetry: { initialIntervalMs: 5_000 },
    });
    try {
      await post(wh, "/orders", order("SO-1"), { "Idempotency-Key": "a" });
      await wh.runDue();
      clock.advance(5_000);
      await wh.runDue();
      assert.equal(rx.received.length, 2);
      assert.equal(rx.received[0]!.headers["webhook-id"], rx.received[1]!.headers["webhook-id"]);
    } finally {
      await wh.close();
      await rx.close();
    }
  });

  test("hostile input: no or wrong token 401, bad JSON 400, wrong types 422 located, huge body 413", async () => {
    const t = await setup();
    try {
      const anon = await fetch(`${t.wh.url}/orders`, { method: "POST", body: "{}" });
      assert.equal(anon.status, 401);
      assert.equal((await post(t.wh, "/orders", "{oops", { "Idempotency-Key": "x" })).status, 400);
      const bad = await post(
        t.wh,
        "/orders",
        {
          reference: 7,
          lines: [{ sku: "A", quantity: 1.5 }, { sku: "A", quantity: 1 }, "x"],
          ship_to: { name: "A\u0000", country_code: "France" },
        },
        { "Idempotency-Key": "y" },
      );
      assert.equal(bad.status, 422);
      const paths = (bad.body.details as { path: string }[]).map((p) => p.path).sort();
      assert.deepEqual(
        paths,
        [
          "lines[0].quantity",
          "lines[1].sku",
          "lines[2]",
          "reference",
          "ship_to.address1",
          "ship_to.city",
          "ship_to.country_code",
          "ship_to.name",
          "ship_to.name",
        ].sort(),
      );
      assert.equal(
        (await post(t.wh, "/orders", order("SO-1"), { "Idempotency-Key": "y" })).status,
        201,
        "a refused request does not burn its key",
      );
      const big = Buffer.alloc(512 * 1024, 0x20);
      const status = await new Promise<number>((resolve, reject) => {
        const u = new URL(`${t.wh.url}/orders`);
        const req = request(
          {
            host: u.hostname,
            port: u.port,
            path: u.pathname,
            method: "POST",
            headers: {
              Authorization: `Bearer ${t.wh.apiKey}`,
              "Idempotency-Key": "z",
              "Content-Length": big.length,
            },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on("error", reject);
        req.end(big);
      });
      assert.equal(status, 413);
      assert.equal(
        (await fetch(`${t.wh.url}/nowhere`, { headers: { Authorization: `Bearer ${t.wh.apiKey}` } })).status,
        404,
      );
    } finally {
      await t.close();
    }
  });
});
