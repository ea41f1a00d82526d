/**
 * 944 (warehouse stock transfer receipt advice: what a 3PL received against a 943) to the canonical
 * `receipt`.
 *
 * - `receiptId` is W17-03 (warehouse receipt number); `receivedAt` is W17-02 (date).
 * - `poNumber` is N9*PO, else W17-04 (the depositor order number Crossdock sent in the 943).
 * - The warehouse is the N1*WH (or ST) id, else the partner's configured `warehouse`.
 * - One line per W07 with W07-01 > 0: the SKU from W07-04/05 (else the UPC W07-03), unit W07-02, lot
 *   W07-06. A line id comes from an N9*LI after the W07, when there is one.
 * - A W13 after a W07 (receiving exception: W13-01 units, W13-02 unit, W13-03 condition) is one more
 *   line of the same item with `condition: "damaged"`: W07 counts what came in good condition, W13
 *   what came otherwise (damaged, wet, crushed: the canonical receipt has no finer condition).
 */
import type { Receipt } from "../../core/model/receipt.ts";
import { wholeSet, type X12MapperFactory, type X12SetContext } from "./x12-mapping.ts";
import { N1Loops } from "./x12-parties.ts";
import { emitChecked, X12Origins } from "./x12-record-check.ts";
import { el, elementProblem, problemAt, type X12Problem, type X12Segment } from "./x12-segment.ts";
import { uomFromX12, x12Decimal, x12Timestamp } from "./x12-values.ts";

function map944(segments: readonly X12Segment[], context: X12SetContext): X12Problem | undefined {
  const { file, options } = context;
  const origins = new X12Origins(context.st);
  const parties = new N1Loops();
  const items: { w07: X12Segment; lineId?: string; w13s: X12Segment[] }[] = [];
  let w17: X12Segment | undefined;
  let poNumber: string | undefined;
  for (const seg of segments) {
    const item = items.at(-1);
    if (seg.tag === "W17") w17 ??= seg;
    else if (seg.tag === "W07") items.push({ w07: seg, w13s: [] });
    else if (seg.tag === "W13" && item !== undefined) item.w13s.push(seg);
    else if (seg.tag === "N9" && el(seg, 1) === "LI" && item !== undefined)
      item.lineId ??= el(seg, 2).trim() || undefined;
    else if (seg.tag === "N9" && el(seg, 1) === "PO") poNumber ??= el(seg, 2).trim() || undefined;
    else if (item === undefined) parties.accept(seg);
  }
  if (w17 === undefined) {
    return problemAt(
      "CDK_EDI_CONTENT",
      file,
      { segment: context.st.index, line: context.st.line, tag: "ST" },
      "the 944 has no W17 segment; expected W17 with the receipt number and date",
    );
  }
  const receiptId = el(w17, 3).trim();
  if (!receiptId)
    return elementProblem(
      "CDK_EDI_CONTENT",
      file,
      w17,
      3,
      "W17-03 (warehouse receipt number) is empty; expected the receipt number",
    );
  const receivedAt = x12Timestamp(el(w17, 2), "", options.timeZoneOffset ?? "Z");
  if (receivedAt === undefined)
    return elementProblem(
      "CDK_EDI_CONTENT",
      file,
      w17,
      2,
      `W17-02 (date received) is "${el(w17, 2)}"; expected a date CCYYMMDD`,
    );
  const warehouse = parties.find("WH", "ST")?.id || options.warehouse;
  if (!warehouse)
    return elementProblem(
      "CDK_EDI_CONTENT",
      file,
      w17,
      3,
      "no N1*WH warehouse and none configured for the partner; expected one",
    );
  const lines: Receipt["lines"][number][] = [];
  for (const { w07, lineId, w13s } of items) {
    const damaged: { w13: X12Segment; quantity: string }[] = [];
    for (const w13 of w13s) {
      const units = x12Decimal(el(w13, 1));
      if (units === undefined)
        return elementProblem(
          "CDK_EDI_CONTENT",
          file,
          w13,
          1,
          `W13-01 (units) is "${el(w13, 1)}"; expected a number`,
        );
      if (units !== "0" && !units.startsWith("-")) damaged.push({ w13, quantity: units });
    }
    const quantity = x12Decimal(el(w07, 1));
    if (quantity === undefined)
      return elementProblem(
        "CDK_EDI_CONTENT",
        file,
        w07,
        1,
        `W07-01 (quantity received) is "${el(w07, 1)}"; expected a number`,
      );
    const good = !(quantity === "0" || quantity.startsWith("-"));
    if (!good && damaged.length === 0) continue;
    const sku = el(w07, 5).trim() || el(w07, 3).trim();
    if (!sku)
      return elementProblem(
        "CDK_EDI_CONTENT",
        file,
        w07,
        5,
        "no product id in W07-05 or W07-03; expected the item received",
      );
    const lot = el(w07, 6).trim();
    const line = (units: string, condition: "good" | "damaged", from: X12Segment) => {
      origins.set(`/lines/${lines.length}`, from);
      lines.push({
        ...(lineId === undefined ? {} : { lineId }),
        sku,
        quantity: units,
        uom: uomFromX12(el(from === w07 ? w07 : from, 2)) ?? uomFromX12(el(w07, 2)) ?? "EA",
        condition,
        ...(lot ? { lots: [{ lot: lot.slice(0, 128), quantity: units }] } : {}),
      });
    };
    if (good) line(quantity, "good", w07);
    for (const { w13, quantity: units } of damaged) line(units, "damaged", w13);
  }
  if (lines.length === 0)
    return elementProblem(
      "CDK_EDI_CONTENT",
      file,
      w17,
      3,
      "no W07 line with a quantity received; expected at least one",
    );
  const receipt = {
    schemaVersion: 1,
    receiptId,
    ...((poNumber ?? el(w17, 4).trim()) ? { poNumber: poNumber ?? el(w17, 4).trim() } : {}),
    warehouse,
    receivedAt,
    lines,
  };
  origins.set("/warehouse", w17, 3);
  return emitChecked(context, "receipt", receipt, origins);
}

/** The 944 mapper. */
export const x12ReceiptMapper: X12MapperFactory = {
  type: "944",
  entity: "receipt",
  create: (context) => wholeSet(map944, context),
};
