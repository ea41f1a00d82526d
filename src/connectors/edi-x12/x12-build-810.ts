/**
 * 810 (invoice) from a canonical `invoice`. BIG carries the invoice date and number, the first order's
 * channel order id (the customer's PO number) and BIG07 `CR` for a credit note (`DI` otherwise). Lines
 * are IT1 (quantity, unit, unit price, VP = SKU) with PID for the name and a SAC allowance (`C310`) per
 * line discount; shipping lines are SAC charges
 * (`D240` freight); TDS is the grand total and TXI the tax total. Amounts in TDS and SAC are type N2
 * (implied two decimals), so they are rounded half-even to cents.
 */
import { roundHalfEven } from "../../core/model/decimal.ts";
import type { Invoice } from "../../core/model/invoice.ts";
import { moreProductIds, type X12ProductIds } from "./x12-build-855.ts";
import { toImpliedDecimal, toX12DateTime, uomToX12 } from "./x12-values.ts";
import type { X12SetBody } from "./x12-writer.ts";

const n2 = (amount: string) => toImpliedDecimal(roundHalfEven(amount, 2), 2);

export function build810(invoice: Invoice, options: { productIds?: X12ProductIds } = {}): X12SetBody {
  const segments: string[][] = [];
  const issued = toX12DateTime(invoice.issuedAt).date;
  const po = invoice.orders?.[0]?.channelOrderId ?? "";
  segments.push([
    "BIG",
    issued,
    invoice.invoiceNumber,
    "",
    po,
    "",
    "",
    invoice.kind === "credit_note" ? "CR" : "DI",
  ]);
  segments.push(["CUR", "SE", invoice.currency]);
  const bill = invoice.billTo;
  segments.push([
    "N1",
    "BT",
    invoice.customer.name,
    ...(invoice.customer.code ? ["92", invoice.customer.code] : []),
  ]);
  if (bill !== undefined) {
    segments.push(["N3", bill.street, bill.street2 ?? ""]);
    segments.push(["N4", bill.city, bill.region ?? "", bill.postalCode ?? "", bill.countryCode]);
  }
  if (invoice.paymentTerms !== undefined) {
    const terms = invoice.paymentTerms;
    segments.push([
      "ITD",
      terms.code ?? "",
      "",
      "",
      "",
      "",
      "",
      terms.dueDays === undefined ? "" : String(terms.dueDays),
      "",
      "",
      "",
      "",
      terms.name ?? "",
    ]);
  }
  if (invoice.dueDate !== undefined) segments.push(["DTM", "814", invoice.dueDate.replaceAll("-", "")]);
  for (const [index, line] of invoice.lines.entries()) {
    segments.push([
      "IT1",
      line.lineId ?? String(index + 1),
      line.quantity,
      uomToX12(line.uom),
      line.unitPrice,
      "",
      "VP",
      line.sku,
      ...moreProductIds(options.productIds, line.sku),
    ]);
    if (line.name !== undefined) segments.push(["PID", "F", "", "", "", line.name.slice(0, 80)]);
    // Each line discount as an allowance (C310 discount), its percent against the gross (SAC06 3), the
    // promotion code as SAC13.
    for (const discount of line.discounts ?? []) {
      segments.push([
        "SAC",
        "A",
        "C310",
        "",
        "",
        n2(discount.amount),
        discount.rate === undefined ? "" : "3",
        discount.rate ?? "",
        "",
        "",
        "",
        "",
        "",
        (discount.code ?? "").slice(0, 30),
        "",
        (discount.description ?? "").slice(0, 80),
      ]);
    }
  }
  segments.push(["TDS", n2(invoice.totals.grandTotal)]);
  if (invoice.totals.taxTotal !== "0")
    segments.push(["TXI", "TX", roundHalfEven(invoice.totals.taxTotal, 2)]);
  for (const shipping of invoice.shippingLines ?? []) {
    segments.push([
      "SAC",
      "C",
      "D240",
      "",
      "",
      n2(shipping.total),
      "",
      "",
      "",
      "",
      "",
      "",
      "",
      "",
      "",
      shipping.method ?? "Freight",
    ]);
  }
  segments.push(["CTT", String(invoice.lines.length)]);
  return { type: "810", segments };
}
