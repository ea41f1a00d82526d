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
 * silently; the failure stays as an exception record for a person. A shipment that does not come within
 * the SLA raises `CDK_WORKFLOW_WAIT_TIMEOUT` in the same way (the order stays open in Odoo: a late
 * shipment is not a reason to cancel; the exception asks a person).
 *
 * Step and wait ids are stored: never rename them.
 */
import { CrossdockError } from "../../core/errors.ts";
import type { Order } from "../../core/model/order.ts";
import type { JsonValue, StoredEvent } from "../../store/store.ts";
import { defineWorkflow, StepResult } from "../workflow.ts";
import type { OrderToCashPorts, ShipmentNotice } from "./order-to-cash-ports.ts";

export const ORDER_TO_CASH = "order-to-cash";
/** Emitted by warehouse connectors on the order's stream when goods leave. */
export const SHIPMENT_DISPATCHED = "shipment.dispatched";

export const STEP = Object.freeze({
  plan: "plan",
  upsertCustomer: "upsert-customer",
  createSaleOrder: "create-sale-order",
  release: "release-to-warehouse",
  shipment: (n: number) => `shipment-${n}`,
  validateDelivery: (n: number) => `validate-delivery-${n}`,
  pushTracking: (n: number) => `push-tracking-${n}`,
  invoice: "invoice",
  payment: "register-payment",
});

/** Shipments of one order followed before the rest is left to a person. */
const MAX_SHIPMENTS = 20;

export interface OrderToCashInput {
  order: Order;
  /** The channel collected the money at checkout (a web store): record the payment after invoicing. */
  prepaid: boolean;
}

export interface OrderToCashOutput {
  saleOrder: string;
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
      await ctx.step(STEP.release, async (step) => {
        const receipt = await ports.warehouse.release(
          { key, order, saleOrder: placed.name },
          step.idempotencyKey,
        );
        return { output: receipt as unknown as JsonValue };
      });

      let shipments = 0;
      // Each wait takes the next shipment after the previous one's, so partial shipments arrive one by
      // one and an early one (a fast warehouse) is not missed.
      let previous: StoredEvent | undefined;
      // The same shipment reported twice (a warehouse re-sending under a new message id) counts once.
      const seen = new Set<string>();
      for (let n = 1; n <= MAX_SHIPMENTS; n++) {
        const event = await ctx.waitForEvent(STEP.shipment(n), {
          type: SHIPMENT_DISPATCHED,
          stream: `order:${key}`,
          timeoutMs: ports.shipmentTimeoutMs,
          since: previous ? { after: previous } : "run-start",
        });
        previous = event;
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
      return { saleOrder: placed.name, shipments, invoiceIds: invoiced.invoiceIds, paymentIds };
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
