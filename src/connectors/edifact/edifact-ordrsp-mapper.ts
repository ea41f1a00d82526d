/**
 * ORDRSP to a canonical `supplier-acknowledgement` (the supplier's answer to our purchase order).
 *
 * | canonical | EDIFACT |
 * |---|---|
 * | `poNumber` | header RFF+ON |
 * | `acknowledgementId` | BGM-02-1 |
 * | `acknowledgedAt` | DTM+137 |
 * | `status` | BGM-04: AP accepted, AC/CA accepted_with_changes, RE rejected; computed from the lines when absent |
 * | `lines[].lineId`, `status` | LIN-01; LIN-02: 5 or 4 accepted, 3 or 6 changed, 7, 2 or 10 rejected |
 * | `lines[].sku`, `quantity`, `unitPrice` | item number by preference, QTY+21 (else 113, 12), PRI AAA (else AAB) |
 * | `lines[].expectedOn`, `reason` | DTM+2 (else 67, 69) in the line, FTX text |
 */
import type { SupplierAcknowledgement } from "../../core/model/supplier-acknowledgement.ts";
import { headerCommon } from "./edifact-header.ts";
import {
  DEFAULT_ITEM_ID_PREFERENCE,
  type MapOutcome,
  type MappingContext,
} from "./edifact-mapping-context.ts";
import { itemNumbers, preferredItem, qualified, sections } from "./edifact-message-view.ts";
import { valueAt } from "./edifact-syntax.ts";
import { divideDecimal } from "./edifact-values.ts";

type AckLine = SupplierAcknowledgement["lines"][number];
type AckStatus = SupplierAcknowledgement["status"];

const LINE_STATUS: Readonly<Record<string, AckLine["status"]>> = {
  "4": "accepted",
  "5": "accepted",
  "3": "changed",
  "6": "changed",
  "2": "rejected",
  "7": "rejected",
  "10": "rejected",
};
const HEADER_STATUS: Readonly<Record<string, AckStatus>> = {
  AP: "accepted",
  AC: "accepted_with_changes",
  CA: "accepted_with_changes",
  RE: "rejected",
};

/** Maps one ORDRSP message; see the module comment. */
export function mapOrdrsp(ctx: MappingContext): MapOutcome {
  const { header, items } = sections(ctx.message);
  const common = headerCommon(ctx, header, {
    number: "the response number",
    dates: ["137"],
    customerRoles: [],
    needsCurrency: false,
    paths: { number: "/acknowledgementId", date: "/acknowledgedAt" },
  });
  const { bgm, number, issuedAt, currency, references } = common;
  const on = references.find((s) => valueAt(s, 1) === "ON" && valueAt(s, 1, 2).trim() !== "");
  if (!on) ctx.problem(bgm, {}, "the purchase order number is missing", undefined, "RFF+ON in the header");
  else ctx.note("/poNumber", on, 1, 2);
  if (items.length === 0)
    ctx.problem(undefined, {}, "the response has no lines", undefined, "at least one LIN");
  const preference = ctx.options.itemIdPreference ?? DEFAULT_ITEM_ID_PREFERENCE;
  const lines: AckLine[] = [];
  for (const group of items) {
    const path = `/lines/${lines.length}`;
    const lineId = valueAt(group.lin, 1).trim();
    const action = valueAt(group.lin, 2);
    const status = LINE_STATUS[action];
    if (lineId === "") ctx.problem(group.lin, { element: 1 }, "the line number is missing", "", "LIN-01");
    if (status === undefined)
      ctx.problem(
        group.lin,
        { element: 2 },
        "the line action code is not known",
        action,
        Object.keys(LINE_STATUS).join(", "),
      );
    const item = preferredItem(itemNumbers(group), preference);
    const qty = qualified(group.segments, "QTY", "21", "113", "12");
    const quantity = qty && ctx.decimal(qty, 1, 2, "the quantity");
    const pri = qualified(group.segments, "PRI", "AAA", "AAB");
    const price = pri && ctx.decimal(pri, 1, 2, "the price");
    const basis = pri && ctx.decimal(pri, 1, 5, "the price basis");
    const unitPrice = price && basis ? divideDecimal(price, basis) : price;
    const dtm = qualified(group.segments, "DTM", "2", "67", "69");
    const expected = dtm && ctx.date(dtm);
    const ftx = group.segments.find((s) => s.tag === "FTX");
    const reason = ftx ? (ftx.elements[3] ?? []).join(" ").trim() : "";
    ctx.note(path, group.lin);
    if (qty) ctx.note(`${path}/quantity`, qty, 1, 2);
    if (pri) ctx.note(`${path}/unitPrice`, pri, 1, 2);
    if (lineId === "" || status === undefined) continue;
    lines.push({
      lineId,
      ...(item ? { sku: item.id } : {}),
      status,
      ...(quantity ? { quantity } : {}),
      ...(unitPrice ? { unitPrice } : {}),
      ...(expected ? { expectedOn: expected.date } : {}),
      ...(reason === "" ? {} : { reason: reason.slice(0, 512) }),
    });
  }
  const statuses = new Set(lines.map((line) => line.status));
  const computed: AckStatus =
    statuses.size === 1 && statuses.has("accepted")
      ? "accepted"
      : statuses.size === 1 && statuses.has("rejected")
        ? "rejected"
        : "accepted_with_changes";
  const stated = bgm ? HEADER_STATUS[valueAt(bgm, 4)] : undefined;
  if (bgm && stated) ctx.note("/status", bgm, 4);
  if (ctx.problems.length > 0 || !bgm || !issuedAt || !on) return ctx.finish("supplier-acknowledgement", []);
  const ack: SupplierAcknowledgement = {
    schemaVersion: 1,
    poNumber: valueAt(on, 1, 2).trim(),
    acknowledgementId: number,
    status: stated ?? computed,
    acknowledgedAt: issuedAt,
    ...(currency ? { currency } : {}),
    lines,
    extensions: { [ctx.channel]: common.extension },
  };
  return ctx.finish("supplier-acknowledgement", [ack]);
}
