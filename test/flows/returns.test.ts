/**
 * The returns workflow on the sandbox Odoo, run by the real engine on a SQLite store, after the order
 * itself went through order-to-cash (placed, shipped, invoiced, paid): a return whose goods come back
 * short is credited and refunded for what came back only, with a restart in the middle and nothing done
 * twice; a return over the channel's limit waits for a person (rejected: nothing in Odoo); goods that
 * never come park for a person, who closes the return; `return.requested` events start one run each.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type SandboxOdoo, startSandboxOdoo } from "../../sandbox/odoo/sandbox-odoo.ts";
import { createMasterDataCache, type MasterDataCache } from "../../src/connectors/odoo/master-data-cache.ts";
import { createOdooClient, type OdooClient } from "../../src/connectors/odoo/odoo-client.ts";
import type { CustomerReturn } from "../../src/core/model/customer-return.ts";
import { MODEL_EXAMPLES } from "../../src/core/model/model-examples.ts";
import type { Order } from "../../src/core/model/order.ts";
import type { Receipt } from "../../src/core/model/receipt.ts";
import { createOdooOrderPort } from "../../src/flows/order-to-cash/odoo-order-port.ts";
import {
  createOrderToCash,
  ORDER_TO_CASH,
  orderToCashKey,
  SHIPMENT_DISPATCHED,
} from "../../src/flows/order-to-cash/order-to-cash.ts";
import { createOdooReturnPort } from "../../src/flows/returns/odoo-return-port.ts";
import {
  createReturns,
  RETURN_RECEIVED,
  RETURN_REQUESTED,
  RETURNS,
  type ReturnsOutput,
  returnStream,
  returnsKey,
} from "../../src/flows/returns/returns.ts";
import { createStoreReturnEvents } from "../../src/flows/returns/store-return-events.ts";
import { openWorkflowFixture, RETRY_DELAY_MS } from "../../src/flows/workflow-test-fixture.ts";
import type { JsonValue } from "../../src/store/store.ts";

let odoo: SandboxOdoo;
let client: OdooClient;
let cache: MasterDataCache;
let skus: string[];
const SLA_MS = 7 * 86_400_000;

before(async () => {
  odoo = await startSandboxOdoo({ version: 17 });
  client = createOdooClient({
    url: odoo.url,
    database: "crossdock",
    login: "admin",
    apiKey: { reveal: () => "sandbox-admin-key" },
  });
  cache = createMasterDataCache({ client, clock: { now: () => Date.now() } });
  await cache.load();
  const products = await client.searchRead<{ default_code: string }>(
    "product.product",
    [["default_code", "like", "FURN_%"]],
    ["default_code"],
    { order: "default_code asc", limit: 2 },
  );
  skus = products.map((p) => p.default_code);
});
after(async () => {
  await client.close();
  await odoo.close();
});

type Fixture = Awaited<ReturnType<typeof openWorkflowFixture>>;

async function open(t: Parameters<typeof openWorkflowFixture>[0]): Promise<Fixture> {
  const o2c = createOrderToCash({
    odoo: createOdooOrderPort({ client, lookups: cache }),
    warehouse: {
      release: async (request) => ({ reference: `WH-${request.key}` }),
      cancel: async () => ({ cancelled: true }),
    },
    shipmentTimeoutMs: 86_400_000,
  });
  const returns = createReturns({
    odoo: createOdooReturnPort({ client }),
    // The fixture's store changes on restart: the emitter always uses the current one.
    events: { emit: (event, key) => createStoreReturnEvents(f.store).emit(event, key) },
    receiptTimeoutMs: SLA_MS,
  });
  const f = await openWorkflowFixture(t, [o2c, returns]);
  return f;
}

/** An order of 2 x skus[0] at 30.00 and 4 x skus[1] at 5.00 (15% tax), through order-to-cash: shipped, invoiced, paid. */
async function fulfilledOrder(f: Fixture, id: string): Promise<Order> {
  const order = {
    ...(MODEL_EXAMPLES.order as Order),
    channel: "shop",
    channelOrderId: id,
    orderNumber: `#${id}`,
    customer: { kind: "person", name: "Rita Return", email: `rita-${id}@example.com` },
    shipTo: { name: "Rita Return", street: "Kerkstraat 1", city: "Gent", countryCode: "BE" },
    billTo: undefined,
    shippingLines: undefined,
    lines: [
      { sku: skus[0] as string, quantity: "2", uom: "C62", unitPrice: "30.00", total: "60.00" },
      { sku: skus[1] as string, quantity: "4", uom: "C62", unitPrice: "5.00", total: "20.00" },
    ],
    totals: { subtotal: "80.00", discountTotal: "0", shippingTotal: "0", taxTotal: "0", grandTotal: "80.00" },
  } as Order;
  const { run } = await f.engine.start(f.store, ORDER_TO_CASH, orderToCashKey(order), {
    order,
    prepaid: true,
  } as unknown as JsonValue);
  await f.drain();
  await f.store.events.append([
    {
      stream: `order:${orderToCashKey(order)}`,
      type: SHIPMENT_DISPATCHED,
      data: {
        shipmentId: `SH-${id}`,
        complete: true,
        lines: order.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
        trackingNumber: `1Z-${id}`,
      },
    },
  ]);
  await f.drain();
  assert.equal((await f.store.workflows.get(run.id))?.status, "completed", "order-to-cash done first");
  return order;
}

