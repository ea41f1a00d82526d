/**
 * What the returns workflow needs from the systems around it, as small ports: Odoo (the original order,
 * the return picking, the credit note and the refund) and the event log (to tell the channel connector
 * what happened to the return). The composition root gives it the Odoo connection's client and the
 * store; tests give them the sandbox Odoo and a SQLite store.
 */
import type { CreditNoteResult, ReturnPicking } from "../../connectors/odoo/actions/customer-returns.ts";
import type { PaymentResult } from "../../connectors/odoo/actions/invoicing.ts";
import type { ValidatedPicking } from "../../connectors/odoo/actions/pickings.ts";
import type { JsonValue } from "../../store/store.ts";

/** A done delivery of the original order, with what it shipped per product. */
export interface ShippedDelivery {
  pickingId: number;
  name: string;
  /** When it was validated (`date_done`, UTC `YYYY-MM-DD HH:MM:SS`), for the return window. */
  doneAt: string | null;
  /** Quantities as decimal strings. */
  moves: { productId: number; quantity: string }[];
}

/** The original order as the return needs it, found in Odoo by the origin order-to-cash gave it. */
export interface ReturnableOrder {
  orderId: number;
  name: string;
  /** Product ids of the order's lines by SKU (`default_code`). */
  productBySku: Record<string, number>;
  /** Unit price with tax per product (price_total / quantity of its line), a decimal string. */
  unitPriceWithTax: Record<string, string>;
  deliveries: ShippedDelivery[];
}

export interface OdooReturnPort {
  /** The sale order whose `origin` is `origin` (`<channel>:<channelOrderId>`), or undefined. */
  findOrder(origin: string): Promise<ReturnableOrder | undefined>;
  createReturnPicking(input: {
    pickingId: number;
    lines: { productId: number; quantity: string }[];
    reference: string;
  }): Promise<ReturnPicking>;
  /** Validates a return picking with what came back; what did not is cancelled (no backorder). */
  validateReturn(input: {
    pickingId: number;
    lines: { productId: number; quantity: string }[];
  }): Promise<ValidatedPicking>;
  /** Cancels return pickings that are not done (goods that will not come). */
  cancelPickings(pickingIds: number[]): Promise<void>;
  creditNote(input: { orderId: number; reference: string }): Promise<CreditNoteResult>;
  /** Pays the credit notes out (a prepaid channel refunds the money); idempotent on `memo`. */
  refund(input: { creditNoteIds: number[]; memo: string }): Promise<PaymentResult>;
}

/**
 * Appends an event for other parts of the hub (the channel connector refunds the customer on
 * `return.refunded`). Exactly once per `idempotencyKey`: an implementation looks for the key before
 * appending, since the step that calls it may run again after a crash.
 */
export interface ReturnEventsPort {
  emit(event: { stream: string; type: string; data: JsonValue }, idempotencyKey: string): Promise<void>;
}

export interface ReturnsPorts {
  odoo: OdooReturnPort;
  events: ReturnEventsPort;
  /** How long the goods may take to come back after the return is authorised (the SLA). */
  receiptTimeoutMs: number;
  /** How long an authorisation or a review may wait for a person; absent = no limit. */
  approvalTimeoutMs?: number;
}
