import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createFakeOdoo } from "../../../test/odoo/fake-odoo-client.ts";
import { openTestStore } from "../../../test/odoo/test-store.ts";
import type { EventInput, JsonValue } from "../../store/store.ts";
import { type ChangeFeed, createChangePoller, type OdooRecord } from "./change-poller.ts";
import {
  invoiceFeed,
  odooChangeFeeds,
  partnerFeed,
  pickingFeed,
  productFeed,
  purchaseOrderFeed,
  saleOrderFeed,
  stockQuantFeed,
} from "./odoo-change-feeds.ts";
import { toOdooDatetime } from "./odoo-datetime.ts";
import { odooDialect } from "./odoo-dialect.ts";

const WD = "2026-01-01 12:00:05";

/** Runs a feed's toEvents over successive versions of one record, carrying the memo as the poller does. */
function run(feed: ChangeFeed, versions: Record<string, unknown>[], major = 17): EventInput[][] {
  let previous: JsonValue | undefined;
  return versions.map((version) => {
    const record = { id: 7, write_date: WD, ...version } as OdooRecord;
    const events = feed.toEvents(record, { connection: "odoo", dialect: odooDialect(major), previous });
    if (feed.track) previous = feed.track(record);
    return events;
  });
}

function types(batches: EventInput[][]): string[][] {
  return batches.map((events) => events.map((e) => e.type));
}

function data(event: EventInput | undefined): Record<string, unknown> {
  assert.ok(event, "expected an event");
  return event.data as Record<string, unknown>;
}

const order = {
  name: "S00042",
  client_order_ref: "WEB-1001",
  origin: false,
  partner_id: [9, "Azure Interior"],
  amount_total: 1234.5600000000002,
  currency_id: [1, "USD"],
  picking_ids: [31],
  invoice_status: "to invoice",
};

describe("sale.order feed", () => {
  test("order.confirmed once per confirmation, order.cancelled on cancel; amounts as strings", () => {
    const batches = run(saleOrderFeed(), [
      { ...order, state: "sale" },
      { ...order, state: "sale", invoice_status: "invoiced" },
      { ...order, state: "cancel" },
      { ...order, state: "sale" },
    ]);
    assert.deepEqual(types(batches), [["order.confirmed"], [], ["order.cancelled"], ["order.confirmed"]]);
    const first = batches[0]![0]!;
    assert.equal(first.stream, "order:S00042");
    assert.deepEqual(data(first), {
      source: { connection: "odoo", model: "sale.order", id: 7, write_date: WD },
      id: 7,
      name: "S00042",
      client_order_ref: "WEB-1001",
      origin: null,
      partner_id: 9,
      state: "sale",
      previous_state: null,
      amount_total: "1234.56",
      currency: "USD",
      picking_ids: [31],
      invoice_status: "to invoice",
      write_date: WD,
    });
    assert.equal(data(batches[3]![0]).previous_state, "cancel");
  });

  test("16's locked state 'done' is confirmed too, and sale -> done is not a second confirmation", () => {
    const batches = run(saleOrderFeed(), [{ ...order, state: "done" }], 16);
    assert.deepEqual(types(batches), [["order.confirmed"]]);
    assert.deepEqual(
      types(
        run(
          saleOrderFeed(),
          [
            { ...order, state: "sale" },
            { ...order, state: "done" },
          ],
          16,
        ),
      ),
      [["order.confirmed"], []],
    );
  });

  test("currency decimals per currency name", () => {
    const feed = saleOrderFeed({ currencyDecimals: { JPY: 0 } });
    const [batch] = run(feed, [{ ...order, state: "sale", amount_total: 1500.4, currency_id: [25, "JPY"] }]);
    assert.equal(data(batch![0]).amount_total, "1500");
  });
});

