/**
 * Every Odoo action against the sandbox Odoo: the happy path, the retry that must not act twice, the
 * wizard paths, the error classes, and the version differences (16, 17, 18, 19 over JSON-2).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type SandboxOdoo, startSandboxOdoo } from "../../sandbox/odoo/sandbox-odoo.ts";
import { invoiceOrders, registerPayment } from "../../src/connectors/odoo/actions/invoicing.ts";
import { answerWizards } from "../../src/connectors/odoo/actions/odoo-wizards.ts";
import { upsertPartners } from "../../src/connectors/odoo/actions/partners.ts";
import { validatePicking } from "../../src/connectors/odoo/actions/pickings.ts";
import { placePurchaseOrders, receivePurchase } from "../../src/connectors/odoo/actions/purchases.ts";
import { placeSaleOrders, type SaleOrderInput } from "../../src/connectors/odoo/actions/sale-orders.ts";
import {
  adjustInventory,
  cancelOrders,
  createReturn,
} from "../../src/connectors/odoo/actions/stock-actions.ts";
import { createMasterDataCache } from "../../src/connectors/odoo/master-data-cache.ts";
import { checkOdoo } from "../../src/connectors/odoo/odoo-check.ts";
import {
  createOdooClient,
  type OdooCallEvent,
  type OdooClient,
} from "../../src/connectors/odoo/odoo-client.ts";
import { planOdooOrder } from "../../src/connectors/odoo/odoo-order-plan.ts";
import { systemClock } from "../../src/core/clock.ts";
import type { CrossdockError } from "../../src/core/errors.ts";
import { MODEL_EXAMPLES } from "../../src/core/model/model-examples.ts";
import type { Order } from "../../src/core/model/order.ts";

const ADMIN_KEY = "sandbox-admin-key";

function connect(sandbox: SandboxOdoo, extra: Partial<Parameters<typeof createOdooClient>[0]> = {}) {
  const calls: OdooCallEvent[] = [];
  const client = createOdooClient({
    url: sandbox.url,
    database: "crossdock",
    login: "admin",
    apiKey: { reveal: () => ADMIN_KEY },
    onCall: (event) => calls.push(event),
    sleep: async () => {},
    ...extra,
  });
  return { client, calls };
}

async function ids(client: OdooClient) {
  const products = await client.searchRead<{ id: number; default_code: string }>(
    "product.product",
    [["default_code", "like", "FURN_%"]],
    ["default_code"],
    { order: "default_code asc", limit: 5 },
  );
  const [customer] = await client.searchRead<{ id: number }>(
    "res.partner",
    [["name", "=", "Deco Addict"]],
    ["id"],
  );
  const [stock] = await client.searchRead<{ id: number }>(
    "stock.location",
    [["usage", "=", "internal"]],
    ["id"],
    { limit: 1 },
  );
  assert.ok(
    products.length >= 3 && customer && stock,
    "the sandbox's demo seed has products, Deco Addict and a stock location",
  );
  return { products: products.map((p) => p.id), customer: customer.id, stock: stock.id };
}

function order(key: string, customer: number, products: number[], quantity = 2): SaleOrderInput {
  return {
    key,
    partnerId: customer,
    clientOrderRef: key,
    lines: products.slice(0, 2).map((productId) => ({ productId, quantity, priceUnit: "19.90" })),
  };
}

async function countOrders(client: OdooClient, ref: string): Promise<number> {
  const rows = await client.searchRead("sale.order", [["client_order_ref", "=", ref]], ["id"]);
  return rows.length;
}

describe("Odoo actions on the sandbox Odoo 17", () => {
  let sandbox: SandboxOdoo;
  let client: OdooClient;
  let calls: OdooCallEvent[];
  let data: Awaited<ReturnType<typeof ids>>;

  before(async () => {
    sandbox = await startSandboxOdoo({ version: 17 });
    ({ client, calls } = connect(sandbox));
    data = await ids(client);
  });
  after(async () => {
    await client.close();
    await sandbox.close();
  });

  test("a batch of orders is 4 calls: lookup, load, confirm, read; a replay makes nothing twice", async () => {
    calls.length = 0;
    const batch = Array.from({ length: 5 }, (_, i) => order(`batch-a-${i}`, data.customer, data.products));
    const outcomes = await placeSaleOrders(client, batch);
    assert.ok(
      outcomes.every((o) => o.ok),
      JSON.stringify(outcomes),
    );
    assert.deepEqual(
      calls.map((c) => `${c.model}.${c.method}`),
      ["ir.model.data.search_read", "sale.order.load", "sale.order.action_confirm", "sale.order.read"],
    );
    for (const outcome of outcomes) {
      assert.ok(outcome.ok);
      assert.equal(outcome.value.state, "sale");
      assert.equal(outcome.value.created, true);
      assert.equal(outcome.value.pickingIds.length, 1);
      assert.match(outcome.value.name, /^S\d+/);
    }
    calls.length = 0;
    const again = await placeSaleOrders(client, batch);
    assert.ok(again.every((o) => o.ok && !o.value.created && o.value.state === "sale"));
    assert.deepEqual(
      calls.map((c) => c.method),
      ["search_read", "read"],
    );
    for (let i = 0; i < 5; i++) assert.equal(await countOrders(client, `batch-a-${i}`), 1);
  });

  test("a load that committed but whose answer was lost is not repeated: the retry finds the orders", async () => {
    sandbox.faults.inject({ model: "sale.order", method: "load", kind: "reset-after" });
    const batch = [
      order("lost-1", data.customer, data.products),
      order("lost-2", data.customer, data.products),
    ];
    await assert.rejects(
      placeSaleOrders(client, batch),
      (error: CrossdockError) => error.code === "CDK_ODOO_UNAVAILABLE",
    );
    const retry = await placeSaleOrders(client, batch);
    assert.ok(retry.every((o) => o.ok && o.value.state === "sale" && !o.value.created));
    assert.equal(await countOrders(client, "lost-1"), 1);
    assert.equal(await countOrders(client, "lost-2"), 1);
  });

  test("a confirm that timed out after committing is finished by the retry without a second confirm error", async () => {
    const { client: slow } = connect(sandbox, { timeoutMs: 300 });
    sandbox.faults.inject({ model: "sale.order", method: "action_confirm", kind: "hang-after" });
    const batch = [order("hang-1", data.customer, data.products)];
    await assert.rejects(
      placeSaleOrders(slow, batch),
      (error: CrossdockError) => error.code === "CDK_ODOO_UNAVAILABLE",
    );
    const retry = await placeSaleOrders(slow, batch);
    assert.ok(retry[0]?.ok && retry[0].value.state === "sale");
    assert.equal(await countOrders(client, "hang-1"), 1);
    await slow.close();
  });

  test("a serialization failure is retried by the client and creates one order", async () => {
    sandbox.faults.inject({ model: "sale.order", method: "load", kind: "serialization" });
    const [outcome] = await placeSaleOrders(client, [order("conflict-1", data.customer, data.products)]);
    assert.ok(outcome?.ok, String(!outcome?.ok && outcome?.error));
    assert.equal(await countOrders(client, "conflict-1"), 1);
  });

  test("an order Odoo refuses fails alone; the rest of the batch is placed", async () => {
    const bad = {
      ...order("bad-1", data.customer, data.products),
      lines: [{ productId: 999_999, quantity: 1, priceUnit: "1.00" }],
    };
    const outcomes = await placeSaleOrders(client, [
      order("good-1", data.customer, data.products),
      bad,
      order("good-2", data.customer, data.products),
    ]);
    assert.ok(outcomes[0]?.ok && outcomes[2]?.ok);
    assert.ok(!outcomes[1]?.ok);
    assert.equal((outcomes[1] as { error: CrossdockError }).error.code, "CDK_ODOO_REJECTED");
    assert.equal(await countOrders(client, "bad-1"), 0);
  });

  test("partners upsert by key: a second upsert updates the same record; addresses hang under their customer", async () => {
    const first = await upsertPartners(client, [
      { key: "shop:cust:1", name: "Ada Buyer", email: "ada@example.com", isCompany: false },
      { key: "shop:addr:1", name: "Ada Buyer", parentKey: "shop:cust:1", type: "delivery", city: "Leuven" },
    ]);
    assert.ok(first.every((o) => o.ok));
    const again = await upsertPartners(client, [
      { key: "shop:cust:1", name: "Ada Buyer-Smith", email: "ada@example.com" },
    ]);
    assert.ok(first[0]?.ok && again[0]?.ok && again[0].value === first[0].value);
    const [row] = await client.read<{ name: string }>("res.partner", [again[0].value], ["name"]);
    assert.equal(row?.name, "Ada Buyer-Smith");
    const [address] = await client.read<{ parent_id: [number, string] }>(
      "res.partner",
      [(first[1] as { value: number }).value],
      ["parent_id"],
    );
    assert.equal(address?.parent_id[0], first[0].value);
  });

  test("delivery: partial validation with a backorder, tracking ref kept; validating again changes nothing", async () => {
    const [placed] = await placeSaleOrders(client, [order("ship-1", data.customer, data.products, 4)]);
    assert.ok(placed?.ok);
    const pickingId = placed.value.pickingIds[0] as number;
    const result = await validatePicking(client, {
      pickingId,
      lines: [
        { productId: data.products[0] as number, quantity: 4 },
        { productId: data.products[1] as number, quantity: 1 },
      ],
      trackingRef: "1Z999",
    });
    assert.equal(result.state, "done");
    assert.equal(result.backorderIds.length, 1);
    const [picking] = await client.read<{ carrier_tracking_ref: string }>(
      "stock.picking",
      [pickingId],
      ["carrier_tracking_ref"],
    );
    assert.equal(picking?.carrier_tracking_ref, "1Z999");
    const again = await validatePicking(client, { pickingId, lines: [] });
    assert.equal(again.validatedNow, false);
    assert.deepEqual(again.backorderIds, result.backorderIds);
  });

  test("delivery: the remainder cancelled instead of backordered", async () => {
    const [placed] = await placeSaleOrders(client, [order("ship-2", data.customer, data.products, 3)]);
    assert.ok(placed?.ok);
    const result = await validatePicking(client, {
      pickingId: placed.value.pickingIds[0] as number,
      lines: [{ productId: data.products[0] as number, quantity: 3 }],
      backorder: false,
    });
    assert.equal(result.state, "done");
    assert.deepEqual(result.backorderIds, []);
  });

  test("wizards: without skip contexts Odoo asks for SMS, then backorder confirmation; both are answered", async () => {
    const [placed] = await placeSaleOrders(client, [order("wizard-1", data.customer, data.products, 2)]);
    assert.ok(placed?.ok);
    const pickingId = placed.value.pickingIds[0] as number;
    const [move] = await client.searchRead<{ id: number }>(
      "stock.move",
      [["picking_id", "=", pickingId]],
      ["id"],
    );
    await client.call({
      model: "stock.move",
      method: "write",
      ids: [move?.id as number],
      params: { vals: { quantity: 1, picked: true } },
    });
    const first = await client.call({ model: "stock.picking", method: "button_validate", ids: [pickingId] });
    assert.equal(
      (first as { res_model?: string }).res_model !== undefined,
      true,
      "Odoo answers with a wizard",
    );
    await answerWizards(client, first, { backorder: true, pickingIds: [pickingId] });
    const [picking] = await client.read<{ state: string }>("stock.picking", [pickingId], ["state"]);
    assert.equal(picking?.state, "done");
    const backorders = await client.searchRead("stock.picking", [["backorder_id", "=", pickingId]], ["id"]);
    assert.equal(backorders.length, 1);
  });

  test("an unknown wizard is refused as CDK_ODOO_UNEXPECTED_WIZARD", async () => {
    await assert.rejects(
      answerWizards(
        client,
        { type: "ir.actions.act_window", res_model: "x.custom.wizard" },
        { backorder: true, pickingIds: [] },
      ),
      { code: "CDK_ODOO_UNEXPECTED_WIZARD" },
    );
  });

  test("invoicing before delivery is refused with Odoo's message; after delivery one invoice, posted once", async () => {
    const [placed] = await placeSaleOrders(client, [order("inv-1", data.customer, data.products, 1)]);
    assert.ok(placed?.ok);
    await assert.rejects(invoiceOrders(client, [placed.value.orderId]), (error: CrossdockError) => {
      assert.equal(error.code, "CDK_ODOO_REJECTED");
      assert.match(
        String((error.details?.odoo as { message?: string } | undefined)?.message),
        /invoiceable line/,
      );
      return true;
    });
    await validatePicking(client, {
      pickingId: placed.value.pickingIds[0] as number,
      lines: data.products.slice(0, 2).map((productId) => ({ productId, quantity: 1 })),
    });
    const invoiced = await invoiceOrders(client, [placed.value.orderId]);
    assert.equal(invoiced.invoices.length, 1);
    assert.equal(invoiced.invoices[0]?.state, "posted");
    assert.equal(invoiced.invoices[0]?.amountTotal.includes("."), true);
    const again = await invoiceOrders(client, [placed.value.orderId]);
    assert.deepEqual(again.invoiceIds, invoiced.invoiceIds);
    assert.deepEqual(again.postedNow, []);

    const paid = await registerPayment(client, { invoiceIds: invoiced.invoiceIds, memo: "pay:inv-1" });
    assert.equal(paid.createdNow, true);
    assert.equal(paid.paymentIds.length, 1);
    assert.equal(paid.invoices[0]?.paymentState, "paid");
    assert.equal(paid.invoices[0]?.amountResidual, "0.00");
    const paidAgain = await registerPayment(client, { invoiceIds: invoiced.invoiceIds, memo: "pay:inv-1" });
    assert.equal(paidAgain.createdNow, false);
    assert.deepEqual(paidAgain.paymentIds, paid.paymentIds);
  });

  test("cancel: a confirmed order is cancelled with its picking; cancelling again is a no-op", async () => {
    const [placed] = await placeSaleOrders(client, [order("cancel-1", data.customer, data.products)]);
    assert.ok(placed?.ok);
    const first = await cancelOrders(client, [placed.value.orderId]);
    assert.deepEqual(first.cancelled, [placed.value.orderId]);
    const [row] = await client.read<{ state: string }>("sale.order", [placed.value.orderId], ["state"]);
    assert.equal(row?.state, "cancel");
    const [picking] = await client.read<{ state: string }>("stock.picking", placed.value.pickingIds, [
      "state",
    ]);
    assert.equal(picking?.state, "cancel");
    assert.deepEqual((await cancelOrders(client, [placed.value.orderId])).alreadyCancelled, [
      placed.value.orderId,
    ]);
  });

  test("inventory adjustment sets absolute quantities; applying the same count twice moves nothing", async () => {
    const productId = data.products[2] as number;
    await adjustInventory(client, { locationId: data.stock, counts: [{ productId, quantity: "37" }] });
    const read = async () =>
      (await client.read<{ qty_available: number }>("product.product", [productId], ["qty_available"]))[0]
        ?.qty_available;
    assert.equal(await read(), 37);
    await adjustInventory(client, { locationId: data.stock, counts: [{ productId, quantity: "37" }] });
    assert.equal(await read(), 37);
  });

  test("purchase: placed and confirmed once, received into stock; return of a delivery made once", async () => {
    const [vendor] = await client.searchRead<{ id: number }>(
      "res.partner",
      [["supplier_rank", ">", 0]],
      ["id"],
      { limit: 1 },
    );
    assert.ok(vendor);
    const productId = data.products[2] as number;
    const input = {
      key: "po-1",
      supplierId: vendor.id,
      lines: [{ productId, quantity: 10, priceUnit: "5.00" }],
    };
    const [placed] = await placePurchaseOrders(client, [input]);
    assert.ok(placed?.ok && placed.value.state === "purchase");
    const [again] = await placePurchaseOrders(client, [input]);
    assert.ok(again?.ok && again.value.purchaseId === placed.value.purchaseId && !again.value.created);
    const before =
      (await client.read<{ qty_available: number }>("product.product", [productId], ["qty_available"]))[0]
        ?.qty_available ?? 0;
    const received = await receivePurchase(client, {
      purchaseId: placed.value.purchaseId,
      lines: [{ productId, quantity: 10 }],
    });
    assert.equal(received.state, "done");
    const afterQty = (
      await client.read<{ qty_available: number }>("product.product", [productId], ["qty_available"])
    )[0]?.qty_available;
    assert.equal(afterQty, before + 10);

    const [sold] = await placeSaleOrders(client, [order("return-1", data.customer, data.products, 2)]);
    assert.ok(sold?.ok);
    const pickingId = sold.value.pickingIds[0] as number;
    await validatePicking(client, {
      pickingId,
      lines: data.products.slice(0, 2).map((p) => ({ productId: p, quantity: 2 })),
    });
    const returned = await createReturn(client, {
      pickingId,
      lines: [{ productId: data.products[0] as number, quantity: 1 }],
    });
    assert.equal(returned.createdNow, true);
    const returnedAgain = await createReturn(client, {
      pickingId,
      lines: [{ productId: data.products[0] as number, quantity: 1 }],
    });
    assert.deepEqual(returnedAgain, { returnPickingId: returned.returnPickingId, createdNow: false });
  });

  test("access: a read-only user is refused with CDK_ODOO_ACCESS; a wrong key fails at connect", async () => {
    const demo = createOdooClient({
      url: sandbox.url,
      database: "crossdock",
      login: "demo",
      apiKey: { reveal: () => "demo" },
    });
    const [outcome] = await placeSaleOrders(demo, [order("demo-1", data.customer, data.products)]).catch(
      (error: unknown) => [{ ok: false as const, error }],
    );
    assert.ok(outcome && !outcome.ok);
    assert.equal((outcome.error as CrossdockError).code, "CDK_ODOO_ACCESS");
    await demo.close();
    const wrong = createOdooClient({
      url: sandbox.url,
      database: "crossdock",
      login: "admin",
      apiKey: { reveal: () => "nope" },
    });
    await assert.rejects(wrong.connect(), { code: "CDK_ODOO_ACCESS" });
    await wrong.close();
  });

  test("every error class against the sandbox: each fault kind, a missing record, an unknown model", async () => {
    const { client: once } = connect(sandbox, { retry: { maximumAttempts: 1 }, timeoutMs: 300 });
    const search = () =>
      once.call({ model: "res.partner", method: "search_count", params: { domain: [] } }, { safe: true });
    const expected: Record<string, string> = {
      serialization: "CDK_ODOO_CONFLICT",
      lock: "CDK_ODOO_CONFLICT",
      http502: "CDK_ODOO_UNAVAILABLE",
      http503: "CDK_ODOO_UNAVAILABLE",
      http429: "CDK_ODOO_UNAVAILABLE",
      "reset-before": "CDK_ODOO_UNAVAILABLE",
      "reset-after": "CDK_ODOO_UNAVAILABLE",
      "hang-after": "CDK_ODOO_UNAVAILABLE",
      html500: "CDK_ODOO_UNAVAILABLE",
    };
    for (const [kind, code] of Object.entries(expected)) {
      sandbox.faults.inject({
        model: "res.partner",
        method: "search_count",
        kind: kind as never,
        retryAfterS: 2,
      });
      await assert.rejects(search(), (error: CrossdockError) => {
        assert.equal(error.code, code, `${kind}: ${error.message}`);
        if (kind === "http429") assert.equal(error.retryAfterMs, 2_000);
        return true;
      });
    }
    assert.equal(typeof (await search()), "number", "the faults were used up");
    await assert.rejects(
      once.call({ model: "sale.order", method: "write", ids: [987_654], params: { vals: { note: "x" } } }),
      { code: "CDK_ODOO_MISSING_RECORD" },
    );
    await assert.rejects(once.call({ model: "no.such.model", method: "search", params: { domain: [] } }), {
      code: "CDK_ODOO_CONFIG",
    });
    await assert.rejects(once.call({ model: "sale.order", method: "_create_invoices", ids: [1] }), {
      code: "CDK_ODOO_ACCESS",
    });
    await once.close();
  });

  test("a canonical order placed through the master data cache: no lookup calls, the right lines", async () => {
    const cache = createMasterDataCache({ client, clock: systemClock });
    await cache.load();
    const [first, second] = await client.read<{ default_code: string }>(
      "product.product",
      data.products.slice(0, 2),
      ["default_code"],
    );
    const canonical = {
      ...(MODEL_EXAMPLES.order as Order),
      channelOrderId: "CANON-1",
      customer: { kind: "person" as const, name: "Cleo Canon", email: "cleo@example.com" },
      shipTo: { name: "Cleo Canon", street: "Rue 1", city: "Liège", countryCode: "BE" },
      billTo: undefined,
      shippingLines: [],
      lines: [
        {
          sku: first?.default_code as string,
          quantity: "2",
          uom: "C62",
          unitPrice: "50.00",
          discounts: [{ amount: "10.00" }],
          total: "90.00",
        },
        { sku: second?.default_code as string, quantity: "1", uom: "C62", unitPrice: "5.00", total: "5.00" },
      ],
    } as Order;
    const outcome = planOdooOrder(canonical, cache);
    assert.ok(outcome.ok, JSON.stringify(!outcome.ok && outcome.problems));
    const { plan } = outcome;
    calls.length = 0;
    const partners = await upsertPartners(client, [plan.customer, ...(plan.shipTo ? [plan.shipTo] : [])]);
    assert.ok(partners.every((p) => p.ok));
    const [customerId, shipToId] = partners.map((p) => (p as { value: number }).value);
    const [placed] = await placeSaleOrders(client, [
      {
        key: plan.key,
        partnerId: customerId as number,
        shippingPartnerId: shipToId as number,
        clientOrderRef: plan.clientOrderRef,
        origin: plan.origin,
        lines: plan.lines,
      },
    ]);
    assert.ok(placed?.ok);
    assert.ok(
      calls.every(
        (c) => c.model !== "product.product" && !(c.model === "res.partner" && c.method === "search_read"),
      ),
      "no lookups: products and partners came from the cache and external ids",
    );
    const lines = await client.searchRead<{
      product_id: [number, string];
      product_uom_qty: number;
      price_unit: number;
      discount: number;
    }>(
      "sale.order.line",
      [["order_id", "=", placed.value.orderId]],
      ["product_id", "product_uom_qty", "price_unit", "discount"],
      { order: "id asc" },
    );
    assert.deepEqual(
      lines.map((l) => [l.product_id[0], l.product_uom_qty, l.price_unit, l.discount]),
      [
        [data.products[0], 2, 50, 10],
        [data.products[1], 1, 5, 0],
      ],
    );
    const [saved] = await client.read<{ partner_shipping_id: [number, string]; origin: string }>(
      "sale.order",
      [placed.value.orderId],
      ["partner_shipping_id", "origin"],
    );
    assert.equal(saved?.partner_shipping_id[0], shipToId);
    assert.equal(saved?.origin, "shopify-eu:CANON-1");
  });

  test("odoo check: everything present for admin; the read-only user lacks rights", async () => {
    const report = await checkOdoo(client);
    assert.equal(report.ok, true, JSON.stringify(report.findings.filter((f) => !f.ok)));
    assert.equal(report.version, 17);
    const demo = createOdooClient({
      url: sandbox.url,
      database: "crossdock",
      login: "demo",
      apiKey: { reveal: () => "demo" },
    });
    const demoReport = await checkOdoo(demo);
    assert.equal(demoReport.ok, false);
    assert.ok(
      demoReport.findings.some((f) => f.what === "rights on sale.order" && !f.ok && /create/.test(f.detail)),
    );
    await demo.close();
  });
});

for (const version of [16, 18, 19] as const) {
  describe(`Odoo actions on the sandbox Odoo ${version}`, () => {
    let sandbox: SandboxOdoo;
    let client: OdooClient;
    before(async () => {
      sandbox = await startSandboxOdoo({ version });
      ({ client } = connect(sandbox));
    });
    after(async () => {
      await client.close();
      await sandbox.close();
    });

    test("order to cash: place, validate partially, invoice, pay, return", async () => {
      const info = await client.connect();
      assert.equal(info.major, version);
      assert.equal(info.transport, version >= 19 ? "json2" : "jsonrpc");
      const data = await ids(client);
      const [placed] = await placeSaleOrders(client, [
        order(`v${version}-1`, data.customer, data.products, 3),
      ]);
      assert.ok(placed?.ok, String(!placed?.ok && placed?.error));
      const pickingId = placed.value.pickingIds[0] as number;
      const validated = await validatePicking(client, {
        pickingId,
        lines: [
          { productId: data.products[0] as number, quantity: 3 },
          { productId: data.products[1] as number, quantity: 2 },
        ],
        trackingRef: `TRK-${version}`,
      });
      assert.equal(validated.state, "done");
      assert.equal(validated.backorderIds.length, 1);
      const invoiced = await invoiceOrders(client, [placed.value.orderId]);
      assert.equal(invoiced.invoices[0]?.state, "posted");
      const paid = await registerPayment(client, { invoiceIds: invoiced.invoiceIds, memo: `pay-${version}` });
      assert.equal(paid.invoices[0]?.paymentState, "paid");
      const again = await registerPayment(client, {
        invoiceIds: invoiced.invoiceIds,
        memo: `pay-${version}`,
      });
      assert.equal(again.createdNow, false);
      const returned = await createReturn(client, {
        pickingId,
        lines: [{ productId: data.products[0] as number, quantity: 1 }],
      });
      assert.equal(returned.createdNow, true);
    });
  });
}
