/**
 * The procure-to-pay workflow, one durable run per purchase (run key `<supplier>:<poNumber>`):
 *
 * find the supplier and products in Odoo -> RFQ (draft `purchase.order`, once per key) -> confirm it
 * (Odoo's second approval, when the company asks for one, goes to a person here) -> send it to the
 * supplier -> wait for the acknowledgement (`supplier.acknowledged` on `purchase:<key>`) within the
 * deadline and write its changes to the Odoo lines (quantities, prices, dates; rejected lines to zero)
 * -> wait for each receipt (`goods.received`, partial ones leave a backorder) and validate it in Odoo ->
 * vendor bill for what was received -> match it (3-way by default: billed = received = ordered, at the
 * ordered price) -> post it.
 *
 * What parks for a person: no acknowledgement by the deadline (approve: send it again and wait again;
 * reject: cancel the order); goods late past the SLA (approve: wait more; reject: nothing more comes,
 * the open receipt is cancelled and what came is billed); a bill that does not match (approve: post it
 * as it is; reject: leave the draft bill to them). A supplier that rejects the whole order (or every
 * line) has the Odoo order cancelled; a step that fails for good compensates the same way (cancel the
 * order; Odoo refuses once goods are received, and then the run waits for a person as a failed run).
 *
 * Step and wait ids are stored: never rename them.
 */
import { CrossdockError, isCrossdockError } from "../../core/errors.ts";
import type { PurchaseOrder } from "../../core/model/purchase-order.ts";
import type { SupplierAcknowledgement } from "../../core/model/supplier-acknowledgement.ts";
import type { StoredEvent } from "../../store/store.ts";
import { receiptOf } from "../returns/returns.ts";
import { defineWorkflow, StepResult, type WorkflowContext } from "../workflow.ts";
import type { ProcureToPayPorts } from "./procure-to-pay-ports.ts";
import { type LinkedLine, matchBill, planAcknowledgement } from "./purchase-match.ts";

export const PROCURE_TO_PAY = "procure-to-pay";
/** Starts a run: `{ purchase: PurchaseOrder }` (a replenishment proposal, the REST API). */
export const PURCHASE_REQUESTED = "purchase.requested";
/** The supplier's answer: `{ acknowledgement: SupplierAcknowledgement }` on `purchase:<key>`. */
export const SUPPLIER_ACKNOWLEDGED = "supplier.acknowledged";
/** Goods counted in: `{ receipt: Receipt, complete?: boolean }` on `purchase:<key>`. */
export const GOODS_RECEIVED = "goods.received";

export const STEP = Object.freeze({
  plan: "plan",
  createRfq: "create-rfq",
  confirm: "confirm-purchase",
  odooApproval: "purchase-approval",
  approveInOdoo: "approve-in-odoo",
  send: "send-to-supplier",
  acknowledgement: (n: number) => `acknowledgement-${n}`,
  ackOverdue: (n: number) => `ack-overdue-${n}`,
  resend: (n: number) => `resend-${n}`,
  applyAcknowledgement: "apply-acknowledgement",
  cancel: "cancel-purchase",
  receiptWait: (n: number) => `receipt-wait-${n}`,
  receiptOverdue: (n: number) => `receipt-overdue-${n}`,
  receive: (n: number) => `receive-${n}`,
  cancelOpenReceipts: "cancel-open-receipts",
  bill: "create-bill",
  billReview: "bill-review",
  postBill: "post-bill",
});

const MAX_ACK_WAITS = 5;
const MAX_RECEIPT_WAITS = 50;

export interface ProcureToPayInput {
  purchase: PurchaseOrder;
  /** The supplier's code in the configuration (the run key's first part). */
  supplier: string;
  /** The supplier's `res.partner` id, when configured. */
  partnerId?: number;
  ackTimeoutMs?: number;
  /** Default `three-way`. */
  match?: "two-way" | "three-way";
}

export interface ProcureToPayOutput {
  /**
   * `billed`: received and the bill posted; `bill-held`: the bill did not match and a person kept it in
   * draft; `rejected`: the supplier rejected the order, cancelled in Odoo; `cancelled`: a person
   * cancelled it (no acknowledgement, or Odoo's approval refused); `not-delivered`: nothing came and a
   * person stopped waiting, cancelled in Odoo.
   */
  outcome: "billed" | "bill-held" | "rejected" | "cancelled" | "not-delivered";
  purchase: string;
  purchaseId: number;
  receipts: number;
  billIds: number[];
}

