/**
 * The order-to-cash workflow's `ChannelPort` for a customer that trades UN/EDIFACT over SFTP (an
 * EANCOM retailer): the counterpart of `edi-customer.ts` for X12, with the same documents at the same
 * moments and the same content, in EDIFACT's messages:
 *
 * - **ORDRSP** once the order is placed in Odoo (BGM+231 with the Odoo order's name, status AP, each
 *   line LIN action 5 with QTY+21), or the whole order rejected (RE, action 7) when a person refused it;
 * - **DESADV** per shipment the warehouse reports (BGM+351, RFF+ON the customer's order number, RFF+CN
 *   the tracking, NAD+DP the ship-to, TDT the carrier, CPS/LIN/QTY+12);
 * - **INVOIC** per invoice Odoo posted for the order (BGM+380, RFF+ON, lines as Odoo has them, MOA 79,
 *   176 and 77 from Odoo's totals).
 *
 * Each is its own interchange, UNB05 from the partner's stored counter, stored before it is published
 * (`edifact-outbound.ts`) under the connection and the PO number, shipment
 * id or invoice number, so a step run again publishes the same file once. With `ackRequested` in the
 * envelope (UNB09 = 1) the customer's CONTRL is expected within `ackDeadlineMs`, tracked with the X12
 * acknowledgements (`x12-ack` records under the UNB05, `syntax: "edifact"`): a CONTRL rejecting it is
 * `edi.ack-rejected`, none in time `edi.ack-overdue`, on `edi:<connection>`.
 */
import type { Clock } from "../../core/clock.ts";
import type { Order } from "../../core/model/order.ts";
import type { Store } from "../../store/store.ts";
import { desadvDraft } from "../edifact/edifact-desadv-writer.ts";
import { invoicDraft } from "../edifact/edifact-invoic-writer.ts";
import { ordrspDraft } from "../edifact/edifact-ordrsp-writer.ts";
import type { EdifactEnvelopeConfig, MessageDraft } from "../edifact/edifact-writer.ts";
import {
  acknowledgementOf,
  EDI_CUSTOMER_DOCUMENTS,
  type EdiCustomerChannel,
  type EdiCustomerDocument,
  shipmentOf,
} from "./edi-customer.ts";
import { createEdifactOutbound } from "./edifact-outbound.ts";
import type { SftpClient } from "./sftp-client.ts";

/** Records: `<connection>:<PO number>` (ORDRSP), `...:<shipment id>` (DESADV), `...:<invoice number>` (INVOIC). */
export const SENT_ORDRSP_KIND = "edifact.ordrsp";
export const SENT_DESADV_KIND = "edifact.desadv";
export const SENT_INVOIC_KIND = "edifact.invoic";

export interface EdifactCustomerOptions {
  /** The `sftp` connection's name: the control reference counter's partner. */
  name: string;
  store: Store;
  clock: Clock;
  client: SftpClient;
  /** The customer's inbound folder (our `outbound.folder`). */
  outbound: string;
  envelope: EdifactEnvelopeConfig;
  /** What the customer is sent, by the X12 numbers of the same documents; default all three. */
  documents?: readonly EdiCustomerDocument[];
  /** How long the customer has to send its CONTRL. Default 24 hours. */
  ackDeadlineMs?: number;
}

const fileSafe = (text: string) => text.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 40);

export function createEdifactCustomerChannel(options: EdifactCustomerOptions): EdiCustomerChannel {
  const { name, clock } = options;
  const documents = new Set(options.documents ?? EDI_CUSTOMER_DOCUMENTS);
  const outbound = createEdifactOutbound(options);

  /** One message under `<connection>:<key>`, named `<type>-<label>-<UNB05>.edi`. */
  const send = (
    kind: string,
    key: string,
    label: string,
    order: Order,
    idempotencyKey: string,
    message: () => MessageDraft,
  ) =>
    outbound.publishOnce(kind, `${name}:${key}`, () => {
      const draft = message();
      return {
        message: draft,
        file: (controlRef) => `${draft.type}-${fileSafe(label)}-${controlRef.padStart(9, "0")}.edi`,
        extra: { poNumber: order.channelOrderId, idempotencyKey },
      };
    });

  return {
    documents,
    async acknowledge({ order, saleOrder, accepted, reason }, idempotencyKey) {
      if (!documents.has("855")) return;
      await send(SENT_ORDRSP_KIND, order.channelOrderId, order.channelOrderId, order, idempotencyKey, () =>
        ordrspDraft(acknowledgementOf(order, saleOrder, accepted, clock.now(), reason)),
      );
    },
    async pushTracking({ order, shipment }, idempotencyKey) {
      if (!documents.has("856")) return;
      const desadv = shipmentOf(order, shipment, clock.now());
      if (desadv.lines.length === 0) return;
      await send(
        SENT_DESADV_KIND,
        `${order.channelOrderId}:${desadv.shipmentId}`,
        desadv.shipmentId,
        order,
        idempotencyKey,
        () => desadvDraft(desadv),
      );
    },
    async sendInvoices({ order, invoices }, idempotencyKey) {
      if (!documents.has("810")) return;
      for (const invoice of invoices) {
        await send(
          SENT_INVOIC_KIND,
          `${order.channelOrderId}:${invoice.invoiceNumber}`,
          invoice.invoiceNumber,
          order,
          idempotencyKey,
          () => invoicDraft(invoice),
        );
      }
    },
  };
}