function rma(
  order: Order,
  rmaNumber: string,
  lines: [string, string][],
  requestedAt?: string,
): CustomerReturn {
  return {
    ...(MODEL_EXAMPLES.return as CustomerReturn),
    rmaNumber,
    order: { channel: order.channel, channelOrderId: order.channelOrderId },
    status: "requested",
    requestedAt: requestedAt ?? new Date().toISOString(),
    lines: lines.map(([sku, quantity]) => ({ sku, quantity, uom: "C62", reason: "damaged" as const })),
    refundAmount: undefined,
    currency: "EUR",
  } as CustomerReturn;
}

async function startReturn(f: Fixture, ret: CustomerReturn, extra: Record<string, unknown> = {}) {
  const { run } = await f.engine.start(f.store, RETURNS, returnsKey(ret), {
    return: ret,
    prepaid: true,
    ...extra,
  } as unknown as JsonValue);
  return run;
}

async function receive(f: Fixture, ret: CustomerReturn, lines: [string, string, ("good" | "damaged")?][]) {
  const receipt: Receipt = {
    schemaVersion: 1,
    receiptId: `RCV-${ret.rmaNumber}`,
    rmaNumber: ret.rmaNumber,
    warehouse: "WH",
    receivedAt: new Date().toISOString(),
    lines: lines.map(([sku, quantity, condition]) => ({
      sku,
      quantity,
      uom: "C62",
      ...(condition ? { condition } : {}),
    })),
  };
  await f.store.events.append([
    {
      stream: returnStream(returnsKey(ret)),
      type: RETURN_RECEIVED,
      data: { receipt } as unknown as JsonValue,
    },
  ]);
}

async function returnPickings(ret: CustomerReturn) {
  return client.searchRead<{ id: number; state: string; origin: string }>(
    "stock.picking",
    [["origin", "like", `(crossdock:${returnsKey(ret)})`]],
    ["state", "origin"],
  );
}

async function creditNotes(ret: CustomerReturn) {
  return client.searchRead<{
    id: number;
    state: string;
    amount_total: number;
    payment_state: string;
    name: string;
  }>(
    "account.move",
    [
      ["move_type", "=", "out_refund"],
      ["ref", "=", `crossdock:${returnsKey(ret)}`],
    ],
    ["state", "amount_total", "payment_state", "name"],
  );
}

async function streamTypes(f: Fixture, ret: CustomerReturn) {
  return (await f.store.events.readStream(returnStream(returnsKey(ret)))).map((e) => e.type);
}

