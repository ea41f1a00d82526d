/**
 * What the order-to-cash workflow needs from the systems around it, as small ports: the composition
 * root gives it Odoo (through the Odoo connection's batchers and actions), the fulfilling warehouse, and
 * the channel to tell about shipments. Tests give it the sandbox landscape.
 */

import type { InvoiceResult, PaymentResult } from "../../connectors/odoo/actions/invoicing.ts";
import type { PartnerInput } from "../../connectors/odoo/actions/partners.ts";
import type { ValidatedPicking, ValidatePickingInput } from "../../connectors/odoo/actions/pickings.ts";
import type { PlacedOrder, SaleOrderInput } from "../../connectors/odoo/actions/sale-orders.ts";
import type { OrderPlanOutcome } from "../../connectors/odoo/odoo-order-plan.ts";
import type { Invoice } from "../../core/model/invoice.ts";
import type { Order } from "../../core/model/order.ts";

/** A shipment as the warehouse connector reports it on `order:<key>` (`shipment.dispatched`). */
export interface ShipmentNotice {
  shipmentId: string;
  /** Nothing is left to ship (all shipped, or the rest cancelled by the warehouse). */
  complete: boolean;
  lines: { sku: string; quantity: string }[];
  carrier?: string;
  trackingNumber?: string;
  trackingUrl?: string;
  shippedAt?: string;
}

export interface OdooOrderPort {
  /** Resolves once the master data the plan reads is loaded (a fresh process loads it first). */
  ready?(): Promise<void>;
  plan(order: Order): OrderPlanOutcome;
  /** Ids in the order given. */
  upsertPartners(partners: PartnerInput[]): Promise<number[]>;
  placeOrder(order: SaleOrderInput): Promise<PlacedOrder>;
  cancelOrders(orderIds: number[]): Promise<unknown>;
  /**
   * What the customer owes now (Odoo's `credit`: posted, unpaid invoices less credit notes) and the
   * credit limit set on its commercial entity (`"0"` = none), as decimal strings.
   */
  creditExposure(partnerId: number): Promise<{ credit: string; limit: string }>;
  /** The order's deliveries, oldest first, with their state and tracking reference. */
  pickings(orderId: number): Promise<{ id: number; state: string; trackingRef: string | null }[]>;
  validatePicking(input: ValidatePickingInput): Promise<ValidatedPicking>;
  /** Cancels deliveries that will not ship (the rest of a cancelled order); done ones are left. */
  cancelPickings(pickingIds: number[]): Promise<void>;
  invoice(orderIds: number[]): Promise<InvoiceResult>;
  /** The invoices as documents (lines, totals) for a channel that is sent them (an EDI customer's 810). */
  invoiceDocuments?(invoiceIds: number[], order: Order): Promise<Invoice[]>;
  registerPayment(input: { invoiceIds: number[]; memo: string }): Promise<PaymentResult>;
}

export interface WarehousePort {
  /** Asks the warehouse to ship the order; idempotent on `idempotencyKey`. */
  release(
    request: { key: string; order: Order; saleOrder: string },
    idempotencyKey: string,
  ): Promise<{ reference: string }>;
  /**
   * Asks the warehouse to cancel what it has not shipped of a released order (`reference` is what
   * `release` returned). `cancelled: false` when it cannot (it already shipped, or is packing): a
   * normal answer, not an error. Idempotent: cancelling a cancelled order answers `cancelled: true`.
   */
  cancel(reference: string, idempotencyKey: string): Promise<{ cancelled: boolean; reason?: string }>;
}

export interface ChannelPort {
  /** Tells the channel (the web store) that goods left, with tracking; idempotent on `idempotencyKey`. */
  pushTracking(
    update: { order: Order; shipment: ShipmentNotice; pickingId: number },
    idempotencyKey: string,
  ): Promise<void>;
  /**
   * What the order's channel is sent besides tracking: an acknowledgement once the order is placed (or
   * refused), the invoices once posted. An EDI customer takes both (855, 810); a web store neither.
   */
  sends?(order: Order): { acknowledgement: boolean; invoice: boolean };
  /** Tells the channel the order was accepted (placed in Odoo as `saleOrder`) or refused. Idempotent. */
  acknowledge?(
    update: { order: Order; saleOrder: string; accepted: boolean; reason?: string },
    idempotencyKey: string,
  ): Promise<void>;
  /** Sends the channel the order's posted invoices. Idempotent. */
  sendInvoices?(update: { order: Order; invoices: Invoice[] }, idempotencyKey: string): Promise<void>;
}

/** Where a run tells people an order is at risk of missing its SLA. */
export interface AlertPort {
  /** Idempotent on `idempotencyKey` (a step run again tells once). */
  slaAtRisk(
    alert: { key: string; saleOrder: string; shipment: number; breachAt: string },
    idempotencyKey: string,
  ): Promise<void>;
}

export interface OrderToCashPorts {
  odoo: OdooOrderPort;
  warehouse: WarehousePort;
  channel?: ChannelPort;
  alerts?: AlertPort;
  /** How long a shipment may take before the run fails for a person (the flow's SLA). */
  shipmentTimeoutMs: number;
  /** When a shipment that has not come puts the order at risk (alert). Default 80% of the timeout. */
  shipmentWarnMs?: number;
}
