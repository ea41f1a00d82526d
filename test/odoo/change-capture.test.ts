/**
 * Change capture against the sandbox Odoo over real JSON-RPC: the pollers, feeds, master data cache and
 * webhook hint on a manual clock that also stamps the sandbox's write_date.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type SandboxOdoo, startSandboxOdoo } from "../../sandbox/odoo/sandbox-odoo.ts";
import { createChangePoller, type PollResult } from "../../src/connectors/odoo/change-poller.ts";
import { createMasterDataCache } from "../../src/connectors/odoo/master-data-cache.ts";
import {
  invoiceFeed,
  pickingFeed,
  productFeed,
  saleOrderFeed,
  stockQuantFeed,
} from "../../src/connectors/odoo/odoo-change-feeds.ts";
import { createOdooClient, type OdooClient } from "../../src/connectors/odoo/odoo-client.ts";
import { createOdooWebhookHint } from "../../src/connectors/odoo/odoo-webhook-hint.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { ManualTimers } from "../../src/core/timers.ts";
import { openTestStore } from "./test-store.ts";

const START = Date.UTC(2026, 0, 1, 12);

async function landscape(t: import("node:test").TestContext, version: 16 | 17 | 18 = 17, products = 0) {
  const clock = new ManualClock(START);
  /** When set, the sandbox stamps write_date with this time instead (a transaction that started earlier). */
  const stamp: { at: number | undefined } = { at: undefined };
  const odoo: SandboxOdoo = await startSandboxOdoo({ version, products, now: () => stamp.at ?? clock.now() });
  const client: OdooClient = createOdooClient({
    url: odoo.url,
    database: "crossdock",
    login: "admin",
    apiKey: { reveal: () => "sandbox-admin-key" },
  });
  t.after(async () => {
    await client.close();
    await odoo.close();
  });
  const fixture = await openTestStore(t, clock);
  // The seed is stamped START; a poller starting "now" in that same second would include it (>=).
  clock.advance(1_000);
  return { clock, stamp, odoo, env: odoo.env(), client, fixture };
}

