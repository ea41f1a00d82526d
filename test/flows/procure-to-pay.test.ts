/**
 * The procure-to-pay workflow on the sandbox Odoo, run by the real engine on a SQLite store, with a fake
 * supplier that records what it was sent (an EDI connector will implement the port): an order changed
 * by the supplier's acknowledgement, received in two parts with a restart and a repeated receipt in
 * between, billed and posted once; a supplier that rejects the order has it cancelled in Odoo; no
 * acknowledgement by the deadline parks for a person (resend), and a short delivery makes the bill's
 * 3-way match park for a person; `purchase.requested` events start one run per purchase.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type SandboxOdoo, startSandboxOdoo } from "../../sandbox/odoo/sandbox-odoo.ts";
import { createOdooClient, type OdooClient } from "../../src/connectors/odoo/odoo-client.ts";
import { MODEL_EXAMPLES } from "../../src/core/model/model-examples.ts";
import type { PurchaseOrder } from "../../src/core/model/purchase-order.ts";
import type { Receipt } from "../../src/core/model/receipt.ts";
import type { SupplierAcknowledgement } from "../../src/core/model/supplier-acknowledgement.ts";
import { createOdooPurchasePort } from "../../src/flows/procure-to-pay/odoo-purchase-port.ts";
import {
  createProcureToPay,
  GOODS_RECEIVED,
  PROCURE_TO_PAY,
  type ProcureToPayOutput,
  PURCHASE_REQUESTED,
  procureToPayKey,
  purchaseStream,
  SUPPLIER_ACKNOWLEDGED,
} from "../../src/flows/procure-to-pay/procure-to-pay.ts";
import type { SupplierPort } from "../../src/flows/procure-to-pay/procure-to-pay-ports.ts";
import { openWorkflowFixture, RETRY_DELAY_MS } from "../../src/flows/workflow-test-fixture.ts";
import type { JsonValue } from "../../src/store/store.ts";

let odoo: SandboxOdoo;
let client: OdooClient;
let skus: string[];
const ACK_MS = 2 * 86_400_000;

before(async () => {
  odoo = await startSandboxOdoo({ version: 17 });
  client = createOdooClient({
    url: odoo.url,
    database: "crossdock",
    login: "admin",
    apiKey: { reveal: () => "sandbox-admin-key" },
  });
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

async function open(t: Parameters<typeof openWorkflowFixture>[0]) {
  const sent: { key: string; idempotencyKey: string; resend: number }[] = [];
  const supplier: SupplierPort = {
    async send(request, idempotencyKey) {
      sent.push({ key: request.key, idempotencyKey, resend: request.resend });
      return { reference: `850-${request.odooName}` };
    },
  };
  const workflow = createProcureToPay({
    odoo: createOdooPurchasePort({ client }),
    supplier,
    ackTimeoutMs: ACK_MS,
    receiptTimeoutMs: 30 * 86_400_000,
  });
  const f = await openWorkflowFixture(t, [workflow]);
  return { f, sent };
}

/** 10 x skus[0] at 50.00 (line 1) and 4 x skus[1] at 80.00 (line 2) from Wood Supplies Ltd (15% purchase tax). */
function purchase(poNumber: string): PurchaseOrder {
  return {
    ...(MODEL_EXAMPLES["purchase-order"] as PurchaseOrder),
    poNumber,
    status: "draft",
    supplier: { kind: "company", code: "wood", name: "Wood Supplies Ltd" },
    currency: "EUR",
    lines: [
      {
        lineId: "1",
        sku: skus[0] as string,
        quantity: "10",
        uom: "C62",
        unitPrice: "50.00",
        total: "500.00",
      },
      { lineId: "2", sku: skus[1] as string, quantity: "4", uom: "C62", unitPrice: "80.00", total: "320.00" },
    ],
    paymentTerms: undefined,
    totals: {
      subtotal: "820.00",
      discountTotal: "0",
      shippingTotal: "0",
      taxTotal: "0",
      grandTotal: "820.00",
    },
  } as PurchaseOrder;
}

async function start(f: Fixture, po: PurchaseOrder) {
  const { run } = await f.engine.start(f.store, PROCURE_TO_PAY, procureToPayKey("wood", po), {
    purchase: po,
    supplier: "wood",
  } as unknown as JsonValue);
  return run;
}

