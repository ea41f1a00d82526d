/**
 * The sandbox 3PL's reading of a 943 (warehouse stock transfer shipment advice): what the hub says is
 * on its way to the warehouse, which the 3PL receives later and confirms with a 944.
 *
 * What a 943 must hold (anything else rejects the set, located for AK3/AK4):
 * - W06-02, the depositor order number: the transfer's reference, echoed in the 944's W17-04. W06-04
 *   (shipment id) is echoed in W17-05; W06-06 or N9*PO (purchase order) in the 944's N9*PO.
 * - W04 lines: W04-01 a whole quantity 1..1,000,000 and a product id in W04-04/05 (or 06/07) by the
 *   usual qualifier preference, else the UPC in W04-03. N9*LI (line id) and N9*LT (lot) after a W04
 *   belong to it. The same SKU may come in several W04s (one per lot).
 * - W03-01, when present, must equal the sum of the W04 quantities.
 *
 * Not checked: the N1*ST warehouse (the sandbox has one), units (W04-02 is read as each), W27.
 */
import { DEFAULT_SKU_QUALIFIERS, pickSku } from "../../src/connectors/edi-x12/x12-mapping.ts";
import {
  el,
  elementProblem,
  problemAt,
  type X12Problem,
  type X12Segment,
} from "../../src/connectors/edi-x12/x12-segment.ts";

/** One W04 of a 943. */
export interface TransferLine943 {
  readonly sku: string;
  readonly quantity: number;
  readonly lineId?: string;
  readonly lot?: string;
}

/** An accepted 943: the shipment the warehouse expects. */
export interface TransferAdvice943 {
  /** W06-02. */
  readonly reference: string;
  /** W06-04. */
  readonly shipmentId: string | undefined;
  /** N9*PO, else W06-06. */
  readonly purchaseOrder: string | undefined;
  readonly lines: readonly TransferLine943[];
}

const WHOLE = /^\d{1,7}$/;

/** Maps a 943's segments to an advice; the first problem, located, otherwise. */
export function parse943(
  file: string,
  st: X12Segment,
  segments: readonly X12Segment[],
): { ok: true; value: TransferAdvice943 } | { ok: false; problem: X12Problem } {
  const fail = (problem: X12Problem) => ({ ok: false as const, problem });
  const w06 = segments.find((s) => s.tag === "W06");
  if (w06 === undefined) {
    const where = { segment: st.index, line: st.line, tag: "ST" };
    return fail(
      problemAt("CDK_EDI_CONTENT", file, where, "the 943 has no W06; expected W06 with the shipment"),
    );
  }
  const reference = el(w06, 2).trim();
  if (reference === "")
    return fail(
      elementProblem(
        "CDK_EDI_CONTENT",
        file,
        w06,
        2,
        "W06-02 (depositor order number) is empty; expected one",
      ),
    );
  const lines: { sku: string; quantity: number; lineId?: string; lot?: string }[] = [];
  let purchaseOrder: string | undefined;
  let w03: X12Segment | undefined;
  for (const seg of segments) {
    const line = lines.at(-1);
    if (seg.tag === "W04") {
      const raw = el(seg, 1).trim();
      const quantity = WHOLE.test(raw) ? Number(raw) : Number.NaN;
      if (!(quantity >= 1 && quantity <= 1_000_000))
        return fail(
          elementProblem(
            "CDK_EDI_CONTENT",
            file,
            seg,
            1,
            `W04-01 (units shipped) is "${raw}"; expected a whole number 1..1000000`,
          ),
        );
      const sku = pickSku(seg, 4, 8, DEFAULT_SKU_QUALIFIERS)?.sku ?? el(seg, 3).trim();
      if (sku === "")
        return fail(
          elementProblem("CDK_EDI_CONTENT", file, seg, 5, "no product id in W04-03..07; expected the item"),
        );
      lines.push({ sku, quantity });
    } else if (seg.tag === "N9" && el(seg, 1) === "PO") purchaseOrder ??= el(seg, 2).trim() || undefined;
    else if (seg.tag === "N9" && el(seg, 1) === "LI" && line !== undefined)
      line.lineId ??= el(seg, 2).trim() || undefined;
    else if (seg.tag === "N9" && el(seg, 1) === "LT" && line !== undefined)
      line.lot ??= el(seg, 2).trim() || undefined;
    else if (seg.tag === "W03") w03 = seg;
  }
  if (lines.length === 0)
    return fail(
      elementProblem("CDK_EDI_CONTENT", file, w06, 2, "the 943 has no W04 line; expected at least one"),
    );
  if (w03 !== undefined) {
    const total = lines.reduce((sum, l) => sum + l.quantity, 0);
    if (Number(el(w03, 1)) !== total)
      return fail(
        elementProblem(
          "CDK_EDI_CONTENT",
          file,
          w03,
          1,
          `W03-01 (total units) is "${el(w03, 1)}"; the W04 lines add up to ${total}`,
        ),
      );
  }
  return {
    ok: true,
    value: {
      reference,
      shipmentId: el(w06, 4).trim() || undefined,
      purchaseOrder: purchaseOrder ?? (el(w06, 6).trim() || undefined),
      lines,
    },
  };
}