describe("change capture against the sandbox Odoo", () => {
  test("order to cash: confirmed, delivered, invoiced, paid in two parts, each event once", async (t) => {
    const { clock, env, client, fixture } = await landscape(t);
    const feeds = [saleOrderFeed(), pickingFeed(), invoiceFeed()];
    const pollers = feeds.map((feed) =>
      createChangePoller({ client, store: fixture.store, clock, connection: "odoo", feed }),
    );
    const pollAll = async () => {
      const results: PollResult[] = [];
      for (const p of pollers) results.push(await p.pollOnce());
      for (const r of results) assert.equal(r.outcome, "ok", JSON.stringify(r.error));
      return results;
    };
    await pollAll(); // cursors start now: the demo's orders are not replayed
    clock.advance(5_000);

    const partner = env.search("res.partner", [["name", "=", "Azure Interior"]])[0]!;
    const product = env.search("product.product", [["default_code", "=", "FURN_0001"]])[0]!;
    const orderId = env.create("sale.order", {
      partner_id: partner,
      client_order_ref: "WEB-77",
      order_line: [[0, 0, { product_id: product, product_uom_qty: 2 }]],
    });
    env.call("sale.order", "action_confirm", [[orderId]]);
    const [order] = env.read("sale.order", [orderId], ["name", "picking_ids", "amount_total"]);
    await pollAll();
    clock.advance(5_000);

    const pickingId = (order!.picking_ids as number[])[0]!;
    env.write("stock.picking", [pickingId], { carrier_tracking_ref: "1Z-TEST" });
    env.call("stock.picking", "button_validate", [[pickingId]], {
      context: client.dialect.validateContext({ backorder: true, pickingIds: [pickingId] }),
    });
    await pollAll();
    clock.advance(5_000);

    const wizard = env.create("sale.advance.payment.inv", {
      advance_payment_method: "delivered",
      sale_order_ids: [[6, 0, [orderId]]],
    });
    env.call("sale.advance.payment.inv", "create_invoices", [[wizard]]);
    const invoiceId = (env.read("sale.order", [orderId], ["invoice_ids"])[0]!.invoice_ids as number[])[0]!;
    env.call("account.move", "action_post", [[invoiceId]]);
    await pollAll();
    clock.advance(5_000);

    const pay = (amount: number) => {
      const register = env.create("account.payment.register", { amount });
      env.call("account.payment.register", "action_create_payments", [[register]], {
        context: { active_model: "account.move", active_ids: [invoiceId] },
      });
    };
    pay(10);
    await pollAll();
    clock.advance(5_000);
    const [invoice] = env.read("account.move", [invoiceId], ["amount_residual"]);
    pay(invoice!.amount_residual as number);
    await pollAll();
    clock.advance(5_000);
    await pollAll(); // nothing new: no duplicates

    const name = String(order!.name);
    const events = await fixture.events();
    assert.deepEqual(
      events.map((e) => `${e.type} ${e.stream}`),
      [
        `order.confirmed order:${name}`,
        `delivery.done order:${name}`,
        `invoice.posted order:${name}`,
        `payment.received order:${name}`,
        `payment.received order:${name}`,
      ],
    );
    const confirmed = events[0]!.data as Record<string, unknown>;
    assert.equal(confirmed.client_order_ref, "WEB-77");
    assert.equal(typeof confirmed.amount_total, "string");
    assert.equal(confirmed.amount_total, Number(order!.amount_total).toFixed(2));
    assert.equal((events[1]!.data as Record<string, unknown>).carrier_tracking_ref, "1Z-TEST");
    assert.deepEqual(
      events
        .slice(3)
        .map((e) => [
          (e.data as Record<string, unknown>).partial,
          (e.data as Record<string, unknown>).amount_residual,
        ]),
      [
        [true, Number(invoice!.amount_residual).toFixed(2)],
        [false, "0.00"],
      ],
    );
  });

  test("a change stamped inside the overlap, committed after the poller passed it, is found", async (t) => {
    const { clock, stamp, env, client, fixture } = await landscape(t);
    const poller = createChangePoller({
      client,
      store: fixture.store,
      clock,
      connection: "odoo",
      feed: productFeed(),
    });
    await poller.pollOnce();
    clock.advance(60_000);
    const [desk] = env.search("product.product", [["default_code", "=", "FURN_0002"]]);
    env.write("product.product", [desk!], { list_price: 130 });
    assert.equal((await poller.pollOnce()).records, 1);
    // A transaction that started 40 s ago commits now: its stamp is older than the watermark.
    stamp.at = clock.now() - 40_000;
    env.write("product.product", [env.search("product.product", [["default_code", "=", "FURN_0001"]])[0]!], {
      list_price: 71.1,
    });
    stamp.at = undefined;
    clock.advance(1_000);
    const late = await poller.pollOnce();
    assert.equal(late.records, 1);
    const events = await fixture.events();
    assert.deepEqual(
      events.map((e) => [e.stream, (e.data as Record<string, unknown>).list_price]),
      [
        ["product:FURN_0002", "130.00"],
        ["product:FURN_0001", "71.10"],
      ],
    );
  });

  for (const version of [16, 18] as const) {
    test(`Odoo ${version}: product and stock feeds read the version's fields`, async (t) => {
      const { clock, odoo, env, client, fixture } = await landscape(t, version);
      const feeds = [productFeed(), stockQuantFeed()];
      const pollers = feeds.map((feed) =>
        createChangePoller({ client, store: fixture.store, clock, connection: "odoo", feed }),
      );
      for (const p of pollers) await p.pollOnce();
      clock.advance(5_000);
      const [chair] = env.search("product.product", [["default_code", "=", "FURN_0001"]]);
      env.write("product.product", [chair!], { list_price: 75.5 });
      const quant = env.search("stock.quant", [
        ["product_id", "=", chair!],
        ["location_id.usage", "=", "internal"],
      ])[0]!;
      env.write("stock.quant", [quant], { quantity: 33 });
      for (const p of pollers) assert.equal((await p.pollOnce()).outcome, "ok");
      const events = await fixture.events();
      const product = events.find((e) => e.type === "product.changed")!.data as Record<string, unknown>;
      assert.deepEqual([product.storable, product.list_price], [true, "75.50"]);
      const stock = events.find((e) => e.type === "stock.changed")!.data as Record<string, unknown>;
      assert.equal(stock.quantity, "33.00");
      // The sandbox refuses unknown fields (ValueError): these reads succeeded with the version's names.
      const typeField = version === 16 ? "detailed_type" : "is_storable";
      assert.ok(productFeed().fields(client.dialect).includes(typeField));
      assert.deepEqual(
        odoo.calls.of("product.product", "search_read").map((c) => c.outcome),
        ["ok", "ok"],
      );
    });
  }

  test("master data cache: load, lookups, refresh after an archive", async (t) => {
    const { clock, env, client } = await landscape(t);
    const cache = createMasterDataCache({ client, clock, limit: 50 });
    await cache.load();
    const chair = cache.productByCode("FURN_0001");
    assert.ok(chair);
    assert.equal(cache.productByBarcode(String(chair.barcode))?.id, chair.id);
    assert.equal(chair.storable, true);
    const azure = env.searchRead("res.partner", [["name", "=", "Azure Interior"]], ["email"])[0]!;
    assert.equal(cache.partnerByEmail(` ${String(azure.email).toUpperCase()} `)?.id, azure.id);
    assert.ok(cache.warehouseByCode("WH")?.lot_stock_id);
    assert.ok(cache.countryByCode("us"));
    assert.deepEqual(cache.stats().unavailable, []);
    clock.advance(10_000);
    env.write("product.product", [chair.id], { active: false });
    await cache.refresh();
    assert.equal(cache.productByCode("FURN_0001"), undefined);
    // The sandbox has no product.template (yet): the cache reports it and goes on without it.
    assert.deepEqual(
      cache.stats().unavailable.filter((model) => model !== "product.template"),
      [],
    );
    assert.equal(cache.stats().refreshes, 1);
  });

  test("the webhook hint wakes the poller, which reads the truth", async (t) => {
    const { clock, env, client, fixture } = await landscape(t);
    const timers = new ManualTimers(clock);
    const polls: PollResult[] = [];
    const poller = createChangePoller({
      client,
      store: fixture.store,
      clock,
      timers,
      connection: "odoo",
      feed: productFeed(),
      onPoll: (r) => polls.push(r),
    });
    poller.start({ intervalMs: 60_000 });
    timers.fireDue();
    await until(() => polls.length === 1);
    clock.advance(1_000);
    const [id] = env.search("product.product", [["default_code", "=", "FURN_0002"]]);
    env.write("product.product", [id!], { name: "Renamed chair" });
    const hint = createOdooWebhookHint({ feedsByModel: { "product.product": poller }, clock, timers });
    const result = hint.handle(JSON.stringify({ _model: "product.product", _id: id, name: "forged name" }));
    assert.equal(result.ok, true);
    timers.fireDue();
    await until(() => polls.length === 2);
    const events = await fixture.events();
    assert.equal((events[0]!.data as Record<string, unknown>).name, "Renamed chair");
    hint.close();
    await poller.stop();
  });

  test("poll rate over JSON-RPC: 5,000 products from the beginning, pages of 200 (measured)", async (t) => {
    const { clock, client, fixture } = await landscape(t, 17, 5_000);
    const poller = createChangePoller({
      client,
      store: fixture.store,
      clock,
      connection: "odoo",
      feed: productFeed(),
      since: "beginning",
      maxPagesPerPoll: 1_000,
    });
    const started = performance.now();
    const result = await poller.pollOnce();
    const ms = performance.now() - started;
    assert.equal(result.outcome, "ok");
    assert.ok(result.records >= 5_000);
    assert.equal(result.events, result.records);
    t.diagnostic(
      `${result.records} records, ${result.pages} pages in ${ms.toFixed(0)} ms: ${((result.records / ms) * 1000).toFixed(0)} records/s, ${(ms / result.pages).toFixed(1)} ms per page`,
    );
    const idle = performance.now();
    clock.advance(200_000);
    await poller.pollOnce();
    const again = await poller.pollOnce();
    t.diagnostic(
      `idle poll: ${again.calls} call(s), ${(performance.now() - idle).toFixed(0)} ms for two polls`,
    );
    assert.equal(again.records, 0);
  });
});

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 100_000 && !done(); i++) await new Promise((resolve) => setImmediate(resolve));
  assert.ok(done(), "condition not reached");
}
