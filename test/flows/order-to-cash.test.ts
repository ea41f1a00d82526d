/**
 * The order-to-cash workflow on the sandbox Odoo, run by the real engine on a SQLite store: a canonical
 * order is placed, released, shipped in two parts (the warehouse connector's `shipment.dispatched`
 * events are appended here as that connector would), invoiced and paid; a restart in the middle changes
 * nothing; an order Odoo cannot take fails before anything is created; a failure after placing cancels
 * the Odoo order (compensation).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type SandboxOdoo, startSandboxOdoo } from "../../sandbox/odoo/sandbox-odoo.ts";
import { createMasterDataCache, type MasterDataCache } from "../../src/connectors/odoo/master-data-cache.ts";
import { createOdooClient, type OdooClient } from "../../src/connectors/odoo/odoo-client.ts";
import { CrossdockError } from "../../src/core/errors.ts";
import type { Invoice } from "../../src/core/model/invoice.ts";
import { MODEL_EXAMPLES } from "../../src/core/model/model-examples.ts";
import type { Order } from "../../src/core/model/order.ts";
import { createOdooOrderPort } from "../../src/flows/order-to-cash/odoo-order-port.ts";
import {
  createOrderToCash,
  ORDER_CANCELLED,
  ORDER_TO_CASH,
  orderToCashKey,
  SHIPMENT_DISPATCHED,
} from "../../src/flows/order-to-cash/order-to-cash.ts";
import type { OrderToCashPorts, ShipmentNotice } from "../../src/flows/order-to-cash/order-to-cash-ports.ts";
import { openWorkflowFixture, outcomes } from "../../src/flows/workflow-test-fixture.ts";
import type { JsonValue } from "../../src/store/store.ts";

let odoo: SandboxOdoo;
let client: OdooClient;
let cache: MasterDataCache;
let skus: string[];

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
    {
      order: "default_code asc",
      limit: 2,
    },
  );
  skus = products.map((p) => p.default_code);
});
after(async () => {
  await client.close();
  await odoo.close();
});

function canonical(id: string, extra: Partial<Order> = {}): Order {
  return {
    ...(MODEL_EXAMPLES.order as Order),
    channel: "shop",
    channelOrderId: id,
    orderNumber: `#${id}`,
    customer: { kind: "person", name: "Olga Order", email: `olga-${id}@example.com` },
    shipTo: { name: "Olga Order", street: "Kerkstraat 1", city: "Gent", countryCode: "BE" },
    billTo: undefined,
    shippingLines: undefined,
    lines: [
      { sku: skus[0] as string, quantity: "2", uom: "C62", unitPrice: "30.00", total: "60.00" },
      { sku: skus[1] as string, quantity: "4", uom: "C62", unitPrice: "5.00", total: "20.00" },
    ],
    totals: { subtotal: "80.00", discountTotal: "0", shippingTotal: "0", taxTotal: "0", grandTotal: "80.00" },
    ...extra,
  } as Order;
}

function ports(overrides: Partial<OrderToCashPorts> = {}, warehouseCancels = true) {
  const released: { key: string; idempotencyKey: string }[] = [];
  const cancels: { reference: string; idempotencyKey: string }[] = [];
  const tracked: { shipmentId: string; idempotencyKey: string }[] = [];
  const value: OrderToCashPorts = {
    odoo: createOdooOrderPort({ client, lookups: cache }),
    warehouse: {
      async release(request, idempotencyKey) {
        released.push({ key: request.key, idempotencyKey });
        return { reference: `WH-${request.key}` };
      },
      async cancel(reference, idempotencyKey) {
        cancels.push({ reference, idempotencyKey });
        return warehouseCancels ? { cancelled: true } : { cancelled: false, reason: "order is shipped" };
      },
    },
    channel: {
      async pushTracking(update, idempotencyKey) {
        tracked.push({ shipmentId: update.shipment.shipmentId, idempotencyKey });
      },
    },
    shipmentTimeoutMs: 86_400_000,
    ...overrides,
  };
  return { value, released, tracked, cancels };
}

async function ship(
  store: {
    events: { append: (events: { stream: string; type: string; data: never }[]) => Promise<unknown> };
  },
  order: Order,
  notice: ShipmentNotice,
) {
  await store.events.append([
    { stream: `order:${orderToCashKey(order)}`, type: SHIPMENT_DISPATCHED, data: notice as never },
  ]);
}

describe("order to cash on the sandbox Odoo", () => {
  test("placed, released, shipped in two parts with a restart between, invoiced and paid, each once", async (t) => {
    const p = ports();
    const f = await openWorkflowFixture(t, [createOrderToCash(p.value)]);
    const order = canonical("O2C-1");
    const { run } = await f.engine.start(f.store, ORDER_TO_CASH, orderToCashKey(order), {
      order,
      prepaid: true,
    } as unknown as JsonValue);
    assert.deepEqual(outcomes(await f.drain()), ["completed"]);
    assert.equal((await f.store.workflows.get(run.id))?.status, "waiting");
    assert.equal(p.released.length, 1);
    assert.equal(p.released[0]?.idempotencyKey, `${ORDER_TO_CASH}:shop:O2C-1:release-to-warehouse`);

    // The warehouse ships part of the order; the hub restarts before it processes anything else.
    await ship(f.store, order, {
      shipmentId: "SH-1",
      complete: false,
      lines: [
        { sku: skus[0] as string, quantity: "2" },
        { sku: skus[1] as string, quantity: "1" },
      ],
      trackingNumber: "1Z-A",
    });
    await f.restart();
    await f.drain();
    assert.equal((await f.store.workflows.get(run.id))?.status, "waiting", "waits for the rest");
    // The warehouse re-sends the first shipment under another message id: it counts once.
    await ship(f.store, order, {
      shipmentId: "SH-1",
      complete: false,
      lines: [{ sku: skus[0] as string, quantity: "2" }],
      trackingNumber: "1Z-A",
    });
    await f.drain();
    assert.equal((await f.store.workflows.get(run.id))?.status, "waiting", "still waits for the rest");
    await ship(f.store, order, {
      shipmentId: "SH-2",
      complete: true,
      lines: [{ sku: skus[1] as string, quantity: "3" }],
      trackingNumber: "1Z-B",
    });
    await f.drain();
    const done = await f.store.workflows.get(run.id);
    assert.equal(done?.status, "completed", JSON.stringify(done?.error));
    const output = done?.output as {
      saleOrder: string;
      shipments: number;
      invoiceIds: number[];
      paymentIds: number[];
    };
    assert.equal(output.shipments, 2);
    assert.equal(output.invoiceIds.length, 1);
    assert.equal(output.paymentIds.length, 1);
    assert.deepEqual(
      p.tracked.map((x) => x.shipmentId),
      ["SH-1", "SH-2"],
    );

    const [so] = await client.searchRead<{
      id: number;
      state: string;
      picking_ids: number[];
      invoice_status: string;
    }>("sale.order", [["origin", "=", "shop:O2C-1"]], ["state", "picking_ids", "invoice_status"]);
    assert.equal(so?.state, "sale");
    assert.equal(so?.invoice_status, "invoiced");
    const pickings = await client.read<{ state: string; carrier_tracking_ref: string }>(
      "stock.picking",
      so?.picking_ids ?? [],
      ["state", "carrier_tracking_ref"],
    );
    assert.deepEqual(pickings.map((pk) => [pk.state, pk.carrier_tracking_ref]).sort(), [
      ["done", "1Z-A"],
      ["done", "1Z-B"],
    ]);
    const [invoice] = await client.read<{ state: string; payment_state: string }>(
      "account.move",
      output.invoiceIds,
      ["state", "payment_state"],
    );
    assert.deepEqual([invoice?.state, invoice?.payment_state], ["posted", "paid"]);
    const orders = await client.searchRead("sale.order", [["origin", "=", "shop:O2C-1"]], ["id"]);
    assert.equal(orders.length, 1, "one Odoo order, whatever the restarts");
  });

  test("an order with an unknown SKU fails before anything reaches Odoo, with the line's path", async (t) => {
    const p = ports();
    const f = await openWorkflowFixture(t, [createOrderToCash(p.value)]);
    const order = canonical("O2C-BAD", {
      lines: [{ sku: "NO-SUCH-SKU", quantity: "1", uom: "C62", unitPrice: "1.00", total: "1.00" }],
      totals: { subtotal: "1.00", discountTotal: "0", shippingTotal: "0", taxTotal: "0", grandTotal: "1.00" },
    });
    const { run } = await f.engine.start(f.store, ORDER_TO_CASH, orderToCashKey(order), {
      order,
      prepaid: false,
    } as unknown as JsonValue);
    await f.drain();
    const failed = await f.store.workflows.get(run.id);
    assert.equal(failed?.status, "compensated", "failed, and nothing to undo");
    assert.equal(
      (failed?.error?.details?.error as { code?: string } | undefined)?.code ?? failed?.error?.code,
      "CDK_ORDER_NOT_PLACEABLE",
    );
    assert.match(JSON.stringify(failed?.error), /lines\/0\/sku/);
    assert.equal(p.released.length, 0);
    assert.equal(
      (await client.searchRead("sale.order", [["origin", "=", "shop:O2C-BAD"]], ["id"])).length,
      0,
    );
  });

  test("a warehouse that refuses the order makes the workflow cancel the Odoo order it created", async (t) => {
    const p = ports({
      warehouse: {
        async release() {
          throw new CrossdockError("CDK_TARGET_REJECTED", "warehouse refused: unknown ship-to country");
        },
        async cancel() {
          throw new Error("nothing was released");
        },
      },
    });
    const f = await openWorkflowFixture(t, [createOrderToCash(p.value)]);
    const order = canonical("O2C-REFUSED");
    const { run } = await f.engine.start(f.store, ORDER_TO_CASH, orderToCashKey(order), {
      order,
      prepaid: false,
    } as unknown as JsonValue);
    await f.drain();
    await f.drain();
    assert.equal((await f.store.workflows.get(run.id))?.status, "compensated");
    const [so] = await client.searchRead<{ state: string }>(
      "sale.order",
      [["origin", "=", "shop:O2C-REFUSED"]],
      ["state"],
    );
    assert.equal(so?.state, "cancel", "compensated: no half-done order left in Odoo");
  });
});

async function cancelInChannel(store: Parameters<typeof ship>[0], order: Order) {
  await store.events.append([
    {
      stream: `order:${orderToCashKey(order)}`,
      type: ORDER_CANCELLED,
      data: { reason: "customer" } as never,
    },
  ]);
}

async function saleOrder(origin: string) {
  const [so] = await client.searchRead<{ id: number; state: string; picking_ids: number[] }>(
    "sale.order",
    [["origin", "=", origin]],
    ["state", "picking_ids"],
  );
  const pickings = await client.read<{ state: string }>("stock.picking", so?.picking_ids ?? [], ["state"]);
  return { state: so?.state, pickings: pickings.map((pk) => pk.state).sort() };
}

describe("shipment SLA", () => {
  test("past the warning nothing shipped: people are told once, then the run still takes the late shipment", async (t) => {
    const alerts: { shipment: number; idempotencyKey: string }[] = [];
    const p = ports({
      shipmentTimeoutMs: 10 * 3_600_000,
      shipmentWarnMs: 8 * 3_600_000,
      alerts: {
        async slaAtRisk(alert, idempotencyKey) {
          alerts.push({ shipment: alert.shipment, idempotencyKey });
        },
      },
    });
    const f = await openWorkflowFixture(t, [createOrderToCash(p.value)]);
    const order = canonical("O2C-SLA");
    const { run } = await f.engine.start(f.store, ORDER_TO_CASH, orderToCashKey(order), {
      order,
      prepaid: false,
    } as unknown as JsonValue);
    await f.drain();
    f.clock.advance(8 * 3_600_000);
    await f.drain();
    assert.deepEqual(alerts, [
      { shipment: 1, idempotencyKey: `${ORDER_TO_CASH}:shop:O2C-SLA:sla-at-risk-1` },
    ]);
    assert.equal((await f.store.workflows.get(run.id))?.status, "waiting", "still waiting for the shipment");
    await f.restart();
    await f.drain();
    assert.equal(alerts.length, 1, "told once, whatever the restarts");
    f.clock.advance(3_600_000);
    await ship(f.store, order, {
      shipmentId: "SH-LATE",
      complete: true,
      lines: order.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
      trackingNumber: "1Z-LATE",
    });
    await f.drain();
    const done = await f.store.workflows.get(run.id);
    assert.equal(done?.status, "completed", JSON.stringify(done?.error));
  });

  test("nothing by the deadline: a person decides; keep waiting, then cancel at the 3PL and in Odoo", async (t) => {
    const told: number[] = [];
    const p = ports({
      shipmentTimeoutMs: 10_000,
      alerts: { slaAtRisk: async (alert) => void told.push(alert.shipment) },
    });
    const f = await openWorkflowFixture(t, [createOrderToCash(p.value)]);
    const order = canonical("O2C-SLA-2");
    const { run } = await f.engine.start(f.store, ORDER_TO_CASH, orderToCashKey(order), {
      order,
      prepaid: false,
    } as unknown as JsonValue);
    await f.drain();
    f.clock.advance(8_000);
    await f.drain();
    f.clock.advance(2_000);
    await f.drain();
    assert.deepEqual(told, [1], "warned at 80% of the SLA by default");
    const review = async () => {
      const pending = await f.store.workflows.listApprovals({ runId: run.id, status: "pending" });
      assert.equal(pending.length, 1);
      return pending[0] as NonNullable<(typeof pending)[0]>;
    };
    const first = await review();
    assert.equal(first.stepId, "sla-breach-review-1");
    assert.match(first.title, /nothing shipped within the SLA/);
    assert.equal((await saleOrder("shop:O2C-SLA-2")).state, "sale", "a breach alone cancels nothing");
    await f.store.workflows.decideApproval(first.id, {
      approved: true,
      by: "ops",
      comment: "3PL says tomorrow",
    });
    await f.drain();
    assert.equal((await f.store.workflows.get(run.id))?.status, "waiting", "waits another SLA period");
    f.clock.advance(8_000);
    await f.drain();
    f.clock.advance(2_000);
    await f.drain();
    assert.deepEqual(told, [1, 2], "warned again in the second period");
    const second = await review();
    assert.equal(second.stepId, "sla-breach-review-2");
    await f.store.workflows.decideApproval(second.id, { approved: false, by: "ops", comment: "give up" });
    await f.drain();
    const failed = await f.store.workflows.get(run.id);
    assert.equal(failed?.status, "compensated");
    assert.match(JSON.stringify(failed?.error), /ops chose to cancel it/);
    assert.deepEqual(await saleOrder("shop:O2C-SLA-2"), { state: "cancel", pickings: ["cancel"] });
    assert.deepEqual(
      p.cancels.map((c) => c.reference),
      ["WH-shop:O2C-SLA-2"],
      "cancelled at the warehouse by compensation",
    );
  });
});

describe("cancellation from the channel", () => {
  test("before anything shipped: cancelled at the warehouse and in Odoo, nothing invoiced", async (t) => {
    const p = ports();
    const f = await openWorkflowFixture(t, [createOrderToCash(p.value)]);
    const order = canonical("O2C-CXL");
    const { run } = await f.engine.start(f.store, ORDER_TO_CASH, orderToCashKey(order), {
      order,
      prepaid: true,
    } as unknown as JsonValue);
    await f.drain();
    await cancelInChannel(f.store, order);
    await cancelInChannel(f.store, order); // orders/cancelled and orders/updated both say so
    await f.drain();
    const done = await f.store.workflows.get(run.id);
    assert.equal(done?.status, "completed", JSON.stringify(done?.error));
    assert.equal((done?.output as { outcome?: string } | undefined)?.outcome, "cancelled");
    assert.deepEqual(
      p.cancels.map((c) => c.reference),
      ["WH-shop:O2C-CXL"],
    );
    assert.deepEqual(await saleOrder("shop:O2C-CXL"), { state: "cancel", pickings: ["cancel"] });
    await ship(f.store, order, { shipmentId: "LATE", complete: true, lines: [] });
    await f.drain();
    assert.equal(p.released.length, 1, "a late shipment notice changes nothing");
  });

  test("a cancellation that came before the run even started (webhooks out of order) is still taken", async (t) => {
    const p = ports();
    const f = await openWorkflowFixture(t, [createOrderToCash(p.value)]);
    const order = canonical("O2C-CXL-EARLY");
    await cancelInChannel(f.store, order);
    f.clock.advance(1_000);
    const { run } = await f.engine.start(f.store, ORDER_TO_CASH, orderToCashKey(order), {
      order,
      prepaid: false,
    } as unknown as JsonValue);
    await f.drain();
    assert.equal(
      ((await f.store.workflows.get(run.id))?.output as { outcome?: string } | undefined)?.outcome,
      "cancelled",
    );
    assert.equal((await saleOrder("shop:O2C-CXL-EARLY")).state, "cancel");
  });

  test("after part shipped, the rest cancelled at the warehouse: open delivery cancelled, shipped part invoiced", async (t) => {
    const p = ports();
    const f = await openWorkflowFixture(t, [createOrderToCash(p.value)]);
    const order = canonical("O2C-CXL-PART");
    const { run } = await f.engine.start(f.store, ORDER_TO_CASH, orderToCashKey(order), {
      order,
      prepaid: true,
    } as unknown as JsonValue);
    await f.drain();
    await ship(f.store, order, {
      shipmentId: "SH-P1",
      complete: false,
      lines: [{ sku: skus[0] as string, quantity: "2" }],
      trackingNumber: "1Z-P1",
    });
    await f.drain();
    await cancelInChannel(f.store, order);
    await f.drain();
    const done = await f.store.workflows.get(run.id);
    assert.equal(done?.status, "completed", JSON.stringify(done?.error));
    const output = done?.output as {
      outcome: string;
      shipments: number;
      invoiceIds: number[];
      paymentIds: number[];
    };
    assert.equal(output.outcome, "partly-cancelled");
    assert.equal(output.shipments, 1);
    assert.equal(output.invoiceIds.length, 1);
    assert.equal(output.paymentIds.length, 1);
    assert.deepEqual(await saleOrder("shop:O2C-CXL-PART"), { state: "sale", pickings: ["cancel", "done"] });
  });

  test("the warehouse could not stop it: a person decides; approved goes on to invoice", async (t) => {
    const p = ports({}, false);
    const f = await openWorkflowFixture(t, [createOrderToCash(p.value)]);
    const order = canonical("O2C-CXL-LATE");
    const { run } = await f.engine.start(f.store, ORDER_TO_CASH, orderToCashKey(order), {
      order,
      prepaid: false,
    } as unknown as JsonValue);
    await f.drain();
    await cancelInChannel(f.store, order);
    await f.drain();
    const [approval] = await f.store.workflows.listApprovals({ runId: run.id });
    assert.equal(approval?.stepId, "cancellation-review");
    assert.match(approval?.title ?? "", /cancelled in the channel, but the warehouse could not stop it/);
    assert.equal((approval?.details as { warehouse?: string } | undefined)?.warehouse, "order is shipped");
    await f.store.workflows.decideApproval(approval?.id as string, {
      approved: true,
      by: "ana",
      comment: "return it",
    });
    await f.drain();
    assert.equal(
      (await f.store.workflows.get(run.id))?.status,
      "waiting",
      "back to waiting for the shipment",
    );
    await ship(f.store, order, {
      shipmentId: "SH-L1",
      complete: true,
      lines: [
        { sku: skus[0] as string, quantity: "2" },
        { sku: skus[1] as string, quantity: "4" },
      ],
      trackingNumber: "1Z-L1",
    });
    await f.drain();
    const done = await f.store.workflows.get(run.id);
    assert.equal(done?.status, "completed", JSON.stringify(done?.error));
    assert.equal((done?.output as { outcome?: string } | undefined)?.outcome, "fulfilled");
    assert.deepEqual(await saleOrder("shop:O2C-CXL-LATE"), { state: "sale", pickings: ["done"] });
  });
});

describe("credit check", () => {
  const fullShipment = (order: Order, id: string): ShipmentNotice => ({
    shipmentId: id,
    complete: true,
    lines: order.lines.map((line) => ({ sku: line.sku, quantity: line.quantity })),
    trackingNumber: `1Z-${id}`,
  });
  const outcomeOf = async (
    f: { store: { workflows: { get(id: string): Promise<{ output?: unknown } | undefined> } } },
    id: string,
  ) => ((await f.store.workflows.get(id))?.output as { outcome?: string } | undefined)?.outcome;

  test("what the customer owes in Odoo plus the order, over the limit: a person decides before anything is placed", async (t) => {
    const p = ports();
    const f = await openWorkflowFixture(t, [createOrderToCash(p.value)]);
    const credit = { defaultLimit: "100.00" };
    const customer = { kind: "person" as const, name: "Carl Credit", email: "carl-credit@example.com" };
    // A first order of 80.00, invoiced and not paid: Carl owes 92.00 in Odoo (the product's 15% tax).
    const first = canonical("O2C-CR-1", { customer });
    const one = await f.engine.start(f.store, ORDER_TO_CASH, orderToCashKey(first), {
      order: first,
      prepaid: false,
      credit,
    } as unknown as JsonValue);
    await f.drain();
    await ship(f.store, first, fullShipment(first, "CR1"));
    await f.drain();
    const r1 = await f.store.workflows.get(one.run.id);
    assert.equal(
      await outcomeOf(f, one.run.id),
      "fulfilled",
      `80.00 is within 100.00: ${JSON.stringify(r1?.error)}`,
    );

    // A second order of 80.00 would make 172.00: over the limit, waits for a person; nothing in Odoo.
    const second = canonical("O2C-CR-2", { customer });
    const two = await f.engine.start(f.store, ORDER_TO_CASH, orderToCashKey(second), {
      order: second,
      prepaid: false,
      credit,
    } as unknown as JsonValue);
    await f.drain();
    const [approval] = await f.store.workflows.listApprovals({ runId: two.run.id });
    assert.equal(approval?.stepId, "credit-approval");
    assert.match(approval?.title ?? "", /owes 92\.00 \+ order 80\.00 = 172\.00 EUR > 100\.00/);
    assert.equal(
      (await client.searchRead("sale.order", [["origin", "=", "shop:O2C-CR-2"]], ["id"])).length,
      0,
    );
    assert.equal(p.released.length, 1);
    await f.store.workflows.decideApproval(approval?.id as string, {
      approved: false,
      by: "cfo",
      comment: "pay first",
    });
    await f.drain();
    assert.equal(await outcomeOf(f, two.run.id), "credit-refused");
    assert.equal(
      (await client.searchRead("sale.order", [["origin", "=", "shop:O2C-CR-2"]], ["id"])).length,
      0,
    );

    // Approved, the third goes ahead as usual.
    const third = canonical("O2C-CR-3", { customer });
    const three = await f.engine.start(f.store, ORDER_TO_CASH, orderToCashKey(third), {
      order: third,
      prepaid: false,
      credit,
    } as unknown as JsonValue);
    await f.drain();
    const [pending] = await f.store.workflows.listApprovals({ runId: three.run.id });
    await f.store.workflows.decideApproval(pending?.id as string, { approved: true, by: "cfo" });
    await f.drain();
    assert.equal(p.released.length, 2, "released after the approval");
    await ship(f.store, third, fullShipment(third, "CR3"));
    await f.drain();
    assert.equal(await outcomeOf(f, three.run.id), "fulfilled");
  });
});

describe("a channel that is sent documents (an EDI customer)", () => {
  const channelWithDocuments = () => {
    const acknowledged: { saleOrder: string; accepted: boolean; reason?: string; idempotencyKey: string }[] =
      [];
    const invoiced: { invoices: Invoice[]; idempotencyKey: string }[] = [];
    const channel: OrderToCashPorts["channel"] = {
      async pushTracking() {},
      sends: () => ({ acknowledgement: true, invoice: true }),
      async acknowledge(update, idempotencyKey) {
        acknowledged.push({
          saleOrder: update.saleOrder,
          accepted: update.accepted,
          ...(update.reason ? { reason: update.reason } : {}),
          idempotencyKey,
        });
      },
      async sendInvoices(update, idempotencyKey) {
        invoiced.push({ invoices: update.invoices, idempotencyKey });
      },
    };
    return { channel, acknowledged, invoiced };
  };

  test("acknowledged once placed, and sent Odoo's invoice as a document: its number, lines by PO line and totals", async (t) => {
    const docs = channelWithDocuments();
    const p = ports({ channel: docs.channel });
    const f = await openWorkflowFixture(t, [createOrderToCash(p.value)]);
    const order = canonical("O2C-DOC-1", {
      lines: [
        {
          lineId: "10",
          sku: skus[0] as string,
          quantity: "2",
          uom: "C62",
          unitPrice: "30.00",
          discounts: [{ amount: "6.00" }],
          total: "54.00",
        },
        {
          lineId: "20",
          sku: skus[1] as string,
          quantity: "4",
          uom: "C62",
          unitPrice: "5.00",
          total: "20.00",
        },
      ],
      totals: {
        subtotal: "74.00",
        discountTotal: "6.00",
        shippingTotal: "0",
        taxTotal: "0",
        grandTotal: "74.00",
      },
    });
    const { run } = await f.engine.start(f.store, ORDER_TO_CASH, orderToCashKey(order), {
      order,
      prepaid: false,
    } as unknown as JsonValue);
    await f.drain();
    assert.equal(docs.acknowledged.length, 1);
    assert.equal(docs.acknowledged[0]?.accepted, true);
    assert.match(docs.acknowledged[0]?.saleOrder ?? "", /^S\d+/);
    assert.equal(docs.acknowledged[0]?.idempotencyKey, `${ORDER_TO_CASH}:shop:O2C-DOC-1:acknowledge-order`);
    await ship(f.store, order, {
      shipmentId: "DOC-1",
      complete: true,
      lines: order.lines.map((line) => ({ sku: line.sku, quantity: line.quantity })),
      trackingNumber: "1Z-DOC-1",
    });
    await f.drain();
    const done = await f.store.workflows.get(run.id);
    assert.equal(done?.status, "completed", JSON.stringify(done?.error));
    assert.equal(docs.acknowledged.length, 1, "acknowledged once");
    assert.equal(docs.invoiced.length, 1);
    const [invoice] = docs.invoiced[0]?.invoices ?? [];
    const [move] = await client.read<{ name: string; amount_total: number; amount_tax: number }>(
      "account.move",
      (done?.output as { invoiceIds: number[] } | undefined)?.invoiceIds ?? [],
      ["name", "amount_total", "amount_tax"],
    );
    assert.equal(invoice?.invoiceNumber, move?.name);
    assert.equal(invoice?.kind, "invoice");
    assert.deepEqual(
      invoice?.lines.map((l) => [l.lineId, l.sku, l.quantity, l.uom, l.unitPrice, l.total]),
      [
        ["10", skus[0], "2", "C62", "30.00", "54.00"],
        ["20", skus[1], "4", "C62", "5.00", "20.00"],
      ],
    );
    // Odoo's 10 % discount on the first line comes back as the amount it took off.
    assert.deepEqual(invoice?.lines[0]?.discounts, [{ amount: "6.00", rate: "10" }]);
    assert.equal(invoice?.totals.subtotal, "74.00");
    assert.equal(Number(invoice?.totals.grandTotal), move?.amount_total);
    assert.equal(Number(invoice?.totals.taxTotal), move?.amount_tax);
    assert.deepEqual(invoice?.orders, [
      { channel: "shop", channelOrderId: "O2C-DOC-1", orderNumber: "#O2C-DOC-1" },
    ]);
    assert.equal(docs.invoiced[0]?.idempotencyKey, `${ORDER_TO_CASH}:shop:O2C-DOC-1:send-invoice`);
  });

  test("refused over the credit limit: the order is acknowledged as rejected, nothing placed", async (t) => {
    const docs = channelWithDocuments();
    const p = ports({ channel: docs.channel });
    const f = await openWorkflowFixture(t, [createOrderToCash(p.value)]);
    const order = canonical("O2C-DOC-2", {
      customer: { kind: "person", name: "Rita Refused", email: "rita-refused@example.com" },
    });
    const { run } = await f.engine.start(f.store, ORDER_TO_CASH, orderToCashKey(order), {
      order,
      prepaid: false,
      credit: { defaultLimit: "10.00" },
    } as unknown as JsonValue);
    await f.drain();
    const [approval] = await f.store.workflows.listApprovals({ runId: run.id });
    await f.store.workflows.decideApproval(approval?.id as string, { approved: false, by: "cfo" });
    await f.drain();
    assert.equal((await f.store.workflows.get(run.id))?.status, "completed");
    assert.deepEqual(
      docs.acknowledged.map((a) => [a.saleOrder, a.accepted, a.reason]),
      [["", false, "over the credit limit"]],
    );
    assert.equal(docs.invoiced.length, 0);
    assert.equal(p.released.length, 0);
  });

  test("a channel that is sent nothing runs no document steps", async (t) => {
    const p = ports();
    const f = await openWorkflowFixture(t, [createOrderToCash(p.value)]);
    const order = canonical("O2C-DOC-3");
    const { run } = await f.engine.start(f.store, ORDER_TO_CASH, orderToCashKey(order), {
      order,
      prepaid: false,
    } as unknown as JsonValue);
    await f.drain();
    await ship(f.store, order, {
      shipmentId: "DOC-3",
      complete: true,
      lines: order.lines.map((line) => ({ sku: line.sku, quantity: line.quantity })),
    });
    await f.drain();
    const steps = (await f.store.workflows.steps(run.id)).map((step) => step.stepId);
    assert.ok(steps.includes("invoice"), steps.join(","));
    assert.ok(!steps.includes("acknowledge-order") && !steps.includes("send-invoice"), steps.join(","));
  });
});

describe("order intake", () => {
  test("order.received events start one run per order of a configured channel, duplicates and other channels ignored", async (t) => {
    const p = ports();
    const f = await openWorkflowFixture(t, [createOrderToCash(p.value)]);
    const { createOrderIntake } = await import("../../src/flows/order-to-cash/order-intake.ts");
    const { createSilentLogger } = await import("../../src/observability/logger.ts");
    let woken = 0;
    const intake = createOrderIntake({
      store: f.store,
      logger: createSilentLogger(),
      channels: { shop: { prepaid: true } },
      onStarted: () => woken++,
    });
    const a = canonical("IN-1");
    const other = { ...canonical("IN-2"), channel: "edi-partner" } as Order;
    await f.store.events.append([
      { stream: `order:${orderToCashKey(a)}`, type: "order.received", data: { order: a } as never },
      { stream: `order:${orderToCashKey(a)}`, type: "order.received", data: { order: a } as never },
      { stream: `order:${orderToCashKey(other)}`, type: "order.received", data: { order: other } as never },
      { stream: "order:junk", type: "order.received", data: { nothing: true } as never },
    ]);
    assert.equal(await intake.catchUp(), 4);
    assert.equal(await intake.catchUp(), 0, "the cursor moved with the starts");
    const runs = await f.store.workflows.list({ type: ORDER_TO_CASH });
    assert.deepEqual(
      runs.map((r) => r.key),
      ["shop:IN-1"],
    );
    assert.equal((runs[0]?.input as { prepaid: boolean } | undefined)?.prepaid, true);
    assert.ok(woken >= 1);
  });
});
