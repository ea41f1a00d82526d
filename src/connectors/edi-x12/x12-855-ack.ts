/**
 * 855 (purchase order acknowledgement) from a supplier to the canonical `supplier-acknowledgement`: the
 * supplier's answer to the 850 the hub sent (`x12-build-850.ts`), line by line.
 *
 * - `poNumber` is BAK03 (our BEG03), `acknowledgementId` BAK08 (the seller's reference),
 *   `acknowledgedAt` BAK09 (else DTM*009 in the header, else the group's GS04/GS05, else the ISA's
 *   date), at midnight or the given time in the partner's offset. CUR02 is the currency.
 * - One line per PO1 loop: the line id is PO101 (our line id, echoed; else the loop's position), the
 *   SKU the buyer's part number (`BP`, `IN`) before the partner's qualifier preference. Each ACK in the
 *   loop says what becomes of (part of) the line: ACK01 the status, ACK02 the quantity, ACK04/ACK05 a
 *   date. Several ACKs split a line (6 now, 4 backordered to a later date).
 * - The line's status: `rejected` when every ACK rejects it (IR, ID, R1..R8); `accepted` when every
 *   ACK accepts it as ordered (IA, AC, AR, IE, SP) for the ordered quantity; else `changed` (IQ, IP,
 *   IC, DR, IB, BP, IS, IH, IF, IW, or a quantity that is not PO102). Its quantity is the sum of the
 *   non-rejected ACK02s (else PO102), its `expectedOn` the latest date of the best kind (delivery
 *   dates 067/017/069/002/371/074 before ship dates; ACK04/05, else a DTM in the loop), its `reason`
 *   what the codes say. A PO1 without an ACK follows BAK02 (accepted, or rejected for RD/RJ/RO).
 *   IP takes the new price from a CTP in the loop, else PO104; IC from a CTP only.
 * - The header `status` is computed from the lines (the model requires them to agree); a BAK02 that
 *   says otherwise is a warning, not a refusal.
 *
 * Refused (`CDK_EDI_CONTENT`, located): no BAK or an empty BAK03; BAK02 not one of AC AD AE AK AP AT RD
 * RF RJ RO; an acknowledgement without PO1 lines (BAK02 `AK`/`RJ`: the canonical record names its
 * lines, and the 855 does not); an exceptions-only 855 (AE/RF) whose listed lines are all rejected
 * (it would read as the whole order rejected); an unknown ACK01; an ACK02 or ACK05 that does not
 * read; no date at all. Everything else (SCH schedules, N1 parties, TD5) is left out.
 */
import { compareDecimals, sumDecimals } from "../../core/model/decimal.ts";
import type { SupplierAcknowledgement } from "../../core/model/supplier-acknowledgement.ts";
import { BAK02_TYPES as BAK02, DATE_RANK, type Kind, X12_ACK_CODES } from "./x12-855-codes.ts";
import {
  DEFAULT_SKU_QUALIFIERS,
  pickSku,
  productIds,
  wholeSet,
  type X12MapperFactory,
  type X12SetContext,
} from "./x12-mapping.ts";
import { emitChecked, interchangeIds, X12Origins } from "./x12-record-check.ts";
import { el, elementProblem, problemAt, type X12Problem, type X12Segment } from "./x12-segment.ts";
import { x12Date, x12Decimal, x12Timestamp } from "./x12-values.ts";

type AckLine = SupplierAcknowledgement["lines"][number];

const CTP_PRICES = new Set(["UCP", "CON", "NET", "DIS", "CAT", "PRP", "CHG", "ALT"]);

interface Loop {
  readonly po1: X12Segment;
  readonly acks: X12Segment[];
  readonly dtms: X12Segment[];
  ctp?: X12Segment;
}

interface Dated {
  readonly rank: number;
  readonly date: string;
  readonly segment: X12Segment;
  readonly position: number;
}

function pickDate(dates: readonly Dated[]): Dated | undefined {
  let best: Dated | undefined;
  for (const d of dates) {
    if (best === undefined || d.rank < best.rank || (d.rank === best.rank && d.date > best.date)) best = d;
  }
  return best;
}

