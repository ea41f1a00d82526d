/**
 * The HTTP warehouse port against the sandbox 3PL (idempotency, duplicate references, outage, auth,
 * the 3PL's located validation errors) and against hostile servers (huge, non-JSON and id-less
 * answers, a closed port).
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import {
  type SandboxWarehouse3pl,
  startSandboxWarehouse3pl,
} from "../../../sandbox/warehouse3pl/sandbox-warehouse3pl.ts";
import { ManualClock } from "../../core/clock.ts";
import { CrossdockError } from "../../core/errors.ts";
import { MODEL_EXAMPLES } from "../../core/model/model-examples.ts";
import type { Order } from "../../core/model/order.ts";
import { createHttpWarehouse, fulfilmentRequest } from "./http-warehouse.ts";

const clock = new ManualClock();
let wh: SandboxWarehouse3pl;
before(async () => {
  wh = await startSandboxWarehouse3pl({ clock });
});
after(() => wh.close());

function order(id: string, extra: Partial<Order> = {}): Order {
  return {
    ...(MODEL_EXAMPLES.order as Order),
    channel: "shop",
    channelOrderId: id,
    shipTo: { name: "Olga", street: "Kerkstraat 1", city: "Gent", postalCode: "9000", countryCode: "BE" },
    shippingLines: undefined,
    lines: [
      { sku: "FURN_0001", quantity: "2", uom: "C62", unitPrice: "1.00", total: "2.00" },
      { sku: "FURN_0002", quantity: "1", uom: "C62", unitPrice: "1.00", total: "1.00" },
      { sku: "FURN_0001", quantity: "3", uom: "C62", unitPrice: "1.00", total: "3.00" },
    ],
    ...extra,
  } as Order;
}

function port(overrides: { url?: string; token?: string } = {}) {
  return createHttpWarehouse({
    url: overrides.url ?? wh.url,
    token: { reveal: () => overrides.token ?? wh.apiKey },
    callbackUrl: "http://127.0.0.1:1/hooks/3pl",
    carrier: "UPS",
    service: "Ground",
    now: () => clock.now(),
    timeoutMs: 5_000,
  });
}

async function refusal(promise: Promise<unknown>): Promise<CrossdockError> {
  const error = await promise.then(
    () => assert.fail("expected a refusal"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof CrossdockError, String(error));
  return error;
}

describe("http warehouse on the sandbox 3PL", () => {
  test("one order per SKU line summed, ship-to mapped, carrier defaulted; a retry with the key is replayed", async () => {
    const p = port();
    try {
      const first = await p.release({ key: "shop:W-1", order: order("W-1"), saleOrder: "S00001" }, "k-w1");
      const again = await p.release({ key: "shop:W-1", order: order("W-1"), saleOrder: "S00001" }, "k-w1");
      assert.match(first.reference, /^FO-\d{6}$/);
      assert.deepEqual(again, first);
      assert.equal(wh.requestsByKey.get("k-w1"), 2);
      const made = wh.warehouse.byReference("shop:W-1");
      assert.deepEqual(made?.request.lines, [
        { sku: "FURN_0001", quantity: 5 },
        { sku: "FURN_0002", quantity: 1 },
      ]);
      assert.deepEqual(made?.request.ship_to, {
        name: "Olga",
        address1: "Kerkstraat 1",
        city: "Gent",
        zip: "9000",
        country_code: "BE",
        ...(made?.request.ship_to.email ? { email: made.request.ship_to.email } : {}),
      });
      assert.equal(made?.request.carrier, "UPS");
      assert.equal([...wh.warehouse.orders.values()].filter((o) => o.reference === "shop:W-1").length, 1);
    } finally {
      await p.close();
    }
  });

  test("cancel: an unshipped order is cancelled (again: still yes); a shipped one answers no, with the 3PL's reason", async () => {
    const p = port();
    const open = await p.release({ key: "shop:CXL-1", order: order("CXL-1"), saleOrder: "S1" }, "k-cxl-1");
    assert.deepEqual(await p.cancel(open.reference, "c-1"), { cancelled: true });
    assert.deepEqual(await p.cancel(open.reference, "c-1b"), { cancelled: true }, "idempotent");
    assert.equal(wh.warehouse.orders.get(open.reference)?.status, "cancelled");

    const gone = await p.release({ key: "shop:CXL-2", order: order("CXL-2"), saleOrder: "S2" }, "k-cxl-2");
    clock.advance(3_600_000);
    await wh.runDue();
    const answer = await p.cancel(gone.reference, "c-2");
    assert.equal(answer.cancelled, false);
    assert.match(answer.reason ?? "", /order is (partially_)?shipped/);
    const missing = await refusal(p.cancel("FO-999999", "c-3"));
    assert.equal(missing.code, "CDK_TARGET_REJECTED");
    await p.close();
  });

  test("the same order under a new key is the existing order (duplicate_reference), not a failure", async () => {
    const p = port();
    try {
      const first = await p.release({ key: "shop:W-2", order: order("W-2"), saleOrder: "S2" }, "k-w2-a");
      const second = await p.release({ key: "shop:W-2", order: order("W-2"), saleOrder: "S2" }, "k-w2-b");
      assert.equal(second.reference, first.reference);
    } finally {
      await p.close();
    }
  });

  test("an outage is transient with the 3PL's Retry-After, and the same call succeeds after it", async () => {
    const p = port();
    try {
      wh.outage(60_000, 7);
      const error = await refusal(
        p.release({ key: "shop:W-3", order: order("W-3"), saleOrder: "S3" }, "k-w3"),
      );
      assert.equal(error.code, "CDK_TARGET_UNAVAILABLE");
      assert.equal(error.failureClass, "transient");
      assert.equal(error.retryAfterMs, 7_000);
      assert.equal((error.details as { status: number }).status, 503);
      clock.advance(60_001);
      const ok = await p.release({ key: "shop:W-3", order: order("W-3"), saleOrder: "S3" }, "k-w3");
      assert.match(ok.reference, /^FO-/);
    } finally {
      await p.close();
    }
  });

  test("a wrong token is config; the 3PL's located 422 is business with its body kept", async () => {
    const bad = port({ token: "nope" });
    const p = port();
    try {
      const auth = await refusal(
        bad.release({ key: "shop:W-4", order: order("W-4"), saleOrder: "S4" }, "k-w4"),
      );
      assert.equal(auth.code, "CDK_TARGET_AUTH");
      assert.equal(auth.failureClass, "config");
      // The model allows a bell character in a street; the 3PL's label printer does not.
      const hostile = order("W-5", {
        shipTo: { street: "Kerk\u0007straat", city: "Gent", countryCode: "BE" },
      });
      const rejected = await refusal(p.release({ key: "shop:W-5", order: hostile, saleOrder: "S5" }, "k-w5"));
      assert.equal(rejected.code, "CDK_TARGET_REJECTED");
      assert.match(String((rejected.details as { body: string }).body), /ship_to\.address1/);
      assert.equal(wh.warehouse.byReference("shop:W-5"), undefined);
    } finally {
      await bad.close();
      await p.close();
    }
  });

  test("orders the 3PL cannot take are refused before the call, every problem named", async () => {
    const p = port();
    try {
      const fractional = order("W-6", {
        lines: [{ sku: "CABLE", quantity: "2.5", uom: "MTR", unitPrice: "1.00", total: "2.50" }],
        shipTo: undefined,
      });
      const error = await refusal(p.release({ key: "shop:W-6", order: fractional, saleOrder: "S6" }, "k-w6"));
      assert.equal(error.code, "CDK_TARGET_REJECTED");
      assert.match(error.message, /\/lines\/0\/quantity 2\.5/);
      assert.match(error.message, /\/shipTo is missing/);
      const many = order("W-7", {
        lines: Array.from({ length: 501 }, (_, i) => ({
          sku: `SKU-${i}`,
          quantity: "1",
          uom: "C62",
          unitPrice: "1.00",
          total: "1.00",
        })),
      });
      assert.match(
        (await refusal(p.release({ key: "shop:W-7", order: many, saleOrder: "S7" }, "k-w7"))).message,
        /501 SKUs/,
      );
      const huge = order("W-8", {
        lines: [{ sku: "X", quantity: "999999999999", uom: "C62", unitPrice: "1.00", total: "1.00" }],
      });
      assert.match(
        (await refusal(p.release({ key: "shop:W-8", order: huge, saleOrder: "S8" }, "k-w8"))).message,
        /above/,
      );
      assert.equal(
        wh.requestsByKey.has("k-w6") || wh.requestsByKey.has("k-w7") || wh.requestsByKey.has("k-w8"),
        false,
      );
    } finally {
      await p.close();
    }
  });

  test("the order's own shipping line picks carrier and service over the defaults", () => {
    const body = fulfilmentRequest(
      "shop:W-9",
      order("W-9", {
        shippingLines: [{ carrier: "DHL", service: "Express", price: "5.00", total: "5.00" }],
      }),
      { callbackUrl: "http://hub/hooks/3pl", carrier: "UPS", service: "Ground" },
    );
    assert.equal(body.carrier, "DHL");
    assert.equal(body.service, "Express");
    assert.equal(body.callback_url, "http://hub/hooks/3pl");
  });
});

describe("http warehouse against hostile servers", () => {
  let server: Server;
  let url: string;
  let answer: (res: import("node:http").ServerResponse) => void = (res) => res.end();
  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      answer(res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const release = (p: ReturnType<typeof port>, key: string) =>
    refusal(p.release({ key: `shop:${key}`, order: order(key), saleOrder: "S" }, key));

  test("a 201 without an order id, or not JSON, or 8 MB of it, is transient (the order may exist)", async () => {
    const p = port({ url });
    try {
      answer = (res) =>
        res.writeHead(201, { "content-type": "application/json" }).end('{"status":"received"}');
      assert.equal((await release(p, "H-1")).code, "CDK_TARGET_UNAVAILABLE");
      answer = (res) => res.writeHead(201).end("<html>ok</html>");
      assert.equal((await release(p, "H-2")).code, "CDK_TARGET_UNAVAILABLE");
      const before = process.memoryUsage().heapUsed;
      answer = (res) => {
        res.writeHead(201, { "content-type": "application/json" });
        const chunk = Buffer.alloc(65_536, 0x20);
        for (let i = 0; i < 128; i++) res.write(chunk);
        res.end('{"id":"FO-1"}');
      };
      const big = await release(p, "H-3");
      assert.equal(big.code, "CDK_TARGET_UNAVAILABLE");
      assert.ok(
        process.memoryUsage().heapUsed - before < 64 * 1_048_576,
        "the answer was not buffered whole",
      );
    } finally {
      await p.close();
    }
  });

  test("418 is business with the body, 429 with an HTTP-date Retry-After is transient, a closed port transient", async () => {
    const p = port({ url });
    try {
      answer = (res) => res.writeHead(418).end('{"error":"teapot"}');
      const teapot = await release(p, "H-4");
      assert.equal(teapot.code, "CDK_TARGET_REJECTED");
      assert.match(teapot.message, /418 teapot/);
      const at = new Date(clock.now() + 30_000).toUTCString();
      answer = (res) => res.writeHead(429, { "retry-after": at }).end();
      const limited = await release(p, "H-5");
      assert.equal(limited.code, "CDK_TARGET_UNAVAILABLE");
      assert.ok(
        limited.retryAfterMs !== undefined && limited.retryAfterMs > 28_000 && limited.retryAfterMs <= 30_000,
      );
    } finally {
      await p.close();
    }
    const closed = port({ url: "http://127.0.0.1:1" });
    try {
      assert.equal((await release(closed, "H-6")).code, "CDK_TARGET_UNAVAILABLE");
    } finally {
      await closed.close();
    }
  });
});
