/**
 * The procure-to-pay workflow's `SupplierPort` for a supplier that trades X12 over SFTP: `send` writes
 * an 850 (purchase order) and publishes it atomically in the supplier's folder; the supplier answers
 * with a 997 (the group arrived and parsed) and an 855 (what it will deliver), which the `sftp`
 * connector reads back: the 855 becomes `supplier.acknowledged` on `purchase:<supplier>:<poNumber>`
 * (`partner-file-events.ts`), where the run waits. BEG03 is the purchase's `poNumber`, echoed in BAK03.
 *
 * Idempotent like `edi-warehouse.ts`: the interchange for one send (the purchase key and the resend
 * number) is stored with its control numbers and the 997 it waits for before it is published, so a
 * retry publishes the same bytes under the same name, which the publisher recognises. A resend
 * (`resend > 0`, after the supplier did not answer in time) is a new interchange with new control
 * numbers and BEG01 `07` (duplicate): X12's way to say "the same order again, not a second one". A
 * supplier whose system drops duplicates unread can be given `00` instead (`resendPurpose`).
 *
 * `acknowledge(997)` marks the interchange's group as acknowledged; `overdue()` lists 850s whose 997 is
 * late (`CDK_EDI_ACK_OVERDUE`). Cancelling a purchase is not sent as EDI (BEG01 `01` is agreed per
 * supplier): the workflow cancels in Odoo and a person tells the supplier.
 */
import type { Clock } from "../../core/clock.ts";
import { CrossdockError } from "../../core/errors.ts";
import type { SupplierPort } from "../../flows/procure-to-pay/procure-to-pay-ports.ts";
import type { Store } from "../../store/store.ts";
import type { X12FunctionalAck } from "../edi-x12/x12-997-ack.ts";
import { type Build850Options, build850 } from "../edi-x12/x12-build-850.ts";
import type { X12AcknowledgeResult, X12AckRecord } from "../edi-x12/x12-control-numbers.ts";
import type { X12PartnerEnvelope } from "../edi-x12/x12-writer.ts";
import type { SftpClient } from "./sftp-client.ts";
import { createX12Outbound } from "./x12-outbound.ts";

/** Records: `<connection>:<purchase key>:<resend>` -> the 850 interchange written for that send. */
export const SENT_850_KIND = "edi.850";
/** BEG03 is X12 element 324: 1 to 22 characters. */
const MAX_PO_NUMBER = 22;

export interface EdiSupplierOptions {
  /** The `sftp` connection's name: the control-number partner and the 855's stream prefix. */
  name: string;
  store: Store;
  clock: Clock;
  client: SftpClient;
  /** The supplier's inbound folder (our `outbound.folder`). */
  outbound: string;
  envelope: X12PartnerEnvelope;
  /** N1*BY of the 850s. Default: the envelope's sender id as name and `92` id. */
  buyer?: Build850Options["buyer"];
  /** BEG01 of a resend: `07` duplicate (default) or `00` original. */
  resendPurpose?: "00" | "07";
  /** How long the supplier has to send its 997. Default 24 hours. */
  ackDeadlineMs?: number;
}

export interface EdiSupplierPort extends SupplierPort {
  /** Marks the 850 group a received 997 answers (`accepted`, `partially_accepted`, `rejected`). */
  acknowledge(ack: X12FunctionalAck): Promise<X12AcknowledgeResult>;
  /** 850 interchanges whose 997 is past its deadline, each with a `CDK_EDI_ACK_OVERDUE` error. */
  overdue(): Promise<{ record: X12AckRecord; error: CrossdockError }[]>;
}

const fileSafe = (text: string) => text.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 60);

export function createEdiSupplierPort(options: EdiSupplierOptions): EdiSupplierPort {
  const { name, envelope } = options;
  // UTF-8: a supplier's 850 carries names and addresses as written.
  const outbound = createX12Outbound({ ...options, encoding: "utf8" });
  const numbers = outbound.numbers;
  const buyer = options.buyer ?? { name: envelope.senderId, id: envelope.senderId };

  function prepare(request: Parameters<SupplierPort["send"]>[0], idempotencyKey: string) {
    const { purchase } = request;
    return outbound.publishOnce(SENT_850_KIND, `${name}:${request.key}:${request.resend}`, 1, (control) => ({
      functionalId: "PO",
      sets: [
        build850(purchase, {
          buyer,
          purpose: request.resend > 0 ? (options.resendPurpose ?? "07") : "00",
          internalReference: request.odooName,
        }),
      ],
      file: `850-${fileSafe(purchase.poNumber)}-${String(control.interchange).padStart(9, "0")}.x12`,
      extra: {
        poNumber: purchase.poNumber,
        interchange: control.interchange,
        group: control.group,
        idempotencyKey,
      },
      expectAck: true,
    }));
  }

  return {
    async send(request, idempotencyKey) {
      const po = request.purchase.poNumber;
      if (po.length > MAX_PO_NUMBER) {
        throw new CrossdockError(
          "CDK_TARGET_REJECTED",
          `supplier ${name}: the PO number "${po}" is longer than the ${MAX_PO_NUMBER} characters of an X12 BEG03`,
          { details: { key: request.key, poNumber: po } },
        );
      }
      const sent = await prepare(request, idempotencyKey);
      return { reference: sent.file };
    },
    acknowledge: (ack) => numbers.acknowledge(name, ack),
    async overdue() {
      const late = await numbers.overdue(name);
      return late.filter((entry) => entry.record.functionalId === "PO");
    },
  };
}
