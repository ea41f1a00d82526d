/**
 * The order-to-cash workflow's `ChannelPort` for a customer that trades X12 over SFTP: what a
 * retailer's supplier owes it after its 850 (purchase order) became an order.
 *
 * - **855** (PO acknowledgement, GS01 `PR`) once the order is placed in Odoo: every line accepted as
 *   ordered (`BAK02 AD`, `ACK*IA`), BAK08 the Odoo order's name; or the whole order rejected (`RD`,
 *   `ACK*IR`) when a person refused it (over the credit limit).
 * - **856** (ship notice, GS01 `SH`) for each shipment the warehouse reports, with the HL hierarchy,
 *   the carrier and tracking, PRF the customer's PO number and the order's ship-to.
 * - **810** (invoice, GS01 `IN`) for each invoice Odoo posted for the order, as Odoo has it (lines,
 *   tax and total), BIG04 the PO number, IT101 the PO line number.
 *
 * Each document is stored with its control numbers before it is published (`x12-outbound.ts`), keyed by
 * what it answers (the PO number, the shipment id, the invoice number), so a step run again after a
 * crash publishes the same file once, and the customer's 997 is expected for it within `ackDeadlineMs`
 * (late: `edi.ack-overdue` on `edi:<connection>`). `documents` leaves out what a customer does not take
 * (some do not want 855s).
 */
import { createHash } from "node:crypto";
import type { Clock } from "../../core/clock.ts";
import { CrossdockError } from "../../core/errors.ts";
import type { Invoice } from "../../core/model/invoice.ts";
import type { Order } from "../../core/model/order.ts";
import type { Shipment } from "../../core/model/shipment.ts";
import type { SupplierAcknowledgement } from "../../core/model/supplier-acknowledgement.ts";
import type { ChannelPort, ShipmentNotice } from "../../flows/order-to-cash/order-to-cash-ports.ts";
import type { Store } from "../../store/store.ts";
import { build810 } from "../edi-x12/x12-build-810.ts";
import { build855, type X12ProductIds } from "../edi-x12/x12-build-855.ts";
import { build856 } from "../edi-x12/x12-build-856.ts";
import type { X12PartnerEnvelope } from "../edi-x12/x12-writer.ts";
import type { SftpClient } from "./sftp-client.ts";
import { createX12Outbound } from "./x12-outbound.ts";

/** Records: `<connection>:<PO number>` (855), `...:<shipment id>` (856), `...:<invoice number>` (810). */
export const SENT_855_KIND = "edi.855";
export const SENT_856_KIND = "edi.856";
export const SENT_810_KIND = "edi.810";

export type EdiCustomerDocument = "855" | "856" | "810";
export const EDI_CUSTOMER_DOCUMENTS: readonly EdiCustomerDocument[] = ["855", "856", "810"];

/** X12 element 396 (BSN02 shipment id): 2 to 30 characters. Element 76 (BIG02): 1 to 22. */
const MAX_SHIPMENT_ID = 30;
const MAX_INVOICE_NUMBER = 22;

export interface EdiCustomerOptions {
  /** The `sftp` connection's name: the control-number partner, where its 997s are matched. */
  name: string;
  store: Store;
  clock: Clock;
  client: SftpClient;
  /** The customer's inbound folder (our `outbound.folder`). */
  outbound: string;
  envelope: X12PartnerEnvelope;
  /** What the customer is sent; default all three. */
  documents?: readonly EdiCustomerDocument[];
  /** How long the customer has to send its 997. Default 24 hours. */
  ackDeadlineMs?: number;
}

export interface EdiCustomerChannel extends Required<Pick<ChannelPort, "acknowledge" | "sendInvoices">> {
  readonly documents: ReadonlySet<EdiCustomerDocument>;
  pushTracking: ChannelPort["pushTracking"];
}

const fileSafe = (text: string) => text.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 40);
const stamp = (n: number) => String(n).padStart(9, "0");

/**
 * BSN02 for a shipment id: as it is when it fits X12's 30 characters, else its first 21 characters, a
 * dash and 8 hex digits of its SHA-256 (stable, so a resend carries the same number).
 */
export function x12ShipmentId(shipmentId: string): string {
  if (shipmentId.length >= 2 && shipmentId.length <= MAX_SHIPMENT_ID) return shipmentId;
  const hash = createHash("sha256").update(shipmentId).digest("hex").slice(0, 8);
  return shipmentId.length < 2 ? `${shipmentId}-${hash}` : `${shipmentId.slice(0, 21)}-${hash}`;
}

/** The canonical shipment an 856 is written from: the warehouse's notice with the order's details. */
export function shipmentOf(order: Order, notice: ShipmentNotice, now: number): Shipment {
  const uomOf = new Map(order.lines.map((line) => [line.sku, line.uom]));
  const lineIdOf = new Map(order.lines.map((line, i) => [line.sku, line.lineId ?? String(i + 1)]));
  return {
    schemaVersion: 1,
    shipmentId: x12ShipmentId(notice.shipmentId),
    order: {
      channel: order.channel,
      channelOrderId: order.channelOrderId,
      ...(order.orderNumber ? { orderNumber: order.orderNumber } : {}),
    },
    status: "shipped",
    ...(notice.carrier ? { carrier: notice.carrier } : {}),
    ...(notice.trackingNumber ? { trackingNumber: notice.trackingNumber } : {}),
    shippedAt: notice.shippedAt ?? new Date(now).toISOString(),
    ...(order.shipTo ? { shipTo: order.shipTo } : {}),
    lines: notice.lines.map((line) => ({
      ...(lineIdOf.has(line.sku) ? { orderLineId: lineIdOf.get(line.sku) as string } : {}),
      sku: line.sku,
      quantity: line.quantity,
      uom: uomOf.get(line.sku) ?? "C62",
    })),
  };
}

