/**
 * The sandbox trading partner's 855 (purchase order acknowledgement) for one 850, by plan, as the hub's
 * 855 mapper (`src/connectors/edi-x12/x12-855-ack.ts`) reads it:
 *
 * - BAK: `00`, BAK02 `AD` (all accepted as ordered), `AC` (with changes) or `RD` (the whole order
 *   rejected), BAK03 the 850's BEG03, BAK04 its date, BAK08 the partner's sales order number, BAK09
 *   today. CUR*SE the order's currency.
 * - Every PO1 echoed as received, then per line: `ACK*IA` accepted; `ACK*IR*0` rejected; `ACK*IQ`
 *   quantity, `ACK*DR` date (067, current schedule delivery), `ACK*IP` price (with `CTP**NET`) or
 *   `ACK*IC` for several changes at once; a backorder splits the line: `ACK*IA` for what ships now and
 *   `ACK*IB` for the rest with its date. CTT: the number of PO1 lines.
 */

import { productIds } from "../../src/connectors/edi-x12/x12-mapping.ts";
import { el } from "../../src/connectors/edi-x12/x12-segment.ts";
import { toX12DateTime } from "../../src/connectors/edi-x12/x12-values.ts";
import type { X12SetBody } from "../../src/connectors/edi-x12/x12-writer.ts";
import type { PurchaseOrder850 } from "./read-850.ts";

/** What changes on one line; `expectedOn` and `backorder.expectedOn` are `YYYY-MM-DD`. */
export interface LineChange {
  readonly quantity?: number | string;
  readonly expectedOn?: string;
  readonly unitPrice?: string;
  /** Ships what was ordered minus `quantity` now and `quantity` later, on `expectedOn`. */
  readonly backorder?: { readonly quantity: number; readonly expectedOn: string };
}

/**
 * How the partner answers a purchase order: `accept` as ordered; `change` lines (by PO101 line id or
 * any product id of the PO1); `reject` some lines, or the whole order without `lines`; `silent`: no
 * 855 at all (a resend is answered `afterResends` times later, default never).
 */
export type AckPlan =
  | { readonly kind: "accept" }
  | { readonly kind: "change"; readonly lines: Readonly<Record<string, LineChange>> }
  | { readonly kind: "reject"; readonly lines?: readonly string[] }
  | { readonly kind: "silent"; readonly afterResends?: number };

const ymd = (date: string) => date.replaceAll("-", "");

/** Whether `key` names this PO1: its line id or one of its product ids. */
function names(key: string, po1: PurchaseOrder850["po1s"][number]): boolean {
  return el(po1, 1).trim() === key || [...productIds(po1, 6, 25).values()].includes(key);
}

export function build855Answer(input: {
  readonly po: PurchaseOrder850;
  readonly plan: Exclude<AckPlan, { kind: "silent" }>;
  readonly salesOrder: string;
  readonly at: Date;
}): { body: X12SetBody; status: "accepted" | "accepted_with_changes" | "rejected" } {
  const { po, plan } = input;
  const order = po.order;
  const lines: string[][] = [];
  let changed = false;
  let rejected = 0;
  for (const po1 of po.po1s) {
    const quantity = el(po1, 2);
    const unit = el(po1, 3);
    lines.push(["PO1", ...po1.elements]);
    const rejectLine =
      plan.kind === "reject" && (plan.lines === undefined || plan.lines.some((k) => names(k, po1)));
    if (rejectLine) {
      rejected++;
      lines.push(["ACK", "IR", "0", unit]);
      continue;
    }
    const change =
      plan.kind === "change" ? Object.entries(plan.lines).find(([key]) => names(key, po1))?.[1] : undefined;
    if (change === undefined) {
      lines.push(["ACK", "IA", quantity, unit]);
      continue;
    }
    changed = true;
    if (change.backorder !== undefined) {
      const now = Number(quantity) - change.backorder.quantity;
      lines.push(["ACK", "IA", String(now), unit]);
      lines.push([
        "ACK",
        "IB",
        String(change.backorder.quantity),
        unit,
        "067",
        ymd(change.backorder.expectedOn),
      ]);
      continue;
    }
    const kinds = [change.quantity, change.expectedOn, change.unitPrice].filter(
      (v) => v !== undefined,
    ).length;
    if (change.unitPrice !== undefined) lines.push(["CTP", "", "NET", change.unitPrice]);
    const code =
      kinds > 1 ? "IC" : change.quantity !== undefined ? "IQ" : change.unitPrice !== undefined ? "IP" : "DR";
    const date = change.expectedOn === undefined ? [] : ["067", ymd(change.expectedOn)];
    lines.push(["ACK", code, String(change.quantity ?? quantity), unit, ...date]);
  }
  const status =
    rejected === po.po1s.length ? "rejected" : changed || rejected > 0 ? "accepted_with_changes" : "accepted";
  const bak02 = status === "rejected" ? "RD" : status === "accepted" ? "AD" : "AC";
  const segments: string[][] = [
    [
      "BAK",
      "00",
      bak02,
      order.channelOrderId,
      toX12DateTime(order.placedAt).date,
      "",
      "",
      "",
      input.salesOrder,
      toX12DateTime(input.at.toISOString()).date,
    ],
    ["CUR", "SE", order.currency],
    ...lines,
    ["CTT", String(po.po1s.length)],
  ];
  return { body: { type: "855", segments }, status };
}