export function procureToPayKey(supplier: string, purchase: Pick<PurchaseOrder, "poNumber">): string {
  return `${supplier}:${purchase.poNumber}`;
}

export function purchaseStream(key: string): string {
  return `purchase:${key}`;
}

/** `{ acknowledgement }`, or the acknowledgement itself as EDI connectors append it. */
function acknowledgementOf(data: unknown): SupplierAcknowledgement | undefined {
  const wrapped = (data as { acknowledgement?: SupplierAcknowledgement } | null)?.acknowledgement;
  if (wrapped) return wrapped;
  const bare = data as SupplierAcknowledgement | null;
  return bare && typeof bare.poNumber === "string" && Array.isArray(bare.lines) ? bare : undefined;
}

function isWaitTimeout(error: unknown): boolean {
  return isCrossdockError(error) && error.code === "CDK_WORKFLOW_WAIT_TIMEOUT";
}

export function createProcureToPay(ports: ProcureToPayPorts) {
  return defineWorkflow<ProcureToPayInput, ProcureToPayOutput>({
    type: PROCURE_TO_PAY,
    async run(ctx, input) {
      const { purchase } = input;
      const key = procureToPayKey(input.supplier, purchase);
      const stream = purchaseStream(key);
      const approvalTimeout =
        ports.approvalTimeoutMs === undefined ? {} : { timeoutMs: ports.approvalTimeoutMs };

      const plan = await ctx.step(STEP.plan, async () => {
        const outcome = await ports.odoo.plan(purchase, {
          code: input.supplier,
          ...(input.partnerId === undefined ? {} : { partnerId: input.partnerId }),
        });
        if (!outcome.ok) {
          throw new CrossdockError(
            "CDK_ORDER_NOT_PLACEABLE",
            `purchase ${key} cannot be placed in Odoo: ${outcome.problems.join("; ")}`,
            { details: { key, problems: outcome.problems } },
          );
        }
        return { output: { supplierId: outcome.supplierId, productBySku: outcome.productBySku } };
      });
      const rfq = await ctx.step(
        STEP.createRfq,
        async () => {
          const placed = await ports.odoo.createRfq({
            key,
            supplierId: plan.supplierId,
            origin: key,
            lines: purchase.lines.map((line) => ({
              productId: plan.productBySku[line.sku] as number,
              quantity: line.quantity,
              priceUnit: line.unitPrice,
            })),
          });
          const state = await ports.odoo.read(placed.purchaseId);
          // `load` keeps the lines' order: the n-th Odoo line is the n-th canonical one.
          const lines: LinkedLine[] = purchase.lines.map((line, index) => ({
            lineId: line.lineId,
            sku: line.sku,
            odooLineId: state.lines[index]?.lineId ?? 0,
            productId: plan.productBySku[line.sku] as number,
          }));
          return new StepResult(
            { purchaseId: placed.purchaseId, name: placed.name, lines },
            { purchaseId: placed.purchaseId },
          );
        },
        { compensate: async ({ purchaseId }) => ports.odoo.cancel(purchaseId) },
      );
      const result = (outcome: ProcureToPayOutput["outcome"], rest: Partial<ProcureToPayOutput> = {}) => ({
        outcome,
        purchase: rfq.name,
        purchaseId: rfq.purchaseId,
        receipts: 0,
        billIds: [],
        ...rest,
      });
      const cancel = () =>
        ctx.step(STEP.cancel, async () => {
          await ports.odoo.cancel(rfq.purchaseId);
          return { output: true };
        });

      const state = await ctx.step(STEP.confirm, async () => ({
        output: await ports.odoo.confirm(rfq.purchaseId),
      }));
      if (state === "to approve") {
        const decision = await ctx.waitForApproval(STEP.odooApproval, {
          title: `Purchase ${key} (${rfq.name}) needs Odoo's second approval (over the company's amount)`,
          details: {
            key,
            purchase: rfq.name,
            total: purchase.totals.grandTotal,
            currency: purchase.currency,
            approve: "approve the order in Odoo and send it to the supplier",
            reject: "cancel the order in Odoo",
          },
          ...approvalTimeout,
        });
        if (!decision.approved) {
          await cancel();
          return result("cancelled");
        }
        await ctx.step(STEP.approveInOdoo, async () => ({
          output: await ports.odoo.approve(rfq.purchaseId),
        }));
      }
      const send = (id: string, resend: number) =>
        ctx.step(id, async (step) => ({
          output: await ports.supplier.send(
            { key, purchase, odooName: rfq.name, resend },
            step.idempotencyKey,
          ),
        }));
      await send(STEP.send, 0);

      let ack: SupplierAcknowledgement | undefined;
      for (let n = 1; n <= MAX_ACK_WAITS && !ack; n++) {
        try {
          const event = await ctx.waitForEvent(STEP.acknowledgement(n), {
            type: SUPPLIER_ACKNOWLEDGED,
            stream,
            timeoutMs: input.ackTimeoutMs ?? ports.ackTimeoutMs,
            // The purchase's stream is its own: a fast supplier's answer counts even if it came first.
            since: "stream-start",
          });
          ack = acknowledgementOf(event.data);
          if (!ack) {
            throw new CrossdockError(
              "CDK_EVENT_INVALID",
              `${SUPPLIER_ACKNOWLEDGED} for ${key} carries no acknowledgement`,
            );
          }
          break;
        } catch (error) {
          if (!isWaitTimeout(error)) throw error;
        }
        const decision = await ctx.waitForApproval(STEP.ackOverdue(n), {
          title: `Purchase ${key} (${rfq.name}): the supplier did not acknowledge it in time`,
          details: {
            key,
            purchase: rfq.name,
            reminders: n - 1,
            approve: "send the order to the supplier again and wait again",
            reject: "cancel the order in Odoo",
          },
          ...approvalTimeout,
        });
        if (!decision.approved) {
          await cancel();
          return result("cancelled");
        }
        await send(STEP.resend(n), n);
      }
      if (!ack) {
        throw new CrossdockError(
          "CDK_WORKFLOW_WAIT_TIMEOUT",
          `purchase ${key}: no acknowledgement after ${MAX_ACK_WAITS} sends`,
        );
      }
      const acknowledgement = ack;
      const applied = await ctx.step(STEP.applyAcknowledgement, async () => {
        const before = await ports.odoo.read(rfq.purchaseId);
        const change = planAcknowledgement(
          acknowledgement,
          rfq.lines,
          new Map(before.lines.map((l) => [l.lineId, l.ordered])),
        );
        if (!change.nothingLeft) await ports.odoo.changeLines(rfq.purchaseId, change.changes);
        return { output: change };
      });
      if (applied.nothingLeft) {
        await cancel();
        return result("rejected");
      }

      const receiving = await receiveGoods(ctx, ports, key, stream, rfq, approvalTimeout);
      if (receiving.validated === 0) {
        await cancel();
        return result("not-delivered");
      }

      const billed = await ctx.step(STEP.bill, async () => {
        const bills = await ports.odoo.bill(rfq.purchaseId);
        const order = await ports.odoo.read(rfq.purchaseId);
        const mismatches = matchBill(input.match ?? "three-way", rfq.lines, order, bills);
        return {
          output: {
            billIds: bills.map((b) => b.id),
            drafts: bills.filter((b) => b.state === "draft").map((b) => b.id),
            mismatches: [
              ...mismatches,
              ...receiving.unmatched.map((u) => ({
                lineId: "",
                sku: u.sku,
                ordered: 0,
                received: Number(u.quantity),
                billed: 0,
                problem: `received ${u.quantity} of ${u.sku}, not on the order (not booked in Odoo)`,
              })),
            ],
          },
        };
      });
      if (billed.mismatches.length > 0) {
        const decision = await ctx.waitForApproval(STEP.billReview, {
          title: `Purchase ${key} (${rfq.name}): the vendor bill does not match (${billed.mismatches
            .map((m) => `${m.sku}: ${m.problem}`)
            .join("; ")})`,
          details: {
            key,
            purchase: rfq.name,
            billIds: billed.billIds,
            mismatches: billed.mismatches.map((m) => ({ ...m })),
            approve: "post the bill as it is",
            reject: "leave the bill in draft for you to correct in Odoo",
          },
          ...approvalTimeout,
        });
        if (!decision.approved) {
          return result("bill-held", { receipts: receiving.validated, billIds: billed.billIds });
        }
      }
      await ctx.step(STEP.postBill, async () => ({
        output: await ports.odoo.postBills({
          billIds: billed.drafts,
          billDate: receiving.lastDate ?? purchase.orderedAt.slice(0, 10),
        }),
      }));
      return result("billed", { receipts: receiving.validated, billIds: billed.billIds });
    },
  });
}