/** `bare`: the acknowledgement itself as the event's data, as the EDI file connector appends it. */
async function acknowledge(
  f: Fixture,
  po: PurchaseOrder,
  ack: Partial<SupplierAcknowledgement>,
  bare = false,
) {
  const acknowledgement: SupplierAcknowledgement = {
    schemaVersion: 1,
    poNumber: po.poNumber,
    status: "accepted",
    acknowledgedAt: "2026-03-02T16:20:00Z",
    lines: po.lines.map((l) => ({ lineId: l.lineId, status: "accepted" as const })),
    ...ack,
  };
  await f.store.events.append([
    {
      stream: purchaseStream(procureToPayKey("wood", po)),
      type: SUPPLIER_ACKNOWLEDGED,
      data: (bare ? acknowledgement : { acknowledgement }) as unknown as JsonValue,
    },
  ]);
}

async function receive(
  f: Fixture,
  po: PurchaseOrder,
  receiptId: string,
  lines: [string, string][],
  complete?: boolean,
) {
  const receipt: Receipt = {
    schemaVersion: 1,
    receiptId,
    poNumber: po.poNumber,
    warehouse: "WH",
    receivedAt: "2026-03-16T10:12:00Z",
    lines: lines.map(([lineId, quantity]) => ({
      lineId,
      sku: po.lines.find((l) => l.lineId === lineId)?.sku as string,
      quantity,
      uom: "C62",
    })),
  };
  await f.store.events.append([
    {
      stream: purchaseStream(procureToPayKey("wood", po)),
      type: GOODS_RECEIVED,
      data: { receipt, ...(complete === undefined ? {} : { complete }) } as unknown as JsonValue,
    },
  ]);
}

async function odooPurchase(po: PurchaseOrder) {
  const orders = await client.searchRead<{ id: number; name: string; state: string; picking_ids: number[] }>(
    "purchase.order",
    [["origin", "=", procureToPayKey("wood", po)]],
    ["name", "state", "picking_ids"],
  );
  const order = orders[0];
  const lines = await client.searchRead<{
    product_qty: number;
    qty_received: number;
    qty_invoiced: number;
    date_planned: string;
  }>(
    "purchase.order.line",
    [["order_id", "=", order?.id ?? 0]],
    ["product_qty", "qty_received", "qty_invoiced", "date_planned"],
    { order: "id asc" },
  );
  const pickings = await client.read<{ state: string }>("stock.picking", order?.picking_ids ?? [], ["state"]);
  const bills = await client.searchRead<{
    id: number;
    state: string;
    amount_total: number;
    invoice_date: string;
  }>(
    "account.move",
    [
      ["move_type", "=", "in_invoice"],
      ["invoice_origin", "=", order?.name ?? ""],
    ],
    ["state", "amount_total", "invoice_date"],
  );
  return { orders, order, lines, pickings: pickings.map((p) => p.state).sort(), bills };
}