/** The 855 content: every line accepted as ordered, or every line rejected. */
export function acknowledgementOf(
  order: Order,
  saleOrder: string,
  accepted: boolean,
  now: number,
  reason?: string,
): SupplierAcknowledgement {
  return {
    schemaVersion: 1,
    poNumber: order.channelOrderId,
    ...(saleOrder ? { acknowledgementId: saleOrder } : {}),
    status: accepted ? "accepted" : "rejected",
    acknowledgedAt: new Date(now).toISOString(),
    currency: order.currency,
    lines: order.lines.map((line, i) => ({
      lineId: line.lineId ?? String(i + 1),
      sku: line.sku,
      status: accepted ? "accepted" : "rejected",
      ...(accepted ? { quantity: line.quantity } : {}),
      ...(!accepted && reason ? { reason: reason.slice(0, 512) } : {}),
    })),
  };
}

/**
 * The customer's own product ids of the order's lines, as its 850 carried them (`BP` its item, `UP`,
 * `IN`, ...: kept by the 850 mapper under `extensions[<channel>].productIds`), by SKU: echoed in the
 * 855, 856 and 810 after `VP`, as retailers match on their own numbers.
 */
export function customerProductIds(order: Order): X12ProductIds {
  const kept = (order.extensions?.[order.channel] as { productIds?: unknown } | undefined)?.productIds;
  const bySku = new Map<string, [string, string][]>();
  if (Array.isArray(kept)) {
    for (const [index, line] of order.lines.entries()) {
      const lineId = line.lineId ?? String(index + 1);
      const entry = kept.find(
        (e): e is Record<string, unknown> =>
          typeof e === "object" && e !== null && (e as { lineId?: unknown }).lineId === lineId,
      );
      if (entry === undefined) continue;
      const pairs = Object.entries(entry).filter(
        (pair): pair is [string, string] =>
          pair[0] !== "lineId" &&
          /^[A-Z0-9]{2}$/.test(pair[0]) &&
          typeof pair[1] === "string" &&
          pair[1] !== "",
      );
      bySku.set(line.sku, pairs);
    }
  }
  return (sku) => bySku.get(sku) ?? [];
}

export function createEdiCustomerChannel(options: EdiCustomerOptions): EdiCustomerChannel {
  const { name, clock } = options;
  const documents = new Set(options.documents ?? EDI_CUSTOMER_DOCUMENTS);
  // UTF-8: names and addresses as the customer wrote them.
  const outbound = createX12Outbound({ ...options, encoding: "utf8" });
  const base = (order: Order) => `${name}:${order.channelOrderId}`;

  return {
    documents,
    async acknowledge({ order, saleOrder, accepted, reason }, idempotencyKey) {
      if (!documents.has("855")) return;
      await outbound.publishOnce(SENT_855_KIND, base(order), 1, (control) => ({
        functionalId: "PR",
        sets: [
          build855(acknowledgementOf(order, saleOrder, accepted, clock.now(), reason), order, {
            productIds: customerProductIds(order),
          }),
        ],
        file: `855-${fileSafe(order.channelOrderId)}-${stamp(control.interchange)}.x12`,
        extra: { poNumber: order.channelOrderId, accepted, interchange: control.interchange, idempotencyKey },
        expectAck: true,
      }));
    },
    async pushTracking({ order, shipment }, idempotencyKey) {
      if (!documents.has("856")) return;
      const asn = shipmentOf(order, shipment, clock.now());
      if (asn.lines.length === 0) return;
      await outbound.publishOnce(SENT_856_KIND, `${base(order)}:${asn.shipmentId}`, 1, (control) => ({
        functionalId: "SH",
        sets: [build856(asn, { productIds: customerProductIds(order) })],
        file: `856-${fileSafe(order.channelOrderId)}-${stamp(control.interchange)}.x12`,
        extra: {
          poNumber: order.channelOrderId,
          shipmentId: asn.shipmentId,
          interchange: control.interchange,
          idempotencyKey,
        },
        expectAck: true,
      }));
    },
    async sendInvoices({ order, invoices }, idempotencyKey) {
      if (!documents.has("810")) return;
      for (const invoice of invoices) checkInvoice(name, order, invoice);
      for (const invoice of invoices) {
        await outbound.publishOnce(
          SENT_810_KIND,
          `${base(order)}:${invoice.invoiceNumber}`,
          1,
          (control) => ({
            functionalId: "IN",
            sets: [build810(invoice, { productIds: customerProductIds(order) })],
            file: `810-${fileSafe(invoice.invoiceNumber)}-${stamp(control.interchange)}.x12`,
            extra: {
              poNumber: order.channelOrderId,
              invoiceNumber: invoice.invoiceNumber,
              interchange: control.interchange,
              idempotencyKey,
            },
            expectAck: true,
          }),
        );
      }
    },
  };
}

function checkInvoice(name: string, order: Order, invoice: Invoice): void {
  if (invoice.invoiceNumber.length <= MAX_INVOICE_NUMBER) return;
  throw new CrossdockError(
    "CDK_TARGET_REJECTED",
    `customer ${name}: invoice number "${invoice.invoiceNumber}" is longer than the ${MAX_INVOICE_NUMBER} characters of an X12 BIG02`,
    { details: { order: `${order.channel}:${order.channelOrderId}`, invoiceNumber: invoice.invoiceNumber } },
  );
}