function mapLine(
  loop: Loop,
  index: number,
  bak: { rejects: boolean },
  context: X12SetContext,
  origins: X12Origins,
): { line: AckLine; codes: string[] } | X12Problem {
  const { po1 } = loop;
  const file = context.file;
  const path = `/lines/${index}`;
  const rawOrdered = el(po1, 2).trim();
  const ordered = rawOrdered === "" ? undefined : x12Decimal(rawOrdered);
  if (rawOrdered !== "" && (ordered === undefined || ordered.startsWith("-")))
    return elementProblem(
      "CDK_EDI_CONTENT",
      file,
      po1,
      2,
      `PO102 (quantity ordered) is "${rawOrdered}"; expected a number`,
    );
  origins.set(path, po1);
  origins.set(`${path}/lineId`, po1, 1);
  const qualifiers = ["BP", "IN", ...(context.options.skuQualifiers ?? DEFAULT_SKU_QUALIFIERS)];
  const sku = pickSku(po1, 6, 25, qualifiers);
  if (sku !== undefined) origins.set(`${path}/sku`, po1, sku.position);
  const dates: Dated[] = [];
  const addDate = (segment: X12Segment, qualifierAt: number, dateAt: number): X12Problem | undefined => {
    const raw = el(segment, dateAt).trim();
    if (raw === "") return undefined;
    const date = x12Date(raw);
    if (date === undefined)
      return elementProblem(
        "CDK_EDI_CONTENT",
        file,
        segment,
        dateAt,
        `${segment.tag}${String(dateAt).padStart(2, "0")} (date) is "${raw}"; expected a date CCYYMMDD`,
      );
    const found = DATE_RANK.indexOf(el(segment, qualifierAt).trim());
    dates.push({ rank: found === -1 ? DATE_RANK.length : found, date, segment, position: dateAt });
    return undefined;
  };
  const codes: string[] = [];
  const kinds: Kind[] = [];
  const quantities: string[] = [];
  let quantityFrom: X12Segment | undefined;
  for (const ack of loop.acks) {
    const code = el(ack, 1).trim();
    const known = X12_ACK_CODES[code];
    if (known === undefined)
      return elementProblem(
        "CDK_EDI_CONTENT",
        file,
        ack,
        1,
        `ACK01 (line item status) is "${code}"; expected one of ${Object.keys(X12_ACK_CODES).join(" ")}`,
      );
    codes.push(code);
    kinds.push(known.kind);
    const raw = el(ack, 2).trim();
    if (raw !== "") {
      const quantity = x12Decimal(raw);
      if (quantity === undefined || quantity.startsWith("-"))
        return elementProblem(
          "CDK_EDI_CONTENT",
          file,
          ack,
          2,
          `ACK02 (quantity) is "${raw}"; expected a number, 0 or more`,
        );
      if (known.kind !== "rejected") {
        quantities.push(quantity);
        quantityFrom ??= ack;
      }
    }
    if (known.kind !== "rejected") {
      const problem = addDate(ack, 4, 5);
      if (problem !== undefined) return problem;
    }
  }
  for (const dtm of loop.dtms) {
    const problem = addDate(dtm, 1, 2);
    if (problem !== undefined) return problem;
  }
  const lineId = el(po1, 1).trim() || String(index + 1);
  const base = { lineId, ...(sku === undefined ? {} : { sku: sku.sku }) };
  const rejected = kinds.length === 0 ? bak.rejects : kinds.every((k) => k === "rejected");
  const reason = codes
    .filter((code) => X12_ACK_CODES[code]!.kind !== "accepted")
    .map((code) => `${code} ${X12_ACK_CODES[code]!.text}`)
    .join("; ")
    .slice(0, 512);
  if (rejected) {
    return {
      line: { ...base, status: "rejected", ...(reason ? { reason } : {}) },
      codes,
    };
  }
  const quantity = quantities.length > 0 ? sumDecimals(quantities) : ordered;
  if (quantity !== undefined) {
    if (quantityFrom !== undefined) origins.set(`${path}/quantity`, quantityFrom, 2);
    else origins.set(`${path}/quantity`, po1, 2);
  }
  const date = pickDate(dates);
  if (date !== undefined) origins.set(`${path}/expectedOn`, date.segment, date.position);
  const asOrdered =
    kinds.every((k) => k === "accepted") &&
    (quantity === undefined || ordered === undefined || compareDecimals(quantity, ordered) === 0);
  let unitPrice: string | undefined;
  // IP (price changed) takes the new price from a CTP, else PO104; IC (changes made) only from a CTP,
  // since its PO1 may echo the ordered price.
  if (loop.ctp !== undefined && (codes.includes("IP") || codes.includes("IC"))) {
    unitPrice = x12Decimal(el(loop.ctp, 3));
    if (unitPrice !== undefined) origins.set(`${path}/unitPrice`, loop.ctp, 3);
  } else if (codes.includes("IP")) {
    unitPrice = x12Decimal(el(po1, 4));
    if (unitPrice !== undefined) origins.set(`${path}/unitPrice`, po1, 4);
  }
  const partly = kinds.includes("rejected") ? "part of the line rejected" : "";
  const why = [reason, partly].filter(Boolean).join("; ").slice(0, 512);
  return {
    line: {
      ...base,
      status: asOrdered ? "accepted" : "changed",
      ...(quantity === undefined ? {} : { quantity }),
      ...(unitPrice === undefined ? {} : { unitPrice }),
      ...(date === undefined ? {} : { expectedOn: date.date }),
      ...(asOrdered || why === "" ? {} : { reason: why }),
    },
    codes,
  };
}

