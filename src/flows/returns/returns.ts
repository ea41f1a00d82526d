/**
 * The returns workflow, one durable run per customer return (run key `<channel>:<rmaNumber>`):
 *
 * find the original order in Odoo (by the origin order-to-cash gave it) and its done deliveries ->
 * authorise (automatic, or a person when the return is worth more than the channel's limit or is asked
 * for past its return window) -> create the return picking(s) in Odoo -> wait for the warehouse to
 * report the goods (`return.received` on `return:<key>`) within the SLA -> validate the return
 * picking(s) with what was counted (the rest is cancelled, never back-ordered) -> credit note for what
 * came back (Odoo's credit note of returned goods on the sale order) -> for a prepaid channel, pay the
 * credit note out in Odoo -> `return.refunded` on the return's stream, for the channel connector to
 * refund the customer.
 *
 * What ends it otherwise: a person rejects the authorisation (`rejected`, `return.rejected` emitted,
 * nothing in Odoo); the goods do not come within the SLA: a person decides to wait another SLA or to
 * close the return (`not-received`: the return pickings are cancelled, `return.closed` emitted). A
 * step that fails for good compensates: open return pickings are cancelled; the error stays on the run.
 *
 * Step and wait ids are stored: never rename them.
 */
import { CrossdockError, isCrossdockError } from "../../core/errors.ts";
import type { CustomerReturn } from "../../core/model/customer-return.ts";
import { compareDecimals, sumDecimals } from "../../core/model/decimal.ts";
import type { Receipt } from "../../core/model/receipt.ts";
import type { JsonValue, StoredEvent } from "../../store/store.ts";
import { defineWorkflow, StepResult, type WorkflowContext } from "../workflow.ts";
import { planReturn, type ReturnPolicy, spreadReceived } from "./return-plan.ts";
import type { ReturnsPorts } from "./returns-ports.ts";

export const RETURNS = "returns";
/** Starts a run: `{ return: CustomerReturn }` (the channel connector or the REST API appends it). */
export const RETURN_REQUESTED = "return.requested";
/** The warehouse counted the goods: `{ receipt: Receipt }` on `return:<key>`. */
export const RETURN_RECEIVED = "return.received";
/** Emitted when the return picking exists in Odoo (the channel may send a label). */
export const RETURN_AUTHORIZED = "return.authorized";
export const RETURN_REJECTED = "return.rejected";
/** Emitted after the credit note (and, prepaid, the payment out): the channel refunds the customer. */
export const RETURN_REFUNDED = "return.refunded";
/** Emitted when the return ends without a refund (goods never came, nothing to credit). */
export const RETURN_CLOSED = "return.closed";

export const STEP = Object.freeze({
  resolve: "resolve-order",
  authorise: "authorise",
  emitRejected: "emit-rejected",
  createPickings: "create-return-pickings",
  emitAuthorized: "emit-authorized",
  received: (n: number) => `return-received-${n}`,
  overdue: (n: number) => `receipt-overdue-${n}`,
  close: "close-not-received",
  emitClosed: "emit-closed",
  validate: "validate-return",
  creditNote: "credit-note",
  refund: "register-refund",
  emitRefunded: "emit-refunded",
});

/** SLA periods a person may extend before the run gives up on the goods. */
const MAX_RECEIPT_WAITS = 10;

export interface ReturnsInput {
  return: CustomerReturn;
  /** The channel took the money at checkout: pay the credit note out in Odoo. */
  prepaid: boolean;
  policy?: ReturnPolicy;
}

export interface ReturnsOutput {
  /**
   * `refunded`: credit note posted (and paid out when prepaid); `rejected`: a person refused it;
   * `not-received`: closed by a person after the goods did not come; `closed`: goods counted but nothing
   * to credit (all quantities zero, or nothing of it had been invoiced).
   */
  outcome: "refunded" | "rejected" | "not-received" | "closed";
  saleOrder: string;
  returnPickings: string[];
  creditNoteIds: number[];
  paymentIds: number[];
  /** Credited amount with tax, `"0.00"` when nothing was. */
  amount: string;
}

export function returnsKey(ret: Pick<CustomerReturn, "order" | "rmaNumber">): string {
  return `${ret.order?.channel ?? "unknown"}:${ret.rmaNumber}`;
}

export function returnStream(key: string): string {
  return `return:${key}`;
}

/** `{ receipt }`, or the receipt itself as EDI connectors append it (`data` = the canonical record). */
export function receiptOf(data: unknown): Receipt | undefined {
  const wrapped = (data as { receipt?: Receipt } | null)?.receipt;
  if (wrapped) return wrapped;
  const bare = data as Receipt | null;
  return bare && typeof bare.receiptId === "string" && Array.isArray(bare.lines) ? bare : undefined;
}

function isWaitTimeout(error: unknown): boolean {
  return isCrossdockError(error) && error.code === "CDK_WORKFLOW_WAIT_TIMEOUT";
}

