/**
 * The sandbox trading partner as a customer: the hub's 810 (invoice) for the partner's own 850. A small
 * extraction of what a buyer checks, not the hub's product mapper: BIG02 (the invoice number), BIG04
 * (its PO number), per IT1 the quantity, unit price and product id (`VP`, else the first), TDS01 the
 * total (type N2: `"39817"` is `"398.17"`), and SAC `C`/`D240` freight charges (SAC05, N2).
 *
 * Refused, located (`CDK_EDI_CONTENT`, AK3/AK4 in the 997): no BIG, an empty BIG02 or BIG04; an IT1
 * without a product id, or whose IT102 (0 or more) or IT104 is not a number; no IT1; no TDS, or a TDS01
 * or freight SAC05 that is not an N2 amount.
 */
import {
  DEFAULT_SKU_QUALIFIERS,
  pickSku,
  wholeSet,
  type X12MapperFactory,
  type X12SetContext,
} from "../../src/connectors/edi-x12/x12-mapping.ts";
import {
  el,
  elementProblem,
  problemAt,
  type X12Problem,
  type X12Segment,
} from "../../src/connectors/edi-x12/x12-segment.ts";
import { x12Decimal, x12ImpliedDecimal } from "../../src/connectors/edi-x12/x12-values.ts";
import { addDecimals } from "../../src/core/model/decimal.ts";

/** An 810 the partner received for one of its purchase orders. */
export interface ReceivedInvoice {
  /** BIG02. */
  readonly invoiceNumber: string;
  /** TDS01 as a decimal string. */
  readonly total: string;
  /** SAC `C`/`D240` amounts summed, when there are any. */
  readonly freight?: string;
  /** One per IT1, in order. */
  readonly lines: readonly { readonly sku: string; readonly quantity: string; readonly unitPrice: string }[];
  /** The inbound file it came in. */
  readonly file: string;
}

const SKU_QUALIFIERS = ["VP", ...DEFAULT_SKU_QUALIFIERS];

function read810(
  segments: readonly X12Segment[],
  context: X12SetContext,
  keep: (st: X12Segment, poNumber: string, invoice: ReceivedInvoice) => void,
): X12Problem | undefined {
  const { file, st } = context;
  const atSt = (what: string) =>
    problemAt("CDK_EDI_CONTENT", file, { segment: st.index, line: st.line, tag: "ST" }, what);
  /** The element read by `read`, else a problem saying what was found and what was expected. */
  const value = (
    seg: X12Segment,
    position: number,
    what: string,
    read: (raw: string) => string | undefined,
  ): string | X12Problem => {
    const raw = el(seg, position).trim();
    const ref = `${seg.tag}${String(position).padStart(2, "0")}`;
    return (
      read(raw) ??
      elementProblem("CDK_EDI_CONTENT", file, seg, position, `${ref} is "${raw}"; expected ${what}`)
    );
  };
  const n2 = (raw: string) => x12ImpliedDecimal(raw, 2);
  let big: X12Segment | undefined;
  let total: string | undefined;
  let freight: string | undefined;
  const lines: ReceivedInvoice["lines"][number][] = [];
  for (const seg of segments) {
    if (seg.tag === "BIG") big ??= seg;
    else if (seg.tag === "IT1") {
      const sku = pickSku(seg, 6, 25, SKU_QUALIFIERS);
      if (sku === undefined)
        return elementProblem(
          "CDK_EDI_CONTENT",
          file,
          seg,
          7,
          "IT107 (product id) is empty; expected the SKU (VP)",
        );
      const quantity = value(seg, 2, "the quantity invoiced, 0 or more", (raw) => {
        const q = x12Decimal(raw);
        return q?.startsWith("-") ? undefined : q;
      });
      if (typeof quantity !== "string") return quantity;
      const unitPrice = value(seg, 4, "the unit price, a number", x12Decimal);
      if (typeof unitPrice !== "string") return unitPrice;
      lines.push({ sku: sku.sku, quantity, unitPrice });
    } else if (seg.tag === "TDS" && total === undefined) {
      const amount = value(seg, 1, 'the invoice total with 2 implied decimals ("39817")', n2);
      if (typeof amount !== "string") return amount;
      total = amount;
    } else if (seg.tag === "SAC" && el(seg, 1) === "C" && el(seg, 2) === "D240") {
      const amount = value(seg, 5, 'the freight amount with 2 implied decimals ("990")', n2);
      if (typeof amount !== "string") return amount;
      freight = addDecimals(freight ?? "0", amount);
    }
  }
  if (big === undefined)
    return atSt("the 810 has no BIG segment; expected BIG with the invoice and PO numbers");
  const invoiceNumber = el(big, 2).trim();
  if (invoiceNumber === "")
    return elementProblem(
      "CDK_EDI_CONTENT",
      file,
      big,
      2,
      "BIG02 (invoice number) is empty; expected the invoice number",
    );
  const poNumber = el(big, 4).trim();
  if (poNumber === "")
    return elementProblem(
      "CDK_EDI_CONTENT",
      file,
      big,
      4,
      "BIG04 (purchase order number) is empty; expected the PO number of the partner's 850",
    );
  if (lines.length === 0) return atSt("the 810 has no IT1 line; expected the invoiced lines");
  if (total === undefined) return atSt("the 810 has no TDS segment; expected TDS01 with the invoice total");
  keep(st, poNumber, { invoiceNumber, total, ...(freight === undefined ? {} : { freight }), lines, file });
  return undefined;
}

/** The 810 reader; `keep` gets BIG04 and the invoice of each 810 that reads. */
export function invoice810Mapper(
  keep: (st: X12Segment, poNumber: string, invoice: ReceivedInvoice) => void,
): X12MapperFactory {
  return {
    type: "810",
    entity: "invoice",
    create: (context) => wholeSet((segments, ctx) => read810(segments, ctx, keep), context),
  };
}
