/**
 * INVOIC from a canonical `invoice`: BGM 380 (381 for a credit note), DTM+137 and +13 (due date),
 * RFF+ON per order, NAD+IV (customer and bill-to, RFF+VA), CUX, PAT (due days), freight as ALC+C FC
 * with MOA+23, then per line LIN (SKU as SA), IMD (name), QTY+47 with the unit, MOA+203, PRI+AAA,
 * TAX with MOA+124, ALC+A with MOA+204 per discount; the summary has MOA 79, 176 and 77 and a TAX
 * breakdown per rate (MOA 125 taxable, 124 tax). `mapInvoic` reads exactly this back.
 *
 * Prices including tax are refused (`CDK_EDI_UNSUPPORTED`): EDIFACT invoices carry net prices.
 */
import { CrossdockError } from "../../core/errors.ts";
import { sumDecimals } from "../../core/model/decimal.ts";
import type { Invoice } from "../../core/model/invoice.ts";
import { partySegments } from "./edifact-nad-writer.ts";
import { type DraftSegment, dtm, type MessageDraft, num } from "./edifact-writer.ts";

const taxSegment = (rate: string, code?: string, name?: string): DraftSegment => [
  "TAX",
  "7",
  name ?? "VAT",
  "",
  "",
  ["", "", "", num(rate)],
  code ?? "",
];

/** The INVOIC message body for one invoice. */
export function invoicDraft(invoice: Invoice): MessageDraft {
  if (invoice.pricesIncludeTax)
    throw new CrossdockError(
      "CDK_EDI_UNSUPPORTED",
      `invoice ${invoice.invoiceNumber} has tax-inclusive prices; INVOIC carries net prices`,
      {
        details: { invoiceNumber: invoice.invoiceNumber, expected: "pricesIncludeTax: false" },
      },
    );
  const segments: DraftSegment[] = [
    ["BGM", invoice.kind === "credit_note" ? "381" : "380", invoice.invoiceNumber, "9"],
    dtm("137", invoice.issuedAt),
    ...(invoice.dueDate ? [dtm("13", invoice.dueDate)] : []),
    ...(invoice.orders ?? []).map((order): DraftSegment => ["RFF", ["ON", order.channelOrderId]]),
    ...partySegments("IV", invoice.customer, invoice.billTo),
    ["CUX", ["2", invoice.currency, "4"]],
  ];
  const dueDays = invoice.paymentTerms?.dueDays;
  if (dueDays !== undefined) segments.push(["PAT", "1", "", ["5", "3", "D", String(dueDays)]]);
  for (const shipping of invoice.shippingLines ?? [])
    segments.push(["ALC", "C", "", "", "", ["FC"]], ["MOA", ["23", num(shipping.total)]]);
  invoice.lines.forEach((line, index) => {
    segments.push(["LIN", line.lineId ?? String(index + 1), "", [line.sku, "SA"]]);
    if (line.name)
      segments.push(["IMD", "F", "", ["", "", "", line.name.slice(0, 35), line.name.slice(35, 70)]]);
    segments.push(
      ["QTY", ["47", num(line.quantity), line.uom]],
      ["MOA", ["203", num(line.total)]],
      ["PRI", ["AAA", num(line.unitPrice)]],
    );
    for (const tax of (line.taxes ?? []).slice(0, 1))
      segments.push(taxSegment(tax.rate, tax.code, tax.name), ["MOA", ["124", num(tax.amount)]]);
    for (const discount of line.discounts ?? [])
      segments.push(
        ["ALC", "A", "", "", "", discount.code ? [discount.code] : ""],
        ["MOA", ["204", num(discount.amount)]],
      );
  });
  segments.push(
    ["UNS", "S"],
    ["CNT", ["2", String(invoice.lines.length)]],
    ["MOA", ["79", num(invoice.totals.subtotal)]],
    ["MOA", ["176", num(invoice.totals.taxTotal)]],
    ["MOA", ["77", num(invoice.totals.grandTotal)]],
  );
  const byRate = new Map<string, { taxable: string[]; tax: string[] }>();
  for (const line of invoice.lines)
    for (const tax of line.taxes ?? []) {
      const entry = byRate.get(tax.rate) ?? { taxable: [], tax: [] };
      entry.taxable.push(line.total);
      entry.tax.push(tax.amount);
      byRate.set(tax.rate, entry);
    }
  for (const [rate, entry] of byRate)
    segments.push(
      taxSegment(rate),
      ["MOA", ["125", num(sumDecimals(entry.taxable))]],
      ["MOA", ["124", num(sumDecimals(entry.tax))]],
    );
  return { type: "INVOIC", segments };
}