export function createReturns(ports: ReturnsPorts) {
  return defineWorkflow<ReturnsInput, ReturnsOutput>({
    type: RETURNS,
    async run(ctx, input) {
      const ret = input.return;
      const key = returnsKey(ret);
      const stream = returnStream(key);
      const emit = (id: string, type: string, data: Record<string, JsonValue>) =>
        ctx.step(id, async (step) => {
          await ports.events.emit(
            { stream, type, data: { rmaNumber: ret.rmaNumber, key, ...data } },
            step.idempotencyKey,
          );
          return { output: true };
        });
      const approvalTimeout =
        ports.approvalTimeoutMs === undefined ? {} : { timeoutMs: ports.approvalTimeoutMs };

      const plan = await ctx.step(STEP.resolve, async () => {
        const ref = ret.order;
        if (!ref) {
          throw new CrossdockError("CDK_ODOO_REJECTED", `return ${key} names no order`, { details: { key } });
        }
        const origin = `${ref.channel}:${ref.channelOrderId}`;
        const order = await ports.odoo.findOrder(origin);
        if (!order) {
          throw new CrossdockError(
            "CDK_ODOO_REJECTED",
            `return ${key}: Odoo has no sale order from ${origin}`,
            {
              details: { key, origin },
            },
          );
        }
        const outcome = planReturn(ret, order, input.policy ?? {});
        if (!outcome.ok) {
          throw new CrossdockError(
            "CDK_ODOO_REJECTED",
            `return ${key} cannot be taken: ${outcome.problems.join("; ")}`,
            {
              details: { key, problems: outcome.problems },
            },
          );
        }
        return { output: { orderId: order.orderId, saleOrder: order.name, ...outcome.plan } };
      });
      const done = (outcome: ReturnsOutput["outcome"], rest: Partial<ReturnsOutput> = {}): ReturnsOutput => ({
        outcome,
        saleOrder: plan.saleOrder,
        returnPickings: [],
        creditNoteIds: [],
        paymentIds: [],
        amount: "0.00",
        ...rest,
      });

      if (plan.approvalReasons.length > 0) {
        const decision = await ctx.waitForApproval(STEP.authorise, {
          title: `Return ${key} of ${plan.saleOrder}: ${plan.approvalReasons.join("; ")}`,
          details: {
            key,
            saleOrder: plan.saleOrder,
            value: plan.value,
            currency: ret.currency ?? null,
            daysSinceDelivery: plan.daysSinceDelivery,
            reasons: plan.approvalReasons,
            lines: ret.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, reason: l.reason })),
            approve: "authorise the return: a return picking is created in Odoo",
            reject: "refuse it: nothing is created in Odoo, return.rejected is emitted",
          },
          ...approvalTimeout,
        });
        if (!decision.approved) {
          await emit(STEP.emitRejected, RETURN_REJECTED, {
            saleOrder: plan.saleOrder,
            by: decision.by,
            comment: decision.comment ?? null,
          });
          return done("rejected");
        }
      }

      const pickings = await ctx.step(
        STEP.createPickings,
        async () => {
          const created: { returnPickingId: number; name: string; deliveryId: number }[] = [];
          for (const allocation of plan.allocations) {
            const picking = await ports.odoo.createReturnPicking({
              pickingId: allocation.pickingId,
              lines: allocation.lines.map((l) => ({ productId: l.productId, quantity: l.quantity })),
              reference: key,
            });
            created.push({
              returnPickingId: picking.returnPickingId,
              name: picking.name,
              deliveryId: allocation.pickingId,
            });
          }
          return new StepResult(
            created,
            created.map((p) => p.returnPickingId),
          );
        },
        { compensate: async (ids) => ports.odoo.cancelPickings(ids) },
      );
      const returnPickings = pickings.map((p) => p.name);
      await emit(STEP.emitAuthorized, RETURN_AUTHORIZED, { saleOrder: plan.saleOrder, returnPickings });

      const event = await waitForGoods(ctx, ports, key, stream, returnPickings, approvalTimeout);
      if (!event) {
        await ctx.step(STEP.close, async () => {
          await ports.odoo.cancelPickings(pickings.map((p) => p.returnPickingId));
          return { output: true };
        });
        await emit(STEP.emitClosed, RETURN_CLOSED, {
          saleOrder: plan.saleOrder,
          reason: "goods not received",
        });
        return done("not-received", { returnPickings });
      }
      const receipt = receiptOf(event.data);
      if (!receipt) {
        // Loud, not a silent "nothing came back": the run fails for a person with the event's id.
        throw new CrossdockError("CDK_EVENT_INVALID", `${RETURN_RECEIVED} for ${key} carries no receipt`, {
          details: { key, eventId: event.id },
        });
      }

      const validated = await ctx.step(STEP.validate, async () => {
        const counted = receipt.lines.map((l) => ({ sku: l.sku, quantity: l.quantity }));
        const { perPicking, excess } = spreadReceived(plan.allocations, counted);
        const results: { pickingId: number; state: string }[] = [];
        const received: { sku: string; quantity: string }[] = [];
        for (const [index, allocation] of perPicking.entries()) {
          const pickingId = (pickings[index] as { returnPickingId: number }).returnPickingId;
          const lines = allocation.lines.filter((l) => compareDecimals(l.quantity, "0") > 0);
          if (lines.length === 0) {
            await ports.odoo.cancelPickings([pickingId]);
            results.push({ pickingId, state: "cancel" });
            continue;
          }
          const result = await ports.odoo.validateReturn({
            pickingId,
            lines: lines.map((l) => ({ productId: l.productId, quantity: l.quantity })),
          });
          results.push({ pickingId, state: result.state });
          for (const l of lines) received.push({ sku: l.sku, quantity: l.quantity });
        }
        return { output: { pickings: results, received, excess } };
      });
      const receivedTotal = sumDecimals(validated.received.map((l) => l.quantity));
      if (compareDecimals(receivedTotal, "0") <= 0) {
        await emit(STEP.emitClosed, RETURN_CLOSED, { saleOrder: plan.saleOrder, reason: "nothing received" });
        return done("closed", { returnPickings });
      }

      const credit = await ctx.step(STEP.creditNote, async () => {
        const result = await ports.odoo.creditNote({ orderId: plan.orderId, reference: key });
        return {
          output: {
            creditNoteIds: result.creditNoteIds,
            creditNotes: result.creditNotes.map((c) => ({ id: c.id, name: c.name, amount: c.amountTotal })),
            amount: sumDecimals(result.creditNotes.map((c) => c.amountTotal)),
          },
        };
      });
      if (credit.creditNoteIds.length === 0) {
        await emit(STEP.emitClosed, RETURN_CLOSED, {
          saleOrder: plan.saleOrder,
          reason: "nothing of the returned goods was invoiced",
        });
        return done("closed", { returnPickings });
      }
      let paymentIds: number[] = [];
      if (input.prepaid) {
        paymentIds = await ctx.step(STEP.refund, async (step) => {
          const paid = await ports.odoo.refund({
            creditNoteIds: credit.creditNoteIds,
            memo: step.idempotencyKey,
          });
          return { output: paid.paymentIds };
        });
      }
      const requested = new Map<string, string>();
      for (const line of ret.lines)
        requested.set(line.sku, sumDecimals([requested.get(line.sku) ?? "0", line.quantity]));
      await emit(STEP.emitRefunded, RETURN_REFUNDED, {
        order: ret.order ? { channel: ret.order.channel, channelOrderId: ret.order.channelOrderId } : null,
        saleOrder: plan.saleOrder,
        amount: credit.amount,
        currency: ret.currency ?? null,
        creditNotes: credit.creditNotes,
        paymentIds,
        refundedInOdoo: input.prepaid,
        lines: [...requested].map(([sku, quantity]) => ({
          sku,
          requested: quantity,
          received: sumDecimals(validated.received.filter((l) => l.sku === sku).map((l) => l.quantity)),
          condition: receipt.lines.find((l) => l.sku === sku)?.condition ?? null,
        })),
        excess: validated.excess,
      });
      return done("refunded", {
        returnPickings,
        creditNoteIds: credit.creditNoteIds,
        paymentIds,
        amount: credit.amount,
      });
    },
  });
}

