/**
 * The order-to-cash workflow, one durable run per channel order (run key `<channel>:<channelOrderId>`):
 *
 * plan in Odoo terms -> upsert the customer -> create and confirm the sale order (batched with other
 * runs) -> release it to the fulfilling warehouse -> wait for each shipment (partial ones included) ->
 * validate the delivery in Odoo with its tracking -> tell the channel -> invoice -> record the payment
 * of a prepaid order.
 *
 * Every effect is a step with a stable id, so a crash at any point resumes where it stopped and nothing
 * is done twice (each step's system also gets the step's idempotency key). A step that fails for good
 * compensates what came before in reverse: the Odoo order is cancelled, so no half-done order is left
 * silently; the failure stays as an exception record for a person. The shipment SLA is watched in two
 * parts: past `shipmentWarnMs` (80% of it by default) people are told (`order.sla-at-risk`); past the SLA
 * a person decides (`sla-breach-review-n`): keep waiting another SLA period, or cancel (at the warehouse
 * and in Odoo, by compensation). A late shipment alone is no reason to cancel.
 *
 * A channel that is sent documents (an EDI customer, `ChannelPort.sends`) gets an acknowledgement once
 * the order is placed (`acknowledge-order`: an 855 accepting it; a refusal over the credit limit rejects
 * it), its tracking per shipment (an 856) and, after invoicing, Odoo's invoices (`send-invoice`: 810s).
 *
 * With a credit check (per channel), the customer's debt in Odoo plus the order is held against its
 * credit limit before the order is placed; over it, a person approves or rejects (`credit-approval`).
 *
 * A cancellation from the channel (`order.cancelled` on the order's stream) is taken while the run waits
 * for a shipment, and also when it came earlier (even before the run started: webhooks come out of order). The warehouse
 * is asked to cancel first: if nothing shipped and it agrees, the Odoo order is cancelled and the run
 * ends `cancelled`. If part shipped and the warehouse cancelled the rest, the open deliveries in Odoo are
 * cancelled and what shipped is invoiced. If the warehouse could not stop it, the run waits for a person
 * (`cancellation-review`): approve to go on with delivery and invoicing (the goods come back as a
 * return), reject to leave the order as it is for them to handle.
 *
 * Step and wait ids are stored: never rename them.
 */
import { CrossdockError, isCrossdockError } from "../../core/errors.ts";
import { addDecimals, compareDecimals } from "../../core/model/decimal.ts";
import type { Order } from "../../core/model/order.ts";
import type { StoredEvent } from "../../store/store.ts";
import { defineWorkflow, StepResult } from "../workflow.ts";
import type { OrderToCashPorts, ShipmentNotice } from "./order-to-cash-ports.ts";

export const ORDER_TO_CASH = "order-to-cash";
/** Emitted by warehouse connectors on the order's stream when goods leave. */
export const SHIPMENT_DISPATCHED = "shipment.dispatched";
/** Emitted by channel connectors on the order's stream when the channel cancels the order. */
export const ORDER_CANCELLED = "order.cancelled";

export const STEP = Object.freeze({
  plan: "plan",
  upsertCustomer: "upsert-customer",
  createSaleOrder: "create-sale-order",
  release: "release-to-warehouse",
  shipment: (n: number) => `shipment-${n}`,
  slaAtRisk: (n: number) => `sla-at-risk-${n}`,
  shipmentLate: (n: number) => `shipment-late-${n}`,
  slaBreach: (n: number) => `sla-breach-review-${n}`,
  validateDelivery: (n: number) => `validate-delivery-${n}`,
  pushTracking: (n: number) => `push-tracking-${n}`,
  invoice: "invoice",
  payment: "register-payment",
  cancelAtWarehouse: "cancel-at-warehouse",
  cancelSaleOrder: "cancel-sale-order",
  cancelOpenDeliveries: "cancel-open-deliveries",
  cancellationReview: "cancellation-review",
  creditCheck: "credit-check",
  creditApproval: "credit-approval",
  acknowledge: "acknowledge-order",
  sendInvoice: "send-invoice",
});

/** Shipments of one order followed before the rest is left to a person. */
const MAX_SHIPMENTS = 20;

export interface OrderToCashInput {
  order: Order;
  /** The channel collected the money at checkout (a web store): record the payment after invoicing. */
  prepaid: boolean;
  /**
   * Check the customer's credit before the order is placed: what it owes in Odoo plus this order
   * against its credit limit in Odoo, or `defaultLimit` when Odoo has none. Over the limit, a person
   * approves or rejects the order (`credit-approval`) before anything is created in Odoo.
   */
  credit?: { defaultLimit?: string; approvalTimeoutMs?: number };
}

