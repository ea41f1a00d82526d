/**
 * INVOIC (D96A, D97A, ...) to a canonical `invoice`.
 *
 * | canonical | EDIFACT |
 * |---|---|
 * | `invoiceNumber` | BGM-02-1 |
 * | `kind` | `credit_note` when BGM-01-1 is 381, else `invoice` |
 * | `status` | `posted` (a received invoice is final) |
 * | `issuedAt` | DTM+137 (else DTM+3) |
 * | `dueDate` | DTM+13 or DTM+140 |
 * | `orders` | header RFF+ON |
 * | `customer`, `billTo` | NAD+IV (else BT, BY) |
 * | `paymentTerms` | first PAT: `dueDays` from PAT-03 when its unit is D (days) |
 * | `shippingLines` | header ALC+C with service code FC (freight), amount in MOA+23 (or 8) |
 * | line `discounts` | ALC+A in the line group, amount in MOA+204 (or 8) |
 * | `lines` | LIN groups: QTY+47 (else 12, 46), PRI AAA/INV/AAB, MOA+203, TAX with MOA+124 |
 * | `totals` | MOA 79 (lines), 176 (tax), 77/86/128/9 (invoice amount) when stated, else computed |
 *
 * Other allowances and charges are not applied (warned); the stated totals then disagree with
 * the lines and the invoice is refused with the difference, which is the honest answer.
 */
import type { Invoice } from "../../core/model/invoice.ts";
import { headerCommon } from "./edifact-header.ts";
import type { MapOutcome, MappingContext } from "./edifact-mapping-context.ts";
import { nadAddress, qualified, sections } from "./edifact-message-view.ts";
import { documentTotals, pricedLines, shippingCharges } from "./edifact-priced-lines.ts";
import { valueAt } from "./edifact-syntax.ts";

/** Maps one INVOIC message; see the module comment. */
export function mapInvoic(ctx: MappingContext): MapOutcome {
  const { header, items, summary } = sections(ctx.message);
  const common = headerCommon(ctx, header, {
    number: "the invoice number",
    dates: ["137", "3"],
    customerRoles: ["IV", "BT", "BY"],
    paths: { number: "/invoiceNumber", date: "/issuedAt" },
  });
  const { bgm, number, issuedAt, currency, customer, parties, references } = common;
  if (items.length === 0)
    ctx.problem(undefined, {}, "the invoice has no lines", undefined, "at least one LIN");
  const { lines, unpriced } = pricedLines(ctx, items, currency ?? "EUR", {
    quantity: ["47", "12", "46"],
    price: ["AAA", "INV", "AAB", "CAL"],
  });
  if (unpriced.length > 0)
    ctx.problem(
      items[0]?.lin,
      {},
      `${unpriced.length} invoice line(s) have no price`,
      undefined,
      "PRI on every line",
    );
  const shippingLines = shippingCharges(ctx, header);
  const totals = documentTotals(ctx, summary, lines, shippingLines);
  const due = qualified(header, "DTM", "13", "140");
  const dueDate = due && ctx.date(due);
  if (due) ctx.note("/dueDate", due, 1, 2);
  const billToNad = parties.find((g) => ["IV", "BT"].includes(valueAt(g.nad, 1)));
  const billTo = billToNad && nadAddress(billToNad.nad);
  const orders = references
    .filter((s) => valueAt(s, 1) === "ON" && valueAt(s, 1, 2).trim() !== "")
    .map((s) => ({ channel: ctx.channel, channelOrderId: valueAt(s, 1, 2).trim() }));
  const pat = qualified(header, "PAT");
  const dueDays = pat && valueAt(pat, 3, 3) === "D" ? Number(valueAt(pat, 3, 4)) : undefined;
  if (ctx.problems.length > 0 || !bgm || !issuedAt || !currency || !customer)
    return ctx.finish("invoice", []);
  const invoice: Invoice = {
    schemaVersion: 1,
    invoiceNumber: number,
    kind: valueAt(bgm, 1) === "381" ? "credit_note" : "invoice",
    status: "posted",
    issuedAt,
    ...(dueDate ? { dueDate: dueDate.date } : {}),
    ...(orders.length > 0 ? { orders: orders.slice(0, 100) } : {}),
    customer,
    ...(billTo ? { billTo } : {}),
    currency,
    pricesIncludeTax: false,
    lines,
    ...(shippingLines.length > 0 ? { shippingLines } : {}),
    ...(dueDays !== undefined && Number.isInteger(dueDays) ? { paymentTerms: { dueDays } } : {}),
    totals,
    extensions: { [ctx.channel]: common.extension },
  };
  return ctx.finish("invoice", [invoice]);
}
