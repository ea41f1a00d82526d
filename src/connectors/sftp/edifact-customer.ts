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
 * Each is its own interchange, UNB05 from the partner's stored counter (`edifact-control-refs.ts`),
 * stored before it is published (`stored-outbound.ts`) under the connection and the PO number, shipment
 * id or invoice number, so a step run again publishes the same file once. CONTRL answers from the
 * customer are not yet matched to what was sent (see docs/edifact.md).
 */
import type { Clock } from "../../core/clock.ts";
import type { Order } from "../../core/model/order.ts";
import type { Store } from "../../store/store.ts";
import { allocateEdifactControlRef } from "../edifact/edifact-control-refs.ts";
import { desadvDraft } from "../edifact/edifact-desadv-writer.ts";
import { invoicDraft } from "../edifact/edifact-invoic-writer.ts";
import { ordrspDraft } from "../edifact/edifact-ordrsp-writer.ts";
import {
  type EdifactEnvelopeConfig,
  encodeText,
  type MessageDraft,
  writeInterchange,
} from "../edifact/edifact-writer.ts";
import {
  acknowledgementOf,
  EDI_CUSTOMER_DOCUMENTS,
  type EdiCustomerChannel,
  type EdiCustomerDocument,
  shipmentOf,
} from "./edi-customer.ts";
import type { SftpClient } from "./sftp-client.ts";
import { createStoredOutbound, type StoredDocument } from "./stored-outbound.ts";

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
}

interface SentInterchange extends StoredDocument {
  controlRef: string;
  syntaxId: string;
  poNumber: string;
  idempotencyKey: string;
}

const fileSafe = (text: string) => text.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 40);

export function createEdifactCustomerChannel(options: EdifactCustomerOptions): EdiCustomerChannel {
  const { name, store, clock, envelope } = options;
  const documents = new Set(options.documents ?? EDI_CUSTOMER_DOCUMENTS);
  const stored = createStoredOutbound(options);
  const syntaxId = envelope.syntaxId ?? "UNOC";

  const send = (
    kind: string,
    key: string,
    prefix: string,
    order: Order,
    idempotencyKey: string,
    draft: () => MessageDraft,
  ) =>
    stored.publishOnce<SentInterchange>(
      kind,
      `${name}:${key}`,
      async () => {
        const controlRef = await allocateEdifactControlRef(store, name);
        const written = writeInterchange(envelope, [draft()], {
          clock,
          controlRefs: { next: () => controlRef },
        });
        return {
          document: {
            file: `${prefix}-${fileSafe(key.slice(key.indexOf(":") + 1))}-${controlRef.padStart(9, "0")}.edi`,
            body: written.text,
            controlRef,
            syntaxId,
            poNumber: order.channelOrderId,
            idempotencyKey,
          },
        };
      },
      (document) => encodeText(document.body, document.syntaxId),
    );

  return {
    documents,
    async acknowledge({ order, saleOrder, accepted, reason }, idempotencyKey) {
      if (!documents.has("855")) return;
      await send(SENT_ORDRSP_KIND, `${order.channelOrderId}`, "ORDRSP", order, idempotencyKey, () =>
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
        "DESADV",
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
          "INVOIC",
          order,
          idempotencyKey,
          () => invoicDraft(invoice),
        );
      }
    },
  };
}