describe("stock.picking feed", () => {
  const picking = {
    name: "WH/OUT/00012",
    origin: "S00042",
    carrier_tracking_ref: "1Z999",
    carrier_id: [2, "UPS"],
    date_done: "2026-01-01 11:58:00",
    backorder_id: false,
    partner_id: [9, "Azure Interior"],
    state: "done",
  };

  test("outgoing done -> delivery.done on the order stream, once", () => {
    const batches = run(pickingFeed(), [
      { ...picking, picking_type_code: "outgoing" },
      { ...picking, picking_type_code: "outgoing", carrier_tracking_ref: "1Z999-B" },
    ]);
    assert.deepEqual(types(batches), [["delivery.done"], []]);
    const event = batches[0]![0]!;
    assert.equal(event.stream, "order:S00042");
    assert.deepEqual(
      { ...data(event), source: undefined },
      {
        source: undefined,
        id: 7,
        name: "WH/OUT/00012",
        origin: "S00042",
        carrier_tracking_ref: "1Z999",
        carrier_id: 2,
        carrier: "UPS",
        date_done: "2026-01-01 11:58:00",
        backorder_id: null,
        partner_id: 9,
      },
    );
  });

  test("incoming done -> receipt.done on the purchase stream; no carrier fields when disabled", () => {
    const [batch] = run(pickingFeed(), [
      { ...picking, name: "WH/IN/3", origin: "P00007", picking_type_code: "incoming" },
    ]);
    assert.equal(batch![0]!.type, "receipt.done");
    assert.equal(batch![0]!.stream, "purchase:P00007");
    assert.ok(!pickingFeed({ carrierFields: false }).fields(odooDialect(16)).includes("carrier_id"));
  });
});

describe("account.move feed", () => {
  const invoice = {
    name: "INV/2026/0001",
    move_type: "out_invoice",
    state: "posted",
    amount_total: 115,
    invoice_origin: "S00042",
    partner_id: [9, "Azure Interior"],
    currency_id: [1, "USD"],
  };

  test("invoice.posted, then payment.received for a partial and for the rest; in_payment -> paid is not a new payment", () => {
    const batches = run(invoiceFeed(), [
      { ...invoice, payment_state: "not_paid", amount_residual: 115 },
      { ...invoice, payment_state: "partial", amount_residual: 15.000000000000002 },
      { ...invoice, payment_state: "in_payment", amount_residual: 0 },
      { ...invoice, payment_state: "paid", amount_residual: 0 },
    ]);
    assert.deepEqual(types(batches), [["invoice.posted"], ["payment.received"], ["payment.received"], []]);
    assert.equal(batches[0]![0]!.stream, "order:S00042");
    assert.deepEqual([data(batches[1]![0]).partial, data(batches[1]![0]).amount_residual], [true, "15.00"]);
    assert.deepEqual([data(batches[2]![0]).partial, data(batches[2]![0]).amount_residual], [false, "0.00"]);
  });

  test("first seen already paid: both events; several origins -> the invoice stream", () => {
    const [batch] = run(invoiceFeed(), [
      { ...invoice, invoice_origin: "S1, S2", payment_state: "paid", amount_residual: 0 },
    ]);
    assert.deepEqual(
      batch!.map((e) => [e.type, e.stream]),
      [
        ["invoice.posted", "invoice:INV/2026/0001"],
        ["payment.received", "invoice:INV/2026/0001"],
      ],
    );
  });
});

describe("product.product feed through the dialect", () => {
  test("16/17 read detailed_type, 18 reads is_storable; storable and price as string either way", () => {
    const base = {
      default_code: "FURN_001",
      barcode: "601647855631",
      name: "Desk",
      list_price: 320.0,
      active: true,
    };
    assert.deepEqual(productFeed().fields(odooDialect(16)).slice(-2), ["type", "detailed_type"]);
    assert.deepEqual(productFeed().fields(odooDialect(18)).slice(-2), ["type", "is_storable"]);
    const v16 = run(productFeed(), [{ ...base, type: "product", detailed_type: "product" }], 16)[0]![0]!;
    const v17 = run(productFeed(), [{ ...base, type: "consu", detailed_type: "consu" }], 17)[0]![0]!;
    const v18 = run(productFeed(), [{ ...base, type: "consu", is_storable: true }], 18)[0]![0]!;
    assert.deepEqual(
      [v16, v17, v18].map((e) => [e.type, e.stream, data(e).storable, data(e).list_price]),
      [
        ["product.changed", "product:FURN_001", true, "320.00"],
        ["product.changed", "product:FURN_001", false, "320.00"],
        ["product.changed", "product:FURN_001", true, "320.00"],
      ],
    );
  });

  test("no default_code: the stream uses the id; archived is a change", () => {
    const [batch] = run(productFeed(), [
      { default_code: false, barcode: false, name: "X", list_price: 1, active: false },
    ]);
    assert.equal(batch![0]!.stream, "product:7");
    assert.equal(data(batch![0]).active, false);
    assert.equal(data(batch![0]).barcode, null);
  });
});

