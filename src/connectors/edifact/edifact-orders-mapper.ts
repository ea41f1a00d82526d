/**
 * ORDERS (D96A, D01B; EANCOM or plain UN) to a canonical `order`.
 *
 * | canonical | EDIFACT |
 * |---|---|
 * | `channelOrderId`, `orderNumber` | BGM-02-1 |
 * | `placedAt` | DTM+137 (else DTM+4), at the partner's `utcOffset` |
 * | `status` | `cancelled` when BGM-03 is 1, else `pending` |
 * | `customer` | NAD+BY (name from C080, else the party id; GLN as a ref; RFF+VA as tax id) |
 * | `shipTo`, `billTo` | NAD+DP (or ST), NAD+IV, when they carry street, city and country |
 * | `currency` | CUX-01-2, else the partner's `defaultCurrency` (warned) |
 * | `lines` | LIN groups: SKU by `itemIdPreference`, QTY+21, PRI AAA/AAB, MOA+203, TAX |
 * | `totals` | computed, or MOA 79/176/86/128 from the summary when stated |
 * | `extensions[channel]` | message ref and type, BGM codes, requested delivery (DTM+2), party ids, references, unpriced lines, every item number of a line that has several |
 *
 * A CNT+2 (number of lines) that disagrees with the LIN groups is a problem, as is a message without
 * BGM number, date, buyer or lines.
 */
import type { Order } from "../../core/model/order.ts";
import { headerCommon } from "./edifact-header.ts";
import type { MapOutcome, MappingContext } from "./edifact-mapping-context.ts";
import { nadAddress, qualified, sections } from "./edifact-message-view.ts";
import { documentTotals, pricedLines } from "./edifact-priced-lines.ts";
import { valueAt } from "./edifact-syntax.ts";

/** Maps one ORDERS message; see the module comment. */
export function mapOrders(ctx: MappingContext): MapOutcome {
  const { header, items, summary } = sections(ctx.message);
  const common = headerCommon(ctx, header, {
    number: "the order number",
    dates: ["137", "4"],
    customerRoles: ["BY"],
  });
  const { bgm, number, issuedAt, currency, customer, parties } = common;
  if (items.length === 0) ctx.problem(undefined, {}, "the order has no lines", undefined, "at least one LIN");
  const { lines, unpriced, itemNumbers } = pricedLines(ctx, items, currency ?? "EUR", {
    quantity: ["21"],
    price: ["AAA", "AAB", "INV", "CAL"],
  });
  const cnt = qualified(summary, "CNT", "2");
  if (cnt && valueAt(cnt, 1, 2) !== String(items.length))
    ctx.problem(
      cnt,
      { element: 1, component: 2 },
      "the line count does not match the LIN groups",
      valueAt(cnt, 1, 2),
      String(items.length),
    );
  const totals = documentTotals(ctx, summary, lines);
  const shipToNad = parties.find((g) => ["DP", "ST"].includes(valueAt(g.nad, 1)));
  const billToNad = parties.find((g) => valueAt(g.nad, 1) === "IV");
  const shipTo = shipToNad && nadAddress(shipToNad.nad);
  const billTo = billToNad && nadAddress(billToNad.nad);
  if (shipToNad) ctx.note("/shipTo", shipToNad.nad);
  if (billToNad) ctx.note("/billTo", billToNad.nad);
  const requested = qualified(header, "DTM", "2");
  const requestedDate = requested && ctx.date(requested);
  const notes = header
    .filter((s) => s.tag === "FTX")
    .map((s) => (s.elements[3] ?? []).join(" ").trim())
    .filter((text) => text !== "")
    .join("\n");
  if (ctx.problems.length > 0 || !bgm || !issuedAt || !currency || !customer) return ctx.finish("order", []);
  if (unpriced.length > 0)
    ctx.warnings.push(
      `message ${ctx.message.reference}: ${unpriced.length} line(s) without PRI kept at price 0 (to be priced by the supplier)`,
    );
  const order: Order = {
    schemaVersion: 1,
    channel: ctx.channel,
    channelOrderId: number,
    orderNumber: number,
    status: valueAt(bgm, 3) === "1" ? "cancelled" : "pending",
    placedAt: issuedAt,
    customer,
    ...(billTo ? { billTo } : {}),
    ...(shipTo ? { shipTo } : {}),
    currency,
    pricesIncludeTax: false,
    lines,
    totals,
    ...(notes === "" ? {} : { notes: notes.slice(0, 4_000) }),
    extensions: {
      [ctx.channel]: {
        ...common.extension,
        ...(requestedDate ? { requestedDelivery: requestedDate.date } : {}),
        ...(unpriced.length > 0 ? { unpricedLines: unpriced } : {}),
        ...(Object.keys(itemNumbers).length > 0 ? { itemNumbers } : {}),
      },
    },
  };
  return ctx.finish("order", [order]);
}