/**
 * The goods' `return.received`; past the SLA a person decides: approve to wait another SLA, reject to
 * close the return (undefined). The stream is the return's own, so a report that came early counts.
 */
async function waitForGoods(
  ctx: WorkflowContext,
  ports: ReturnsPorts,
  key: string,
  stream: string,
  returnPickings: string[],
  approvalTimeout: { timeoutMs?: number },
): Promise<StoredEvent | undefined> {
  for (let n = 1; n <= MAX_RECEIPT_WAITS; n++) {
    try {
      return await ctx.waitForEvent(STEP.received(n), {
        type: RETURN_RECEIVED,
        stream,
        timeoutMs: ports.receiptTimeoutMs,
        since: "stream-start",
      });
    } catch (error) {
      if (!isWaitTimeout(error)) throw error;
    }
    const decision = await ctx.waitForApproval(STEP.overdue(n), {
      title: `Return ${key}: the goods were not received within the SLA (${returnPickings.join(", ")})`,
      details: {
        key,
        returnPickings,
        periods: n,
        approve: "wait for the goods for another SLA period",
        reject: "close the return without a refund: the return pickings are cancelled in Odoo",
      },
      ...approvalTimeout,
    });
    if (!decision.approved) return undefined;
  }
  throw new CrossdockError(
    "CDK_WORKFLOW_WAIT_TIMEOUT",
    `return ${key}: goods not received after ${MAX_RECEIPT_WAITS} SLA periods`,
    {
      details: { key },
    },
  );
}