describe("procure to pay on the sandbox Odoo", () => {
  test("RFQ, PO, sent, changed by the acknowledgement, received in two parts across a restart, billed and posted once", async (t) => {
    const { f, sent } = await open(t);
    const po = purchase("PO-1");
    const run = await start(f, po);
    await f.drain();
    assert.equal((await f.store.workflows.get(run.id))?.status, "waiting");
    assert.deepEqual(sent, [
      { key: "wood:PO-1", idempotencyKey: "procure-to-pay:wood:PO-1:send-to-supplier", resend: 0 },
    ]);
    const placed = await odooPurchase(po);
    assert.equal(placed.order?.state, "purchase", "confirmed in Odoo before it is sent");

    await acknowledge(f, po, {
      status: "accepted_with_changes",
      lines: [
        { lineId: "1", status: "accepted" },
        { lineId: "2", status: "changed", quantity: "3", expectedOn: "2026-03-23", reason: "backorder" },
      ],
    });
    await f.drain();
    const changed = await odooPurchase(po);
    assert.deepEqual(
      changed.lines.map((l) => l.product_qty),
      [10, 3],
    );
    assert.equal(changed.lines[1]?.date_planned, "2026-03-23 00:00:00");
    const moves = await client.searchRead<{ product_uom_qty: number }>(
      "stock.move",
      [["picking_id", "in", changed.order?.picking_ids ?? []]],
      ["product_uom_qty"],
      { order: "id asc" },
    );
    assert.deepEqual(
      moves.map((m) => m.product_uom_qty),
      [10, 3],
      "the receipt follows the supplier's quantities",
    );

    await receive(f, po, "IN-1", [
      ["1", "6"],
      ["2", "3"],
    ]);
    await f.restart();
    await f.drain();
    assert.deepEqual(
      (await odooPurchase(po)).pickings,
      ["assigned", "done"],
      "partial receipt leaves a backorder",
    );
    await receive(f, po, "IN-1", [["1", "6"]]); // the warehouse sends the same receipt again
    await f.drain();
    assert.deepEqual(
      (await odooPurchase(po)).lines.map((l) => l.qty_received),
      [6, 3],
      "counted once",
    );
    await receive(f, po, "IN-2", [["1", "4"]]);
    await f.drain();

    const done = await f.store.workflows.get(run.id);
    assert.equal(done?.status, "completed", JSON.stringify(done?.error));
    const output = done?.output as unknown as ProcureToPayOutput;
    assert.deepEqual([output.outcome, output.receipts, output.billIds.length], ["billed", 2, 1]);
    const final = await odooPurchase(po);
    assert.equal(final.orders.length, 1, "one purchase order");
    assert.deepEqual(final.pickings, ["done", "done"]);
    assert.deepEqual(
      final.lines.map((l) => [l.qty_received, l.qty_invoiced]),
      [
        [10, 10],
        [3, 3],
      ],
    );
    assert.equal(final.bills.length, 1, "one bill");
    assert.deepEqual(
      [final.bills[0]?.state, final.bills[0]?.amount_total, final.bills[0]?.invoice_date],
      ["posted", 851, "2026-03-16"],
      "(10 x 50 + 3 x 80) + 15%, dated the last receipt",
    );
    await f.restart();
    await f.drain();
    assert.equal((await odooPurchase(po)).bills.length, 1);
    assert.equal(sent.length, 1, "sent once");
  });

  test("answers lost after Odoo committed (receipt validation, bill): the retry finds them, nothing twice", async (t) => {
    const { f } = await open(t);
    const po = purchase("PO-LOST");
    const run = await start(f, po);
    await acknowledge(f, po, {});
    await f.drain();
    odoo.faults.inject({ model: "stock.picking", method: "button_validate", kind: "reset-after" });
    await receive(f, po, "IN-X1", [["1", "5"]]);
    await f.drain();
    f.clock.advance(RETRY_DELAY_MS);
    await f.drain();
    assert.equal(odoo.faults.pending(), 0, "the fault fired");
    const partly = await odooPurchase(po);
    assert.deepEqual(
      partly.lines.map((l) => l.qty_received),
      [5, 0],
      "validated once, not the backorder too",
    );
    assert.deepEqual(partly.pickings, ["assigned", "done"]);
    odoo.faults.inject({ model: "purchase.order", method: "action_create_invoice", kind: "reset-after" });
    await receive(f, po, "IN-X2", [
      ["1", "5"],
      ["2", "4"],
    ]);
    await f.drain();
    f.clock.advance(RETRY_DELAY_MS);
    await f.drain();
    assert.equal(odoo.faults.pending(), 0, "the fault fired");
    const done = await f.store.workflows.get(run.id);
    assert.equal(done?.status, "completed", JSON.stringify(done?.error));
    assert.equal((done?.output as unknown as ProcureToPayOutput | undefined)?.outcome, "billed");
    const final = await odooPurchase(po);
    assert.deepEqual(
      final.bills.map((b) => [b.state, b.amount_total]),
      [["posted", 943]],
      "one bill: (10 x 50 + 4 x 80) + 15%",
    );
  });

  test("a supplier that rejects the order has it cancelled in Odoo", async (t) => {
    const { f } = await open(t);
    const po = purchase("PO-REJ");
    const run = await start(f, po);
    await acknowledge(
      f,
      po,
      {
        status: "rejected",
        lines: po.lines.map((l) => ({
          lineId: l.lineId,
          status: "rejected" as const,
          reason: "discontinued",
        })),
      },
      true,
    );
    await f.drain();
    const done = await f.store.workflows.get(run.id);
    assert.equal(
      (done?.output as unknown as ProcureToPayOutput | undefined)?.outcome,
      "rejected",
      JSON.stringify(done?.error),
    );
    const odooSide = await odooPurchase(po);
    assert.equal(odooSide.order?.state, "cancel");
    assert.deepEqual(odooSide.pickings, ["cancel"]);
  });

  test("no acknowledgement by the deadline: a person has it resent; a short delivery makes the bill wait for a person", async (t) => {
    const { f, sent } = await open(t);
    const po = purchase("PO-LATE");
    const run = await start(f, po);
    await f.drain();
    f.clock.advance(ACK_MS + 1);
    await f.drain();
    const [overdue] = await f.store.workflows.listApprovals({ runId: run.id });
    assert.equal(overdue?.stepId, "ack-overdue-1");
    await f.store.workflows.decideApproval(overdue?.id as string, {
      approved: true,
      by: "buyer",
      comment: "resend",
    });
    await f.drain();
    assert.deepEqual(
      sent.map((s) => [s.idempotencyKey, s.resend]),
      [
        ["procure-to-pay:wood:PO-LATE:send-to-supplier", 0],
        ["procure-to-pay:wood:PO-LATE:resend-1", 1],
      ],
    );
    await acknowledge(f, po, {});
    await f.drain();
    // The supplier ships 8 of 10 and 4 of 4 and says that is all.
    await receive(
      f,
      po,
      "IN-L1",
      [
        ["1", "8"],
        ["2", "4"],
      ],
      true,
    );
    await f.drain();
    const [review] = await f.store.workflows.listApprovals({ runId: run.id, status: "pending" });
    assert.equal(review?.stepId, "bill-review");
    assert.match(review?.title ?? "", /received 8 of 10 ordered/);
    const waiting = await odooPurchase(po);
    assert.deepEqual(waiting.pickings, ["done"], "no backorder for what will not come");
    assert.deepEqual(
      waiting.bills.map((b) => b.state),
      ["draft"],
      "bill made for what came, not posted",
    );
    await f.store.workflows.decideApproval(review?.id as string, { approved: true, by: "ap-clerk" });
    await f.drain();
    const output = (await f.store.workflows.get(run.id))?.output as unknown as ProcureToPayOutput;
    assert.equal(output.outcome, "billed");
    const billed = await odooPurchase(po);
    assert.deepEqual(
      billed.bills.map((b) => [b.state, b.amount_total]),
      [["posted", 828]],
      "(8 x 50 + 4 x 80) + 15%",
    );
  });

  test("purchase.requested starts one run per purchase of a configured supplier", async (t) => {
    const { f } = await open(t);
    const { createPurchaseIntake } = await import("../../src/flows/procure-to-pay/purchase-intake.ts");
    const { createSilentLogger } = await import("../../src/observability/logger.ts");
    const intake = createPurchaseIntake({
      store: f.store,
      logger: createSilentLogger(),
      suppliers: { wood: { ackTimeoutHours: 48 } },
    });
    const a = purchase("PO-IN-1");
    const other = {
      ...purchase("PO-IN-2"),
      supplier: { kind: "company", code: "steel", name: "Steel Frames Co" },
    };
    await f.store.events.append([
      {
        stream: "purchase:wood:PO-IN-1",
        type: PURCHASE_REQUESTED,
        data: { purchase: a } as unknown as JsonValue,
      },
      {
        stream: "purchase:wood:PO-IN-1",
        type: PURCHASE_REQUESTED,
        data: { purchase: a } as unknown as JsonValue,
      },
      {
        stream: "purchase:steel:PO-IN-2",
        type: PURCHASE_REQUESTED,
        data: { purchase: other } as unknown as JsonValue,
      },
    ]);
    assert.equal(await intake.catchUp(), 3);
    const runs = await f.store.workflows.list({ type: PROCURE_TO_PAY });
    assert.deepEqual(
      runs.map((r) => r.key),
      ["wood:PO-IN-1"],
    );
    assert.equal((runs[0]?.input as { ackTimeoutMs: number } | undefined)?.ackTimeoutMs, 48 * 3_600_000);
  });
});
