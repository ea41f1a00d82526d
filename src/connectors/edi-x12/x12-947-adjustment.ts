/**
 * 947 (warehouse inventory adjustment advice: a 3PL's stock changed outside a receipt or a shipment,
 * e.g. damaged in the facility, a cycle count, a product put on hold) to canonical `stock-level` records.
 *
 * The canonical model has no stock adjustment (a delta): a `stock-level` is a reading with the on-hand
 * quantity. A W19 gives only the change (W19-02, credit/debit quantity), so a line maps only when the
 * 3PL also says what is on hand after it, in a `QTY*17` (on hand; `QTY*33` available, as in the 846)
 * inside the W19 loop: a convention some 3PL guides add, not a segment of the 4010 947. A 947 with a
 * W19 that has no such QTY is refused whole with `CDK_EDI_UNSUPPORTED` at its W19-02: the hub should
 * take the 3PL's next 846 instead (or the partner should add the QTY).
 *
 * - `asOf` is W15-01 (date) with the G62 time when there is one, in the partner's offset; `source` the
 *   connection. The warehouse is the N1*WH (or SF) id, else the partner's configured `warehouse`.
 * - Per W19: the SKU from W19-05/06, 07/08, 17/18 by qualifier preference, else the UPC W19-04; unit
 *   W19-03; lot W19-09. On hand from QTY*17 (else QTY*33), available from QTY*33 (else on hand),
 *   reserved = on hand - available (at least 0).
 * - `extensions[connection].adjustment`: W15-02 (warehouse adjustment number), W15-03 (depositor's),
 *   the reason code W19-01 and its meaning, the change W19-02 as sent (its sign is the 3PL's), the lot,
 *   and N9 references of the loop.
 */
import { compareDecimals, subtractDecimals } from "../../core/model/decimal.ts";
import {
  DEFAULT_SKU_QUALIFIERS,
  pickSku,
  wholeSet,
  type X12MapperFactory,
  type X12SetContext,
} from "./x12-mapping.ts";
import { N1Loops } from "./x12-parties.ts";
import { checkX12Record, X12Origins } from "./x12-record-check.ts";
import { el, elementProblem, problemAt, type X12Problem, type X12Segment } from "./x12-segment.ts";
import { uomFromX12, x12Decimal, x12Timestamp } from "./x12-values.ts";

/** W19-01, quantity or status adjustment reason codes (element 181), the common ones. */
export const X12_ADJUSTMENT_REASONS: Readonly<Record<string, string>> = {
  "04": "receipt less than previously reported",
  "05": "product put on hold",
  "07": "product dumped or destroyed",
  "51": "unable-to-locate product located",
  "52": "recoup or rework of damaged product",
  "53": "shipment less than previously reported",
  "55": "product taken off hold",
  "56": "book adjustment increase",
  AA: "physical count",
  AB: "accounting error",
  AC: "condition change",
  AD: "purpose change",
  AE: "reidentification",
  AF: "stock number change",
  AG: "ownership change",
  AH: "other",
  AI: "disaster",
  AK: "transfer",
  AR: "order shipment error",
  AU: "damaged in facility",
  AV: "damaged in transit",
  AW: "product recall",
  AX: "shelf-life obsolescence",
  AY: "receipt error",
  BM: "replacement",
  BR: "regrade",
  BS: "downgrade",
};

interface Item {
  readonly w19: X12Segment;
  onHand?: { value: string; qty: X12Segment; unit: string };
  available?: { value: string; qty: X12Segment; unit: string };
  readonly refs: Record<string, string>;
}