export interface OrderToCashOutput {
  saleOrder: string;
  /**
   * `fulfilled`: shipped and invoiced (paid when prepaid). `cancelled`: cancelled by the channel before
   * anything shipped, so cancelled at the warehouse and in Odoo. `partly-cancelled`: the channel
   * cancelled after part shipped and the warehouse cancelled the rest; what shipped is invoiced.
   * `left-to-person`: a cancellation that could not be carried out, which a person chose to handle.
   * `credit-refused`: over the customer's credit limit and rejected by a person; nothing in Odoo.
   */
  outcome: "fulfilled" | "cancelled" | "partly-cancelled" | "left-to-person" | "credit-refused";
  shipments: number;
  invoiceIds: number[];
  paymentIds: number[];
}

export function orderToCashKey(order: Pick<Order, "channel" | "channelOrderId">): string {
  return `${order.channel}:${order.channelOrderId}`;
}

export function createOrderToCash(ports: OrderToCashPorts) {
  return defineWorkflow<OrderToCashInput, OrderToCashOutput>({
    type: ORDER_TO_CASH,
    async run(ctx, input) {
      const { order } = input;
      const key = orderToCashKey(order);
      const plan = await ctx.step(STEP.plan, async () => {
        await ports.odoo.ready?.();
        const outcome = ports.odoo.plan(order);
        if (!outcome.ok) {
          throw new CrossdockError(
            "CDK_ORDER_NOT_PLACEABLE",
            `order ${key} cannot be placed in Odoo: ${outcome.problems.map((p) => `${p.path} ${p.message}`).join("; ")}`,
            { details: { key, problems: outcome.problems } },
          );
        }
        return { output: outcome.plan };
      });
      const partners = await ctx.step(STEP.upsertCustomer, async () => {
        const ids = await ports.odoo.upsertPartners([
          plan.customer,
          ...(plan.shipTo ? [plan.shipTo] : []),
          ...(plan.billTo ? [plan.billTo] : []),
        ]);
        return {
          output: {
            customer: ids[0] as number,
            shipTo: plan.shipTo ? (ids[1] as number) : undefined,
            billTo: plan.billTo ? (ids[plan.shipTo ? 2 : 1] as number) : undefined,
          },
        };
      });
      if (input.credit) {
        const credit = input.credit;
        const check = await ctx.step(STEP.creditCheck, async () => {
          const exposure = await ports.odoo.creditExposure(partners.customer);
          const limit = compareDecimals(exposure.limit, "0") > 0 ? exposure.limit : credit.defaultLimit;
          const after = addDecimals(exposure.credit, order.totals.grandTotal);
          const over = limit !== undefined && compareDecimals(after, limit) > 0;
          return {
            output: {
              owed: exposure.credit,
              order: order.totals.grandTotal,
              after,
              limit: limit ?? null,
              over,
            },
          };
        });
        if (check.over) {
          const decision = await ctx.waitForApproval(STEP.creditApproval, {
            title: `Order ${key} takes ${order.customer.name} over the credit limit: owes ${check.owed} + order ${check.order} = ${check.after} ${order.currency} > ${check.limit}`,
            details: { key, ...check, currency: order.currency },
            ...(credit.approvalTimeoutMs === undefined ? {} : { timeoutMs: credit.approvalTimeoutMs }),
          });
          if (!decision.approved) {
            if (ports.channel?.sends?.(order).acknowledgement) {
              await ctx.step(STEP.acknowledge, async (step) => {
                await ports.channel?.acknowledge?.(
                  { order, saleOrder: "", accepted: false, reason: "over the credit limit" },
                  step.idempotencyKey,
                );
                return { output: false };
              });
            }
            return { saleOrder: "", outcome: "credit-refused", shipments: 0, invoiceIds: [], paymentIds: [] };
          }
        }
      }
      const placed = await ctx.step(
        STEP.createSaleOrder,
        async () => {
          const so = await ports.odoo.placeOrder({
            key: plan.key,
            partnerId: partners.customer,
            ...(partners.shipTo === undefined ? {} : { shippingPartnerId: partners.shipTo }),
            ...(partners.billTo === undefined ? {} : { invoicePartnerId: partners.billTo }),
            clientOrderRef: plan.clientOrderRef,
            origin: plan.origin,
            lines: plan.lines,
          });
          return new StepResult(
            { orderId: so.orderId, name: so.name, pickingIds: so.pickingIds },
            { orderId: so.orderId },
          );
        },
        { compensate: async ({ orderId }) => void (await ports.odoo.cancelOrders([orderId])) },
      );
      if (ports.channel?.sends?.(order).acknowledgement) {
        await ctx.step(STEP.acknowledge, async (step) => {
          await ports.channel?.acknowledge?.(
            { order, saleOrder: placed.name, accepted: true },
            step.idempotencyKey,
          );
          return { output: true };
        });
      }
      const released = await ctx.step(
        STEP.release,
        async (step) => {
          const receipt = await ports.warehouse.release(
            { key, order, saleOrder: placed.name },
            step.idempotencyKey,
          );
          return new StepResult({ reference: receipt.reference }, { reference: receipt.reference });
        },
        {
          // Undone when the run fails later: whatever the warehouse has not shipped is cancelled there.
          compensate: async ({ reference }, c) =>
            void (await ports.warehouse.cancel(reference, c.idempotencyKey)),
        },
      );

      let shipments = 0;
      let outcome: OrderToCashOutput["outcome"] = "fulfilled";
      // A cancellation is looked for until one has been taken (then only shipments are awaited).
      let cancellable = true;
      // Each wait takes the next event after the previous one's, so partial shipments arrive one by
      // one and an early one (a fast warehouse, a quick cancellation) is not missed.
      let previous: StoredEvent | undefined;
      // The same shipment reported twice (a warehouse re-sending under a new message id) counts once.
      const seen = new Set<string>();
      for (let n = 1; n <= MAX_SHIPMENTS; n++) {
        const wait = {
          type: cancellable ? [SHIPMENT_DISPATCHED, ORDER_CANCELLED] : SHIPMENT_DISPATCHED,
          stream: `order:${key}`,
          // The order's stream is its own: a cancellation that came even before the order started its
          // run (webhooks arrive out of order) counts.
          since: previous ? { after: previous } : ("stream-start" as const),
        };
        // The SLA is watched in two parts: by `shipmentWarnMs` nothing came, so the order is at risk and
        // people are told (`order.sla-at-risk`); by `shipmentTimeoutMs` it is breached (the run fails
        // for a person).
        const warnMs = Math.min(
          ports.shipmentWarnMs ?? Math.round(ports.shipmentTimeoutMs * 0.8),
          ports.shipmentTimeoutMs,
        );
        let event: StoredEvent | undefined;
        try {
          event = await ctx.waitForEvent(STEP.shipment(n), { ...wait, timeoutMs: warnMs });
        } catch (error) {
          if (!isWaitTimeout(error)) throw error;
        }
        if (!event && warnMs < ports.shipmentTimeoutMs) {
          await ctx.step(STEP.slaAtRisk(n), async (step) => {
            ctx.logger.warn(
              { key, saleOrder: placed.name, shipment: n },
              "order at risk of missing its shipment SLA",
            );
            await ports.alerts?.slaAtRisk(
              {
                key,
                saleOrder: placed.name,
                shipment: n,
                breachAt: new Date(ctx.now() + ports.shipmentTimeoutMs - warnMs).toISOString(),
              },
              step.idempotencyKey,
            );
            return { output: true };
          });
          try {
            event = await ctx.waitForEvent(STEP.shipmentLate(n), {
              ...wait,
              timeoutMs: ports.shipmentTimeoutMs - warnMs,
            });
          } catch (error) {
            if (!isWaitTimeout(error)) throw error;
          }
        }
        if (!event) {
          // Breached: a late shipment is no reason to cancel by itself; a person decides.
          const decision = await ctx.waitForApproval(STEP.slaBreach(n), {
            title: `Order ${key} (${placed.name}): nothing shipped within the SLA`,
            details: {
              key,
              saleOrder: placed.name,
              shipped: seen.size,
              approve: "keep waiting for the warehouse, another SLA period",
              reject: "cancel at the warehouse and in Odoo",
            },
          });
          if (!decision.approved) {
            throw new CrossdockError(
              "CDK_WORKFLOW_WAIT_TIMEOUT",
              `order ${key}: nothing shipped within the SLA; ${decision.by || "a person"} chose to cancel it`,
              { details: { key, shipment: n, by: decision.by, comment: decision.comment ?? null } },
            );
          }
          continue;
        }
        previous = event;
        if (event.type === ORDER_CANCELLED) {
          cancellable = false;
          const stopped = await ctx.step(STEP.cancelAtWarehouse, async (step) => ({
            output: await ports.warehouse.cancel(released.reference, step.idempotencyKey),
          }));
          if (stopped.cancelled && seen.size === 0) {
            await ctx.step(STEP.cancelSaleOrder, async () => {
              await ports.odoo.cancelOrders([placed.orderId]);
              return { output: true };
            });
            return {
              saleOrder: placed.name,
              outcome: "cancelled",
              shipments: 0,
              invoiceIds: [],
              paymentIds: [],
            };
          }
          if (stopped.cancelled) {
            await ctx.step(STEP.cancelOpenDeliveries, async () => {
              const open = (await ports.odoo.pickings(placed.orderId)).filter(
                (p) => p.state !== "done" && p.state !== "cancel",
              );
              await ports.odoo.cancelPickings(open.map((p) => p.id));
              return { output: open.map((p) => p.id) };
            });
            outcome = "partly-cancelled";
            break;
          }
          const decision = await ctx.waitForApproval(STEP.cancellationReview, {
            title: `Order ${key} (${placed.name}) was cancelled in the channel, but the warehouse could not stop it`,
            details: {
              key,
              saleOrder: placed.name,
              warehouse: stopped.reason ?? "not cancellable",
              shipped: seen.size,
              approve: "go on: validate the delivery, invoice (the goods come back as a return)",
              reject: "stop here: the order is left as it is in Odoo and at the warehouse for you",
            },
          });
          if (!decision.approved) {
            return {
              saleOrder: placed.name,
              outcome: "left-to-person",
              shipments: seen.size,
              invoiceIds: [],
              paymentIds: [],
            };
          }
          continue;
        }
        const notice = event.data as unknown as ShipmentNotice;
        if (seen.has(notice.shipmentId)) continue;
        seen.add(notice.shipmentId);
        const pickingId = await ctx.step(STEP.validateDelivery(n), async () => {
          const pickings = await ports.odoo.pickings(placed.orderId);
          // A crash after Odoo validated but before the step was recorded: the delivery carrying this
          // shipment's tracking is already done; that is this step's result, not a new validation.
          const already = notice.trackingNumber
            ? pickings.find((p) => p.state === "done" && p.trackingRef === notice.trackingNumber)
            : undefined;
          if (already) return { output: already.id };
          const open = pickings.find((p) => p.state !== "done" && p.state !== "cancel")?.id;
          if (open === undefined) {
            throw new CrossdockError(
              "CDK_ODOO_REJECTED",
              `order ${placed.name} has no delivery left to validate`,
              {
                details: { key, shipment: n },
              },
            );
          }
          const result = await ports.odoo.validatePicking({
            pickingId: open,
            lines: notice.lines.map((line) => ({
              productId: productIdFor(plan.lines, order, line.sku),
              quantity: line.quantity,
            })),
            ...(notice.trackingNumber ? { trackingRef: notice.trackingNumber } : {}),
            backorder: !notice.complete,
          });
          return { output: result.pickingId };
        });
        if (ports.channel) {
          await ctx.step(STEP.pushTracking(n), async (step) => {
            await ports.channel?.pushTracking({ order, shipment: notice, pickingId }, step.idempotencyKey);
            return { output: true };
          });
        }
        shipments = seen.size;
        if (notice.complete) break;
      }

      const invoiced = await ctx.step(STEP.invoice, async () => {
        const result = await ports.odoo.invoice([placed.orderId]);
        return { output: { invoiceIds: result.invoiceIds } };
      });
      const invoiceDocuments = ports.odoo.invoiceDocuments?.bind(ports.odoo);
      if (
        ports.channel?.sends?.(order).invoice &&
        invoiceDocuments !== undefined &&
        invoiced.invoiceIds.length > 0
      ) {
        await ctx.step(STEP.sendInvoice, async (step) => {
          const invoices = await invoiceDocuments(invoiced.invoiceIds, order);
          await ports.channel?.sendInvoices?.({ order, invoices }, step.idempotencyKey);
          return { output: invoices.map((invoice) => invoice.invoiceNumber) };
        });
      }
      let paymentIds: number[] = [];
      if (input.prepaid && invoiced.invoiceIds.length > 0) {
        paymentIds = await ctx.step(STEP.payment, async (step) => {
          const paid = await ports.odoo.registerPayment({
            invoiceIds: invoiced.invoiceIds,
            memo: step.idempotencyKey,
          });
          return { output: paid.paymentIds };
        });
      }
      return { saleOrder: placed.name, outcome, shipments, invoiceIds: invoiced.invoiceIds, paymentIds };
    },
  });
}

/** The Odoo product of a shipped SKU, from the order's own lines (the plan kept their order). */
function productIdFor(planned: readonly { productId: number }[], order: Order, sku: string): number {
  const index = order.lines.findIndex((line) => line.sku === sku);
  const line = index === -1 ? undefined : planned[index];
  if (!line) {
    throw new CrossdockError(
      "CDK_ODOO_REJECTED",
      `shipped SKU ${sku} is not on order ${orderToCashKey(order)}`,
      {
        details: { sku },
      },
    );
  }
  return line.productId;
}

function isWaitTimeout(error: unknown): boolean {
  return isCrossdockError(error) && error.code === "CDK_WORKFLOW_WAIT_TIMEOUT";
}