describe("returns on the sandbox Odoo", () => {
  test("authorised, goods come back short, restart in the middle: credit and refund for what came back, each once", async (t) => {
    const f = await open(t);
    const order = await fulfilledOrder(f, "RET-1");
    const ret = rma(order, "RMA-1", [
      [skus[0] as string, "2"],
      [skus[1] as string, "1"],
    ]);
    const run = await startReturn(f, ret, { policy: { approvalOver: "500.00", windowDays: 30 } });
    await f.drain();
    assert.equal((await f.store.workflows.get(run.id))?.status, "waiting", "waits for the goods");
    const [picking] = await returnPickings(ret);
    assert.equal(picking?.state, "assigned", "return picking created in Odoo");
    assert.deepEqual(await streamTypes(f, ret), ["return.authorized"]);

    await f.restart();
    await f.drain();
    assert.equal((await returnPickings(ret)).length, 1, "one return picking, whatever the restart");
    // The warehouse counted both of skus[0] and none of skus[1].
    await receive(f, ret, [[skus[0] as string, "2", "damaged"]]);
    await f.restart();
    await f.drain();
    const done = await f.store.workflows.get(run.id);
    assert.equal(done?.status, "completed", JSON.stringify(done?.error));
    const output = done?.output as unknown as ReturnsOutput;
    assert.equal(output.outcome, "refunded");
    assert.equal(output.amount, "69.00", "2 x 30.00 + 15% tax; the missing item is not credited");
    assert.equal(output.paymentIds.length, 1);

    const [returned] = await returnPickings(ret);
    assert.equal(returned?.state, "done");
    const moves = await client.searchRead<{ product_id: [number, string]; quantity: number; state: string }>(
      "stock.move",
      [["picking_id", "=", returned?.id as number]],
      ["product_id", "quantity", "state"],
    );
    assert.deepEqual(
      moves.map((m) => [m.state, m.quantity]).sort(),
      [
        ["cancel", 0],
        ["done", 2],
      ],
      "what did not come is cancelled, not back-ordered",
    );
    const [credit] = await creditNotes(ret);
    assert.deepEqual([credit?.state, credit?.amount_total, credit?.payment_state], ["posted", 69, "paid"]);
    assert.match(credit?.name ?? "", /^RINV\//);
    const [payment] = await client.read<{ payment_type: string; amount: number }>(
      "account.payment",
      output.paymentIds,
      ["payment_type", "amount"],
    );
    assert.deepEqual([payment?.payment_type, payment?.amount], ["outbound", 69]);

    const events = await f.store.events.readStream(returnStream(returnsKey(ret)));
    assert.deepEqual(
      events.map((e) => e.type),
      ["return.authorized", "return.received", "return.refunded"],
    );
    const refunded = events[2]?.data as {
      amount: string;
      lines: { sku: string; received: string; condition: string }[];
    };
    assert.equal(refunded.amount, "69.00");
    assert.deepEqual(
      refunded.lines.map((l) => [l.sku, l.received, l.condition]),
      [
        [skus[0], "2", "damaged"],
        [skus[1], "0", null],
      ],
    );

    await f.restart();
    await f.drain();
    assert.equal((await creditNotes(ret)).length, 1, "one credit note");
    assert.equal(
      (
        await client.searchRead(
          "account.payment",
          [["ref", "=", `${RETURNS}:${returnsKey(ret)}:register-refund`]],
          ["id"],
        )
      ).length,
      1,
      "one refund payment",
    );
    assert.equal((await streamTypes(f, ret)).filter((type) => type === "return.refunded").length, 1);
  });

  test("answers lost after Odoo committed (return picking, credit note): the retry claims them, nothing twice", async (t) => {
    const f = await open(t);
    const order = await fulfilledOrder(f, "RET-4");
    const ret = rma(order, "RMA-4", [[skus[1] as string, "3"]]);
    odoo.faults.inject({ model: "stock.return.picking", method: "create_returns", kind: "reset-after" });
    const run = await startReturn(f, ret, { prepaid: false });
    await f.drain();
    f.clock.advance(RETRY_DELAY_MS);
    await f.drain();
    assert.equal((await f.store.workflows.get(run.id))?.status, "waiting");
    assert.equal(odoo.faults.pending(), 0, "the fault fired");
    assert.equal((await returnPickings(ret)).length, 1, "the picking Odoo made is claimed, not made again");
    const all = await client.searchRead(
      "stock.picking",
      [
        ["origin", "like", "Return of"],
        ["state", "!=", "cancel"],
      ],
      ["origin"],
    );
    assert.ok(
      all.every((p) => String((p as { origin: string }).origin).includes("(crossdock:")),
      "no unmarked return left behind",
    );
    odoo.faults.inject({ model: "sale.advance.payment.inv", method: "create_invoices", kind: "reset-after" });
    await receive(f, ret, [[skus[1] as string, "3"]]);
    await f.drain();
    f.clock.advance(RETRY_DELAY_MS);
    await f.drain();
    assert.equal(odoo.faults.pending(), 0, "the fault fired");
    const done = await f.store.workflows.get(run.id);
    assert.equal(done?.status, "completed", JSON.stringify(done?.error));
    const output = done?.output as unknown as ReturnsOutput;
    assert.deepEqual([output.outcome, output.amount, output.paymentIds], ["refunded", "17.25", []]);
    const [so] = await client.searchRead<{ invoice_ids: number[] }>(
      "sale.order",
      [["origin", "=", "shop:RET-4"]],
      ["invoice_ids"],
    );
    const refunds = await client.searchRead<{ state: string }>(
      "account.move",
      [
        ["id", "in", so?.invoice_ids ?? []],
        ["move_type", "=", "out_refund"],
      ],
      ["state"],
    );
    assert.deepEqual(
      refunds.map((r) => r.state),
      ["posted"],
      "one credit note, claimed and posted",
    );
  });

  test("over the channel's limit: a person decides before anything reaches Odoo; rejected ends it", async (t) => {
    const f = await open(t);
    const order = await fulfilledOrder(f, "RET-2");
    const ret = rma(order, "RMA-2", [[skus[0] as string, "2"]]);
    const run = await startReturn(f, ret, { policy: { approvalOver: "50.00" } });
    await f.drain();
    const [approval] = await f.store.workflows.listApprovals({ runId: run.id });
    assert.equal(approval?.stepId, "authorise");
    assert.match(approval?.title ?? "", /worth 69\.00, over 50\.00/);
    assert.equal((await returnPickings(ret)).length, 0, "nothing in Odoo while it waits");
    await f.store.workflows.decideApproval(approval?.id as string, {
      approved: false,
      by: "ana",
      comment: "used",
    });
    await f.drain();
    const done = await f.store.workflows.get(run.id);
    assert.equal((done?.output as unknown as ReturnsOutput | undefined)?.outcome, "rejected");
    assert.deepEqual(await streamTypes(f, ret), ["return.rejected"]);
    assert.equal((await returnPickings(ret)).length, 0);

    // Past the return window, approved: it goes ahead as usual.
    const late = rma(order, "RMA-2B", [[skus[1] as string, "1"]], "2031-01-01T00:00:00Z");
    const second = await startReturn(f, late, { policy: { approvalOver: "50.00", windowDays: 30 } });
    await f.drain();
    const [pending] = await f.store.workflows.listApprovals({ runId: second.id });
    assert.match(pending?.title ?? "", /past the 30-day window/);
    await f.store.workflows.decideApproval(pending?.id as string, { approved: true, by: "ana" });
    await f.drain();
    assert.equal((await returnPickings(late))[0]?.state, "assigned");
    await receive(f, late, [[skus[1] as string, "1", "good"]]);
    await f.drain();
    const output = (await f.store.workflows.get(second.id))?.output as unknown as ReturnsOutput;
    assert.equal(output.outcome, "refunded");
    assert.equal(output.amount, "5.75");
  });

  test("goods that never come park for a person, who closes the return: pickings cancelled, no credit", async (t) => {
    const f = await open(t);
    const order = await fulfilledOrder(f, "RET-3");
    const ret = rma(order, "RMA-3", [[skus[1] as string, "2"]]);
    const run = await startReturn(f, ret);
    await f.drain();
    f.clock.advance(SLA_MS + 1);
    await f.drain();
    const [overdue] = await f.store.workflows.listApprovals({ runId: run.id });
    assert.equal(overdue?.stepId, "receipt-overdue-1");
    await f.store.workflows.decideApproval(overdue?.id as string, {
      approved: true,
      by: "ana",
      comment: "chase",
    });
    await f.drain();
    assert.equal((await f.store.workflows.get(run.id))?.status, "waiting", "waits another SLA");
    f.clock.advance(SLA_MS + 1);
    await f.drain();
    const [second] = await f.store.workflows.listApprovals({ runId: run.id, status: "pending" });
    assert.equal(second?.stepId, "receipt-overdue-2");
    await f.store.workflows.decideApproval(second?.id as string, { approved: false, by: "ana" });
    await f.drain();
    const done = await f.store.workflows.get(run.id);
    assert.equal((done?.output as unknown as ReturnsOutput | undefined)?.outcome, "not-received");
    assert.deepEqual(
      (await returnPickings(ret)).map((p) => p.state),
      ["cancel"],
    );
    assert.equal((await creditNotes(ret)).length, 0);
    assert.deepEqual(await streamTypes(f, ret), ["return.authorized", "return.closed"]);
  });

  test("return.requested starts one run per return of a configured channel", async (t) => {
    const f = await open(t);
    const { createReturnIntake } = await import("../../src/flows/returns/return-intake.ts");
    const { createSilentLogger } = await import("../../src/observability/logger.ts");
    const intake = createReturnIntake({
      store: f.store,
      logger: createSilentLogger(),
      channels: { shop: { prepaid: true, approvalOver: "200.00", windowDays: 30 } },
    });
    const order = { channel: "shop", channelOrderId: "IN-R" } as Order;
    const a = rma(order, "RMA-IN-1", [["X", "1"]]);
    const other = { ...a, order: { channel: "b2b", channelOrderId: "9" } } as CustomerReturn;
    await f.store.events.append([
      {
        stream: returnStream(returnsKey(a)),
        type: RETURN_REQUESTED,
        data: { return: a } as unknown as JsonValue,
      },
      {
        stream: returnStream(returnsKey(a)),
        type: RETURN_REQUESTED,
        data: { return: a } as unknown as JsonValue,
      },
      { stream: "return:b2b", type: RETURN_REQUESTED, data: { return: other } as unknown as JsonValue },
    ]);
    assert.equal(await intake.catchUp(), 3);
    const runs = await f.store.workflows.list({ type: RETURNS });
    assert.deepEqual(
      runs.map((r) => r.key),
      ["shop:RMA-IN-1"],
    );
    assert.deepEqual((runs[0]?.input as { policy: unknown } | undefined)?.policy, {
      approvalOver: "200.00",
      windowDays: 30,
    });
  });
});