function map947(segments: readonly X12Segment[], context: X12SetContext): X12Problem | undefined {
  const { file, options } = context;
  const parties = new N1Loops();
  const items: Item[] = [];
  let w15: X12Segment | undefined;
  let time = "";
  for (const seg of segments) {
    const item = items.at(-1);
    if (seg.tag === "W15") w15 ??= seg;
    else if (seg.tag === "W19") items.push({ w19: seg, refs: {} });
    else if (item === undefined) {
      if (parties.accept(seg)) continue;
      if (seg.tag === "G62" && el(seg, 4).trim() !== "") time ||= el(seg, 4).trim();
    } else if (seg.tag === "N9" && el(seg, 1).trim() && el(seg, 2).trim())
      item.refs[el(seg, 1).trim()] ??= el(seg, 2).trim();
    else if (seg.tag === "QTY" && (el(seg, 1) === "17" || el(seg, 1) === "33")) {
      const value = x12Decimal(el(seg, 2));
      if (value === undefined)
        return elementProblem(
          "CDK_EDI_CONTENT",
          file,
          seg,
          2,
          `QTY02 (quantity) is "${el(seg, 2)}"; expected a number`,
        );
      const unit = el(seg, 3).split(context.delimiters.component ?? "\u0000")[0] ?? "";
      if (el(seg, 1) === "17") item.onHand ??= { value, qty: seg, unit };
      else item.available ??= { value, qty: seg, unit };
    }
  }
  if (w15 === undefined) {
    const where = { segment: context.st.index, line: context.st.line, tag: "ST" };
    return problemAt(
      "CDK_EDI_CONTENT",
      file,
      where,
      "the 947 has no W15 segment; expected W15 with the date and adjustment number",
    );
  }
  const asOf = x12Timestamp(
    el(w15, 1),
    /^\d{4}(\d{2})?$/.test(time) ? time : "",
    options.timeZoneOffset ?? "Z",
  );
  if (asOf === undefined)
    return elementProblem(
      "CDK_EDI_CONTENT",
      file,
      w15,
      1,
      `W15-01 (date) is "${el(w15, 1)}"; expected a date CCYYMMDD`,
    );
  if (items.length === 0)
    return elementProblem(
      "CDK_EDI_CONTENT",
      file,
      w15,
      1,
      "the 947 has no W19 line; expected at least one adjusted item",
    );
  const warehouseParty = parties.find("WH", "SF");
  const warehouse = warehouseParty?.id || options.warehouse;
  if (!warehouse)
    return elementProblem(
      "CDK_EDI_CONTENT",
      file,
      w15,
      2,
      "no N1*WH warehouse and none configured for the partner; expected one",
    );
  const adjustmentNumber = el(w15, 2).trim() || undefined;
  const depositorNumber = el(w15, 3).trim() || undefined;
  const values: unknown[] = [];
  const checks: X12Origins[] = [];
  for (const item of items) {
    const { w19 } = item;
    const reason = el(w19, 1).trim();
    if (reason === "")
      return elementProblem(
        "CDK_EDI_CONTENT",
        file,
        w19,
        1,
        "W19-01 (adjustment reason) is empty; expected a reason code",
      );
    const change = x12Decimal(el(w19, 2));
    if (change === undefined)
      return elementProblem(
        "CDK_EDI_CONTENT",
        file,
        w19,
        2,
        `W19-02 (credit/debit quantity) is "${el(w19, 2)}"; expected a number`,
      );
    const qualifiers = options.skuQualifiers ?? DEFAULT_SKU_QUALIFIERS;
    const candidates = [pickSku(w19, 5, 9, qualifiers), pickSku(w19, 17, 19, qualifiers)].filter(
      (c) => c !== undefined,
    );
    const rank = (q: string) => (qualifiers.indexOf(q) === -1 ? qualifiers.length : qualifiers.indexOf(q));
    const picked = candidates.sort((a, b) => rank(a.qualifier) - rank(b.qualifier))[0];
    const sku = picked?.sku ?? el(w19, 4).trim();
    if (!sku)
      return elementProblem(
        "CDK_EDI_CONTENT",
        file,
        w19,
        6,
        "no product id in W19-05..08, W19-17/18 or the UPC W19-04; expected the adjusted item",
      );
    const reasonText = X12_ADJUSTMENT_REASONS[reason];
    const onHand = item.onHand ?? item.available;
    if (onHand === undefined)
      return elementProblem(
        "CDK_EDI_UNSUPPORTED",
        file,
        w19,
        2,
        `the 947 changes ${sku} by ${change} ${el(w19, 3).trim()} (${reason}${reasonText ? ` ${reasonText}` : ""}) without the quantity on hand after it; the canonical model has no stock adjustment (a stock-level needs the on-hand), so the 947 is not mapped: take the 3PL's next 846, or have it add QTY*17 (on hand) after each W19`,
      );
    if (reasonText === undefined)
      context.warning(
        `${file}: segment ${w19.index} (W19-01): reason code "${reason}" is not one Crossdock knows; kept as sent`,
      );
    const available = item.available?.value ?? onHand.value;
    const reserved =
      compareDecimals(onHand.value, available) > 0 ? subtractDecimals(onHand.value, available) : "0";
    const lot = el(w19, 9).trim();
    const origins = new X12Origins(w19);
    origins.set("/sku", w19, picked?.position ?? 4);
    origins.set("/uom", w19, 3);
    origins.set("/onHand", onHand.qty, 2);
    origins.set("/available", (item.available ?? onHand).qty, 2);
    origins.set("/reserved", (item.available ?? onHand).qty, 2);
    origins.set("/asOf", w15, 1);
    origins.set("/warehouse", warehouseParty?.n1 ?? w15, warehouseParty === undefined ? undefined : 4);
    values.push({
      schemaVersion: 1,
      sku,
      warehouse,
      uom: uomFromX12(el(w19, 3)) ?? uomFromX12(onHand.unit) ?? "EA",
      onHand: onHand.value,
      reserved,
      available,
      asOf,
      source: options.connection,
      extensions: {
        [options.connection]: {
          adjustment: {
            ...(adjustmentNumber === undefined ? {} : { number: adjustmentNumber }),
            ...(depositorNumber === undefined ? {} : { depositorNumber }),
            reason,
            ...(reasonText === undefined ? {} : { reasonText }),
            quantity: change,
            ...(lot ? { lot } : {}),
            ...(Object.keys(item.refs).length > 0 ? { references: item.refs } : {}),
          },
        },
      },
    });
    checks.push(origins);
  }
  // All or nothing: every line is checked before the first record is handed over.
  const checked: unknown[] = [];
  for (const [i, value] of values.entries()) {
    const result = checkX12Record(file, "stock-level", value, checks[i]!);
    if (!result.ok) return result.problem;
    checked.push(result.value);
  }
  for (const value of checked) context.emit("stock-level", value);
  return undefined;
}

/** The 947 mapper. */
export const x12AdjustmentMapper: X12MapperFactory = {
  type: "947",
  entity: "stock-level",
  create: (context) => wholeSet(map947, context),
};
