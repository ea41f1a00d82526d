/**
 * ORDRSP from a canonical `supplier-acknowledgement`: Crossdock answering a customer's ORDERS as the
 * supplier. BGM-04 carries the header status (AP, AC, RE), each LIN its action (5 accepted, 3 changed,
 * 7 rejected) with the SKU as the supplier's article number (SA), the confirmed quantity (QTY+21),
 * date (DTM+2), reason (FTX+AAI) and price (PRI+AAA). `mapOrdrsp` reads exactly this back.
 */
import type { SupplierAcknowledgement } from "../../core/model/supplier-acknowledgement.ts";
import { type DraftSegment, dtm, type MessageDraft, num } from "./edifact-writer.ts";

const STATUS = { accepted: "AP", accepted_with_changes: "AC", rejected: "RE" } as const;
const ACTION = { accepted: "5", changed: "3", rejected: "7" } as const;

/** The ORDRSP message body for one acknowledgement. */
export function ordrspDraft(ack: SupplierAcknowledgement): MessageDraft {
  const segments: DraftSegment[] = [
    ["BGM", "231", ack.acknowledgementId ?? ack.poNumber, "9", STATUS[ack.status]],
    dtm("137", ack.acknowledgedAt),
    ["RFF", ["ON", ack.poNumber]],
    ...(ack.currency ? [["CUX", ["2", ack.currency, "9"]] as DraftSegment] : []),
  ];
  for (const line of ack.lines) {
    segments.push(["LIN", line.lineId, ACTION[line.status], line.sku ? [line.sku, "SA"] : ""]);
    if (line.quantity !== undefined) segments.push(["QTY", ["21", num(line.quantity)]]);
    if (line.expectedOn !== undefined) segments.push(dtm("2", line.expectedOn));
    if (line.reason !== undefined) segments.push(["FTX", "AAI", "", "", chunks(line.reason)]);
    if (line.unitPrice !== undefined) segments.push(["PRI", ["AAA", num(line.unitPrice)]]);
  }
  segments.push(["UNS", "S"], ["CNT", ["2", String(ack.lines.length)]]);
  return { type: "ORDRSP", segments };
}

/** Free text in components of at most 512 characters (C108 holds five). */
export function chunks(text: string, size = 512): string[] {
  const parts: string[] = [];
  for (let i = 0; i < text.length && parts.length < 5; i += size) parts.push(text.slice(i, i + size));
  return parts;
}
