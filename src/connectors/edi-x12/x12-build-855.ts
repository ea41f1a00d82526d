/**
 * 855 (purchase order acknowledgement) to a customer, answering its 850: per line accepted, changed or
 * rejected. The input is the canonical `SupplierAcknowledgement` shape written from our side (we are
 * the customer's supplier; `poNumber` is the customer's PO, the order's `channelOrderId`) together
 * with the order it answers, whose lines give the ordered quantity, unit, price and product ids.
 *
 * BAK02 is `AD` (all accepted), `AC` (accepted with changes) or `RD` (rejected). Each order line gets
 * PO1 (as ordered) and ACK: `IA` accepted, `IR` rejected, `IQ` quantity changed, `IP` price changed,
 * `DR` date rescheduled, with the acknowledged quantity and, when given, the date (`068`, ship date).
 */
import type { Order } from "../../core/model/order.ts";
import type { SupplierAcknowledgement } from "../../core/model/supplier-acknowledgement.ts";
import { toX12DateTime, uomToX12 } from "./x12-values.ts";
import type { X12SetBody } from "./x12-writer.ts";

const BAK02 = { accepted: "AD", accepted_with_changes: "AC", rejected: "RD" } as const;

/** The customer's own product ids per SKU (`BP`, `UP`, `IN`, ...), echoed after `VP` so it can match. */
export type X12ProductIds = (sku: string) => readonly (readonly [qualifier: string, id: string])[];

/** Up to 11 more qualifier/id pairs after `VP` (PO1, IT1 and LIN hold 12 or more). */
export function moreProductIds(ids: X12ProductIds | undefined, sku: string): string[] {
  if (ids === undefined) return [];
  return ids(sku)
    .filter(([qualifier]) => qualifier !== "VP")
    .slice(0, 11)
    .flat();
}

export function build855(
  ack: SupplierAcknowledgement,
  order: Order,
  options: { productIds?: X12ProductIds } = {},
): X12SetBody {
  const segments: string[][] = [];
  const placed = toX12DateTime(order.placedAt).date;
  const acknowledged = toX12DateTime(ack.acknowledgedAt).date;
  segments.push([
    "BAK",
    "00",
    BAK02[ack.status],
    ack.poNumber,
    placed,
    "",
    "",
    "",
    ack.acknowledgementId ?? "",
    acknowledged,
  ]);
  segments.push(["CUR", "SE", ack.currency ?? order.currency]);
  const byLine = new Map(ack.lines.map((line) => [line.lineId, line]));
  let count = 0;
  for (const [index, line] of order.lines.entries()) {
    const lineId = line.lineId ?? String(index + 1);
    const answer = byLine.get(lineId);
    if (answer === undefined) continue;
    count++;
    segments.push([
      "PO1",
      lineId,
      line.quantity,
      uomToX12(line.uom),
      line.unitPrice,
      "",
      "VP",
      line.sku,
      ...moreProductIds(options.productIds, line.sku),
    ]);
    let code = "IA";
    if (answer.status === "rejected") code = "IR";
    else if (answer.status === "changed") {
      code =
        answer.quantity !== undefined && answer.quantity !== line.quantity
          ? "IQ"
          : answer.unitPrice !== undefined
            ? "IP"
            : "DR";
    }
    const quantity = answer.status === "rejected" ? "0" : (answer.quantity ?? line.quantity);
    const date = answer.expectedOn === undefined ? [] : ["068", answer.expectedOn.replaceAll("-", "")];
    segments.push(["ACK", code, quantity, uomToX12(line.uom), ...date]);
  }
  segments.push(["CTT", String(count)]);
  return { type: "855", segments };
}