function acknowledgedAt(
  bak: X12Segment,
  dates: ReadonlyMap<string, X12Segment>,
  context: X12SetContext,
  origins: X12Origins,
): string | undefined {
  const offset = context.options.timeZoneOffset ?? "Z";
  const fromBak = x12Timestamp(el(bak, 9), "", offset);
  if (fromBak !== undefined) {
    origins.set("/acknowledgedAt", bak, 9);
    return fromBak;
  }
  const processed = dates.get("009");
  const fromDtm = processed && x12Timestamp(el(processed, 2), el(processed, 3).slice(0, 4), offset);
  if (fromDtm) return fromDtm;
  const gs = context.gs;
  const fromGs = gs && x12Timestamp(el(gs, 4), el(gs, 5).slice(0, 4), offset);
  if (fromGs) return fromGs;
  const isa = context.isa;
  return isa && x12Timestamp(el(isa, 9), el(isa, 10), offset);
}

function map855(segments: readonly X12Segment[], context: X12SetContext): X12Problem | undefined {
  const { file, options } = context;
  const origins = new X12Origins(context.st);
  const loops: Loop[] = [];
  const refs: Record<string, string> = {};
  const dates = new Map<string, X12Segment>();
  let bak: X12Segment | undefined;
  let cur: X12Segment | undefined;
  for (const seg of segments) {
    const loop = loops.at(-1);
    if (seg.tag === "BAK") bak ??= seg;
    else if (seg.tag === "CUR" && loop === undefined) cur ??= seg;
    else if (seg.tag === "PO1") loops.push({ po1: seg, acks: [], dtms: [] });
    else if (loop === undefined) {
      if (seg.tag === "REF") refs[el(seg, 1)] ??= el(seg, 2) || el(seg, 3);
      else if (seg.tag === "DTM" && !dates.has(el(seg, 1))) dates.set(el(seg, 1), seg);
    } else if (seg.tag === "ACK") loop.acks.push(seg);
    else if (seg.tag === "DTM") loop.dtms.push(seg);
    else if (seg.tag === "CTP" && CTP_PRICES.has(el(seg, 2))) loop.ctp ??= seg;
  }
  if (bak === undefined)
    return problemAt(
      "CDK_EDI_CONTENT",
      file,
      { segment: context.st.index, line: context.st.line, tag: "ST" },
      "the 855 has no BAK segment; expected BAK with the purchase order number in BAK03",
    );
  const poNumber = el(bak, 3).trim();
  if (!poNumber)
    return elementProblem(
      "CDK_EDI_CONTENT",
      file,
      bak,
      3,
      "BAK03 (purchase order number) is empty; expected the PO number of our 850",
    );
  origins.set("/poNumber", bak, 3);
  const type = el(bak, 2).trim();
  const kind = BAK02[type];
  if (kind === undefined)
    return elementProblem(
      "CDK_EDI_CONTENT",
      file,
      bak,
      2,
      `BAK02 (acknowledgement type) is "${type}"; expected one of ${Object.keys(BAK02).join(" ")}`,
    );
  if (loops.length === 0)
    return elementProblem(
      "CDK_EDI_CONTENT",
      file,
      bak,
      2,
      `BAK02 is "${type}" and the 855 has no PO1 line; expected the lines (AD, AC or RD with PO1/ACK) to know what is acknowledged`,
    );
  const lines: AckLine[] = [];
  const lineCodes: string[][] = [];
  for (const [index, loop] of loops.entries()) {
    const mapped = mapLine(loop, index, kind, context, origins);
    if ("code" in mapped) return mapped;
    lines.push(mapped.line);
    lineCodes.push(mapped.codes);
  }
  const statuses = new Set(lines.map((line) => line.status));
  const status: SupplierAcknowledgement["status"] =
    statuses.size === 1 && statuses.has("accepted")
      ? "accepted"
      : statuses.size === 1 && statuses.has("rejected")
        ? "rejected"
        : "accepted_with_changes";
  if (kind.exceptionsOnly && status === "rejected")
    return elementProblem(
      "CDK_EDI_CONTENT",
      file,
      bak,
      2,
      `BAK02 is "${type}" (exceptions only) and every listed line is rejected; without the other lines this would read as the whole order rejected`,
    );
  const stated = kind.rejects ? "rejected" : type === "AC" ? "accepted_with_changes" : "accepted";
  if (!kind.exceptionsOnly && stated !== status)
    context.warning(
      `${file}: segment ${bak.index} (BAK-02): BAK02 is "${type}" but the lines make the acknowledgement ${status}; the lines win`,
    );
  origins.set("/status", bak, 2);
  const at = acknowledgedAt(bak, dates, context, origins);
  if (at === undefined)
    return elementProblem(
      "CDK_EDI_CONTENT",
      file,
      bak,
      9,
      `BAK09 (acknowledgement date) is "${el(bak, 9)}" and no DTM*009, GS or ISA date reads; expected a date CCYYMMDD`,
    );
  const reference = el(bak, 8).trim();
  if (reference) origins.set("/acknowledgementId", bak, 8);
  const priced = lines.some((line) => line.unitPrice !== undefined);
  const currency =
    cur === undefined ? (priced ? (options.defaultCurrency ?? "USD") : undefined) : el(cur, 2).trim();
  if (cur !== undefined) origins.set("/currency", cur, 2);
  const ack = {
    schemaVersion: 1,
    poNumber,
    ...(reference ? { acknowledgementId: reference } : {}),
    status,
    acknowledgedAt: at,
    ...(currency === undefined ? {} : { currency }),
    lines,
    extensions: {
      [options.connection]: {
        purpose: el(bak, 1),
        acknowledgementType: type,
        ...(x12Date(el(bak, 4)) ? { poDate: x12Date(el(bak, 4)) } : {}),
        setControlNumber: el(context.st, 2),
        ...interchangeIds(context.isa),
        refs,
        lines: loops.map((loop, index) => ({
          lineId: lines[index]!.lineId,
          ...(el(loop.po1, 2).trim() ? { ordered: el(loop.po1, 2).trim() } : {}),
          codes: lineCodes[index]!,
          productIds: Object.fromEntries(productIds(loop.po1, 6, 25)),
        })),
      },
    },
  };
  return emitChecked(context, "supplier-acknowledgement", ack, origins);
}

/** The 855 mapper. */
export const x12AcknowledgementMapper: X12MapperFactory = {
  type: "855",
  entity: "supplier-acknowledgement",
  create: (context) => wholeSet(map855, context),
};