/**
 * Takes `goods.received` events one by one (each after the previous, so partial receipts are neither
 * missed nor repeated; the same receipt id twice counts once) until everything ordered is received or a
 * receipt says it is the last. Past the SLA a person decides to wait more or to stop (the open receipt
 * is cancelled).
 */
async function receiveGoods(
  ctx: WorkflowContext,
  ports: ProcureToPayPorts,
  key: string,
  stream: string,
  rfq: { purchaseId: number; name: string; lines: LinkedLine[] },
  approvalTimeout: { timeoutMs?: number },
): Promise<{
  validated: number;
  unmatched: { sku: string; quantity: string }[];
  lastDate: string | undefined;
}> {
  let previous: StoredEvent | undefined;
  let validated = 0;
  let receipts = 0;
  let lastDate: string | undefined;
  const seen = new Set<string>();
  const unmatched: { sku: string; quantity: string }[] = [];
  for (let w = 1; w <= MAX_RECEIPT_WAITS; w++) {
    let event: StoredEvent;
    try {
      event = await ctx.waitForEvent(STEP.receiptWait(w), {
        type: GOODS_RECEIVED,
        stream,
        timeoutMs: ports.receiptTimeoutMs,
        since: previous ? { after: previous } : "stream-start",
      });
    } catch (error) {
      if (!isWaitTimeout(error)) throw error;
      const decision = await ctx.waitForApproval(STEP.receiptOverdue(w), {
        title: `Purchase ${key} (${rfq.name}): goods not received within the SLA`,
        details: {
          key,
          purchase: rfq.name,
          receipts,
          approve: "wait for the goods for another SLA period",
          reject: "nothing more will come: cancel the open receipt and bill what came",
        },
        ...approvalTimeout,
      });
      if (decision.approved) continue;
      await ctx.step(STEP.cancelOpenReceipts, async () => ({
        output: await ports.odoo.cancelOpenReceipts(rfq.purchaseId),
      }));
      return { validated, unmatched, lastDate };
    }
    previous = event;
    const data = event.data as { complete?: boolean } | null;
    const receipt = receiptOf(event.data);
    if (!receipt || seen.has(receipt.receiptId)) continue;
    seen.add(receipt.receiptId);
    receipts++;
    lastDate = receipt.receivedAt.slice(0, 10);
    const complete = data?.complete === true;
    const n = validated + 1;
    const step = await ctx.step(STEP.receive(receipts), async () => {
      const perProduct = new Map<number, number>();
      const notOnOrder: { sku: string; quantity: string }[] = [];
      for (const line of receipt.lines) {
        const linked =
          rfq.lines.find((l) => line.lineId !== undefined && l.lineId === line.lineId) ??
          rfq.lines.find((l) => l.sku === line.sku);
        if (!linked) notOnOrder.push({ sku: line.sku, quantity: line.quantity });
        else
          perProduct.set(linked.productId, (perProduct.get(linked.productId) ?? 0) + Number(line.quantity));
      }
      if (perProduct.size > 0) {
        await ports.odoo.receive({
          purchaseId: rfq.purchaseId,
          n,
          lines: [...perProduct].map(([productId, quantity]) => ({ productId, quantity: String(quantity) })),
          backorder: !complete,
        });
      }
      const order = await ports.odoo.read(rfq.purchaseId);
      return {
        output: {
          validated: perProduct.size > 0,
          notOnOrder,
          allReceived: order.lines.every((l) => l.received >= l.ordered),
        },
      };
    });
    if (step.validated) validated++;
    unmatched.push(...step.notOnOrder);
    if (complete || step.allReceived) {
      if (complete && !step.validated) {
        await ctx.step(STEP.cancelOpenReceipts, async () => ({
          output: await ports.odoo.cancelOpenReceipts(rfq.purchaseId),
        }));
      }
      return { validated, unmatched, lastDate };
    }
  }
  throw new CrossdockError(
    "CDK_WORKFLOW_WAIT_TIMEOUT",
    `purchase ${key}: still receiving after ${MAX_RECEIPT_WAITS} waits`,
  );
}
