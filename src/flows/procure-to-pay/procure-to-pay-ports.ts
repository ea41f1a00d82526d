/**
 * What the procure-to-pay workflow needs from the systems around it, as small ports: Odoo (the purchase
 * order from RFQ to vendor bill) and the supplier (who gets the order: an EDI 850/ORDERS connector, a
 * portal, an email). The composition root gives it the Odoo connection's client and the supplier's
 * connector; tests give them the sandbox Odoo and a fake supplier that records what it was sent.
 */

import type { ValidatedPicking } from "../../connectors/odoo/actions/pickings.ts";
import type {
  PurchaseLineChange,
  PurchaseState,
  VendorBill,
} from "../../connectors/odoo/actions/purchase-lifecycle.ts";
import type { PlacedPurchase, PurchaseOrderInput } from "../../connectors/odoo/actions/purchases.ts";
import type { PurchaseOrder } from "../../core/model/purchase-order.ts";

/** The supplier's partner and the products of a purchase, resolved in Odoo, or why they cannot be. */
export type PurchasePlanOutcome =
  | { ok: true; supplierId: number; productBySku: Record<string, number> }
  | { ok: false; problems: string[] };

export interface OdooPurchasePort {
  /**
   * Finds the supplier (`partnerId` when configured, else the partner whose `ref` is the supplier code,
   * else the company of the supplier's exact name) and each line's product by SKU (`default_code`).
   */
  plan(purchase: PurchaseOrder, supplier: { code: string; partnerId?: number }): Promise<PurchasePlanOutcome>;
  /** Creates the RFQ (draft, not confirmed) once per `key`. */
  createRfq(input: PurchaseOrderInput): Promise<PlacedPurchase>;
  read(purchaseId: number): Promise<PurchaseState>;
  /** `button_confirm`; the state after it (`purchase`, or `to approve` for Odoo's second approval). */
  confirm(purchaseId: number): Promise<string>;
  approve(purchaseId: number): Promise<string>;
  cancel(purchaseId: number): Promise<void>;
  changeLines(purchaseId: number, changes: PurchaseLineChange[]): Promise<void>;
  /** Validates the order's `n`-th receipt with the counted quantities (idempotent on `n`). */
  receive(input: {
    purchaseId: number;
    n: number;
    lines: { productId: number; quantity: string }[];
    backorder: boolean;
  }): Promise<ValidatedPicking>;
  /** Cancels receipts not done (the supplier will not send the rest). */
  cancelOpenReceipts(purchaseId: number): Promise<number[]>;
  /** Bills what is received and not billed; returns every vendor bill of the order. */
  bill(purchaseId: number): Promise<VendorBill[]>;
  postBills(input: { billIds: number[]; billDate: string }): Promise<{ postedNow: number[] }>;
}

/** Sends the order to the supplier; idempotent on `idempotencyKey` (a resend has a key of its own). */
export interface SupplierPort {
  send(
    request: { key: string; purchase: PurchaseOrder; odooName: string; resend: number },
    idempotencyKey: string,
  ): Promise<{ reference: string }>;
}

export interface ProcureToPayPorts {
  odoo: OdooPurchasePort;
  supplier: SupplierPort;
  /** Default time for the supplier to acknowledge (an input's `ackTimeoutMs` wins). */
  ackTimeoutMs: number;
  /** How long the goods may take after the acknowledgement (and between partial receipts). */
  receiptTimeoutMs: number;
  /** How long a person's decision may take; absent = no limit. */
  approvalTimeoutMs?: number;
}
