/**
 * The sandbox trading partner as a customer: the hub's 856 (ship notice) for the partner's own 850. A
 * small extraction of what a buyer checks, not the hub's product mapper: BSN02 (the shipment id),
 * PRF01 (its PO number), TD503 (the carrier), REF*BM and MAN*CP (tracking), and per item LIN (the
 * `VP` product id, else the first) with its SN1 quantity. The HL tree is not checked.
 *
 * Refused, located (`CDK_EDI_CONTENT`, AK3/AK4 in the 997): no BSN or an empty BSN02; no PRF or an
 * empty PRF01; PRFs naming different purchase orders (the sandbox keeps one PO per 856); a LIN without
 * a product id or without an SN1 after it; an SN1 without a LIN; an SN102 that is not a number, 0 or
 * more; no item at all.
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
import { x12Decimal } from "../../src/connectors/edi-x12/x12-values.ts";
import { addDecimals } from "../../src/core/model/decimal.ts";

/** An 856 the partner received for one of its purchase orders. */
export interface ReceivedShipNotice {
  /** BSN02. */
  readonly shipmentId: string;
  /** TD503 (the carrier's SCAC or code), when given. */
  readonly carrier?: string;
  /** REF*BM, then each MAN*CP, without repeats. */
  readonly trackingNumbers: readonly string[];
  /** What shipped, per SKU (SN102 summed over the packs), in order of first appearance. */
  readonly lines: readonly { readonly sku: string; readonly quantity: string }[];
  /** The inbound file it came in. */
  readonly file: string;
}

const SKU_QUALIFIERS = ["VP", ...DEFAULT_SKU_QUALIFIERS];

function read856(
  segments: readonly X12Segment[],
  context: X12SetContext,
  keep: (st: X12Segment, poNumber: string, notice: ReceivedShipNotice) => void,
): X12Problem | undefined {
  const { file, st } = context;
  const atSt = (what: string) =>
    problemAt("CDK_EDI_CONTENT", file, { segment: st.index, line: st.line, tag: "ST" }, what);
  let bsn: X12Segment | undefined;
  let prf: X12Segment | undefined;
  let carrier: string | undefined;
  const tracking = new Set<string>();
  const shipped = new Map<string, string>();
  let pending: { lin: X12Segment; sku: string } | undefined;
  const noSn1 = (lin: X12Segment) =>
    problemAt(
      "CDK_EDI_CONTENT",
      file,
      { segment: lin.index, line: lin.line, tag: "LIN" },
      "a LIN without an SN1 after it; expected SN1 with the quantity shipped",
    );
  for (const seg of segments) {
    if (pending !== undefined && (seg.tag === "LIN" || seg.tag === "HL" || seg.tag === "CTT"))
      return noSn1(pending.lin);
    if (seg.tag === "BSN") bsn ??= seg;
    else if (seg.tag === "TD5" && carrier === undefined && el(seg, 3).trim() !== "")
      carrier = el(seg, 3).trim();
    else if ((seg.tag === "REF" && el(seg, 1) === "BM") || (seg.tag === "MAN" && el(seg, 1) === "CP")) {
      if (el(seg, 2).trim() !== "") tracking.add(el(seg, 2).trim());
    } else if (seg.tag === "PRF") {
      const poNumber = el(seg, 1).trim();
      if (poNumber === "")
        return elementProblem(
          "CDK_EDI_CONTENT",
          file,
          seg,
          1,
          "PRF01 (purchase order number) is empty; expected the PO number of the partner's 850",
        );
      if (prf !== undefined && poNumber !== el(prf, 1).trim())
        return elementProblem(
          "CDK_EDI_CONTENT",
          file,
          seg,
          1,
          `PRF01 is "${poNumber}" after "${el(prf, 1).trim()}"; the sandbox partner reads one purchase order per 856`,
        );
      prf ??= seg;
    } else if (seg.tag === "LIN") {
      const sku = pickSku(seg, 2, 31, SKU_QUALIFIERS);
      if (sku === undefined)
        return elementProblem(
          "CDK_EDI_CONTENT",
          file,
          seg,
          3,
          "LIN03 (product id) is empty; expected the SKU (VP)",
        );
      pending = { lin: seg, sku: sku.sku };
    } else if (seg.tag === "SN1") {
      if (pending === undefined)
        return problemAt(
          "CDK_EDI_CONTENT",
          file,
          { segment: seg.index, line: seg.line, tag: "SN1" },
          "an SN1 without a LIN before it; expected LIN naming the item",
        );
      const raw = el(seg, 2).trim();
      const quantity = x12Decimal(raw);
      if (quantity === undefined || quantity.startsWith("-"))
        return elementProblem(
          "CDK_EDI_CONTENT",
          file,
          seg,
          2,
          `SN102 (units shipped) is "${raw}"; expected a number, 0 or more`,
        );
      shipped.set(pending.sku, addDecimals(shipped.get(pending.sku) ?? "0", quantity));
      pending = undefined;
    }
  }
  if (pending !== undefined) return noSn1(pending.lin);
  if (bsn === undefined)
    return atSt("the 856 has no BSN segment; expected BSN with the shipment id in BSN02");
  const shipmentId = el(bsn, 2).trim();
  if (shipmentId === "")
    return elementProblem(
      "CDK_EDI_CONTENT",
      file,
      bsn,
      2,
      "BSN02 (shipment id) is empty; expected the shipment id",
    );
  if (prf === undefined)
    return atSt("the 856 has no PRF segment; expected PRF with the partner's PO number at the order level");
  if (shipped.size === 0) return atSt("the 856 ships no item; expected LIN and SN1 at the item level");
  keep(st, el(prf, 1).trim(), {
    shipmentId,
    ...(carrier === undefined ? {} : { carrier }),
    trackingNumbers: [...tracking],
    lines: [...shipped].map(([sku, quantity]) => ({ sku, quantity })),
    file,
  });
  return undefined;
}

/** The 856 reader; `keep` gets PRF01 and the ship notice of each 856 that reads. */
export function shipNotice856Mapper(
  keep: (st: X12Segment, poNumber: string, notice: ReceivedShipNotice) => void,
): X12MapperFactory {
  return {
    type: "856",
    entity: "shipment",
    create: (context) => wholeSet((segments, ctx) => read856(segments, ctx, keep), context),
  };
}