test("stock.quant feed: quantities as strings, stream by product code when known", () => {
  const feed = stockQuantFeed({ productCode: (id) => (id === 5 ? "FURN_001" : undefined) });
  const [batch] = run(feed, [
    {
      product_id: [5, "[FURN_001] Desk"],
      location_id: [8, "WH/Stock"],
      quantity: 12.000000001,
      reserved_quantity: 2.5,
    },
  ]);
  assert.equal(batch![0]!.stream, "stock:FURN_001");
  assert.deepEqual(
    [data(batch![0]).quantity, data(batch![0]).reserved_quantity, data(batch![0]).location_id],
    ["12.00", "2.50", 8],
  );
  const [other] = run(stockQuantFeed(), [
    { product_id: [6, "X"], location_id: [8, "WH/Stock"], quantity: 1 },
  ]);
  assert.equal(other![0]!.stream, "stock:6");
});

test("purchase.order feed: purchase.confirmed once", () => {
  const po = { name: "P00007", partner_id: [3, "Vendor"], amount_total: 99.999, currency_id: [1, "EUR"] };
  const batches = run(purchaseOrderFeed(), [
    { ...po, state: "purchase" },
    { ...po, state: "done" },
  ]);
  assert.deepEqual(types(batches), [["purchase.confirmed"], []]);
  assert.equal(batches[0]![0]!.stream, "purchase:P00007");
  assert.equal(data(batches[0]![0]).amount_total, "100.00");
});

test("res.partner feed: partner.changed on every version", () => {
  const partner = {
    name: "Azure",
    email: "A@x.com",
    ref: "C-1",
    commercial_partner_id: [7, "Azure"],
    active: true,
  };
  const batches = run(partnerFeed(), [partner, { ...partner, email: "b@x.com" }]);
  assert.deepEqual(types(batches), [["partner.changed"], ["partner.changed"]]);
  assert.equal(batches[0]![0]!.stream, "partner:7");
});

test("the feeds run in the poller: memos make transitions survive a restart", async (t) => {
  const fixture = await openTestStore(t);
  const { clock } = fixture;
  const odoo = createFakeOdoo({ major: 17 });
  const make = () =>
    createChangePoller({
      client: odoo,
      store: fixture.store,
      clock,
      connection: "odoo",
      feed: saleOrderFeed(),
    });
  await make().pollOnce();
  clock.advance(5_000);
  odoo.put("sale.order", { id: 1, ...order, state: "sale", write_date: toOdooDatetime(clock.now() - 1_000) });
  odoo.put("sale.order", {
    id: 2,
    ...order,
    name: "S00043",
    state: "draft",
    write_date: toOdooDatetime(clock.now()),
  });
  assert.equal((await make().pollOnce()).events, 1);
  clock.advance(5_000);
  odoo.put("sale.order", {
    id: 1,
    ...order,
    state: "sale",
    invoice_status: "invoiced",
    write_date: toOdooDatetime(clock.now()),
  });
  assert.deepEqual(
    [(await make().pollOnce()).records, (await make().pollOnce()).events],
    [1, 0],
    "a new version without a transition emits nothing, even from a new poller",
  );
  clock.advance(5_000);
  odoo.put("sale.order", { id: 1, ...order, state: "cancel", write_date: toOdooDatetime(clock.now()) });
  await make().pollOnce();
  assert.deepEqual(
    (await fixture.events()).map((e) => `${e.type} ${e.stream}`),
    ["order.confirmed order:S00042", "order.cancelled order:S00042"],
  );
  assert.equal(odoo.calls.at(-1)!.fields!.includes("amount_total"), true);
});

test("odooChangeFeeds: one feed per model with stable names", () => {
  assert.deepEqual(
    odooChangeFeeds().map((f) => `${f.model}/${f.name}`),
    [
      "sale.order/sale-orders",
      "stock.picking/pickings",
      "account.move/invoices",
      "product.product/products",
      "stock.quant/stock-quants",
      "purchase.order/purchase-orders",
      "res.partner/partners",
    ],
  );
});
