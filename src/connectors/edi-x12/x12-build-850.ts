/**
 * 850 (purchase order) to a supplier from a canonical `purchase-order`: the hub as the buyer.
 *
 * - BEG: BEG01 purpose (`00` original; `07` duplicate for a resend of the same order, so the supplier
 *   knows it is not a second order), BEG02 `SA` (stand-alone), BEG03 the PO number (echoed in the
 *   855's BAK03 and later in the 856 and 810), BEG05 the order date (UTC).
 * - CUR*BY the currency; REF*IL the buyer's internal order number (the Odoo name) when given;
 *   DTM*002 (delivery requested) the purchase's `expectedOn`; ITD the payment terms when given.
 * - N1 loops: BY the buyer (us, from the options), ST the ship-to (the purchase's address with N3/N4,
 *   the warehouse code as its `92` id), SE the selling party (the supplier, its code as `92` id).
 * - Per line: PO1 with the line id, quantity, unit (Rec 20 written as X12: `C62` is `EA`), unit price,
 *   then `VP` the supplier's SKU when known and `BP` our SKU; PID*F the description; DTM*002 the line's
 *   `expectedOn`. CTT: the number of PO1 lines and the sum of their quantities (hash total).
 *
 * Left out: taxes and charges (SAC/TXI: Odoo prices the order), per-line discounts, shipping lines
 * (TD5 routing is agreed per supplier), and line-level ship-to (SDQ).
 */
import { sumDecimals } from "../../core/model/decimal.ts";
import type { PurchaseOrder } from "../../core/model/purchase-order.ts";
import { toX12DateTime, uomToX12 } from "./x12-values.ts";
import type { X12SetBody } from "./x12-writer.ts";

/** What the 850 needs besides the purchase. */
export interface Build850Options {
  /** N1*BY: who buys (the distributor), with its id for the supplier (`92` assigned by the buyer). */
  readonly buyer: { readonly name: string; readonly id?: string; readonly idQualifier?: string };
  /** BEG01: `00` original (default), `07` duplicate (a resend), `01` cancellation. */
  readonly purpose?: "00" | "01" | "07";
  /** REF*IL: the buyer's own order reference (the Odoo purchase name), when it differs from BEG03. */
  readonly internalReference?: string;
}

const date = (iso: string) => iso.replaceAll("-", "");

export function build850(purchase: PurchaseOrder, options: Build850Options): X12SetBody {
  const segments: string[][] = [];
  segments.push([
    "BEG",
    options.purpose ?? "00",
    "SA",
    purchase.poNumber,
    "",
    toX12DateTime(purchase.orderedAt).date,
  ]);
  segments.push(["CUR", "BY", purchase.currency]);
  if (options.internalReference !== undefined && options.internalReference !== purchase.poNumber)
    segments.push(["REF", "IL", options.internalReference]);
  const terms = purchase.paymentTerms;
  if (terms !== undefined) {
    // ITD01 `01` basic terms; ITD07 net days; ITD12 the description.
    const days = terms.dueDays === undefined ? "" : String(terms.dueDays);
    segments.push(["ITD", "01", "3", "", "", "", "", days, "", "", "", "", terms.name ?? terms.code ?? ""]);
  }
  if (purchase.expectedOn !== undefined) segments.push(["DTM", "002", date(purchase.expectedOn)]);
  const buyer = options.buyer;
  segments.push(
    buyer.id === undefined
      ? ["N1", "BY", buyer.name]
      : ["N1", "BY", buyer.name, buyer.idQualifier ?? "92", buyer.id],
  );
  const to = purchase.shipTo;
  if (to !== undefined || purchase.warehouse !== undefined) {
    const name = to?.name ?? to?.company ?? buyer.name;
    segments.push(
      purchase.warehouse === undefined ? ["N1", "ST", name] : ["N1", "ST", name, "92", purchase.warehouse],
    );
    if (to !== undefined) {
      segments.push(["N3", to.street, to.street2 ?? ""]);
      segments.push(["N4", to.city, to.region ?? "", to.postalCode ?? "", to.countryCode]);
    }
  }
  const supplier = purchase.supplier;
  segments.push(
    supplier.code === undefined
      ? ["N1", "SE", supplier.name]
      : ["N1", "SE", supplier.name, "92", supplier.code],
  );
  for (const line of purchase.lines) {
    const ids = line.supplierSku === undefined ? [] : ["VP", line.supplierSku];
    segments.push([
      "PO1",
      line.lineId,
      line.quantity,
      uomToX12(line.uom),
      line.unitPrice,
      "",
      ...ids,
      "BP",
      line.sku,
    ]);
    // PID05 is 80 characters at most.
    if (line.name !== undefined) segments.push(["PID", "F", "", "", "", line.name.slice(0, 80)]);
    if (line.expectedOn !== undefined) segments.push(["DTM", "002", date(line.expectedOn)]);
  }
  segments.push([
    "CTT",
    String(purchase.lines.length),
    sumDecimals(purchase.lines.map((line) => line.quantity)),
  ]);
  return { type: "850", segments };
}
