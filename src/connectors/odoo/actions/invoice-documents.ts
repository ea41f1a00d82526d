/**
 * Odoo's customer invoices of one order as canonical `invoice` documents, for channels that are sent
 * the invoice itself (an EDI customer's 810): the move's number, dates, state and totals, and its
 * product lines. A line whose product is on the order carries the order line's id, unit and SKU (a
 * customer matches IT101 to its PO101), and Odoo's discount percent as a discount; a line of the
 * shipping product is a shipping line; any other product line (a fee added in Odoo) is a line of its
 * own; lines without a product (sections, notes) are left out. Amounts are Odoo's, as decimal
 * strings: nothing is recomputed.
 */
import { CrossdockError } from "../../../core/errors.ts";
import { sumDecimals, trimDecimal } from "../../../core/model/decimal.ts";
import type { Invoice } from "../../../core/model/invoice.ts";
import type { Order } from "../../../core/model/order.ts";
import type { Discount } from "../../../core/model/priced-lines.ts";
import type { OdooClient } from "../odoo-client.ts";
import { toDecimalString } from "../odoo-events.ts";

type Ref = [number, string] | false;

interface MoveRow {
  id: number;
  name: string;
  move_type: string;
  state: string;
  payment_state: string;
  invoice_date: string | false;
  invoice_date_due: string | false;
  amount_tax: number;
  amount_total: number;
  amount_residual: number;
  currency_id: Ref;
  invoice_line_ids: number[];
}

interface LineRow {
  id: number;
  move_id: Ref;
  product_id: Ref;
  name: string | false;
  quantity: number;
  price_unit: number;
  discount: number;
  price_subtotal: number;
  price_total: number;
  tax_ids: number[];
}

interface TaxRow {
  id: number;
  name: string;
  amount: number;
  amount_type: string;
}

const MOVE_FIELDS = [
  "name",
  "move_type",
  "state",
  "payment_state",
  "invoice_date",
  "invoice_date_due",
  "amount_tax",
  "amount_total",
  "amount_residual",
  "currency_id",
  "invoice_line_ids",
];
const LINE_FIELDS = [
  "move_id",
  "product_id",
  "name",
  "quantity",
  "price_unit",
  "discount",
  "price_subtotal",
  "price_total",
  "tax_ids",
];

/** Odoo's float as a decimal string to `places`, without trailing fraction zeros beyond `keep`. */
const decimal = (value: number, places: number, keep: number) =>
  trimDecimal(toDecimalString(value, places), keep);

const money = (value: number) => decimal(value, 6, 2);

/** Odoo's line discount (a percent of quantity x unit price) as the amount it took off. */
function lineDiscount(row: LineRow): Discount | undefined {
  if (!row.discount) return undefined;
  const gross = Math.round(row.quantity * row.price_unit * 100) / 100;
  const amount = Math.round((gross - row.price_subtotal) * 100) / 100;
  if (amount <= 0) return undefined;
  return { amount: money(amount), rate: decimal(row.discount, 4, 0) };
}

/**
 * A line's taxes: what Odoo charged on it (`price_total - price_subtotal`), split over its percent
 * taxes by rate (the last one takes the rounding); one tax of the computed rate when Odoo's taxes are
 * not all percentages. None when nothing was charged.
 */
function lineTaxes(
  row: LineRow,
  taxes: ReadonlyMap<number, TaxRow>,
): NonNullable<Invoice["lines"][number]["taxes"]> | undefined {
  const charged = Math.round((row.price_total - row.price_subtotal) * 100) / 100;
  if (charged === 0) return undefined;
  const own = (row.tax_ids ?? []).flatMap((id) => (taxes.has(id) ? [taxes.get(id) as TaxRow] : []));
  if (own.length === 0 || own.some((t) => t.amount_type !== "percent") || row.price_subtotal === 0) {
    const rate = row.price_subtotal === 0 ? 0 : (charged / row.price_subtotal) * 100;
    return [
      {
        ...(own[0] ? { name: own[0].name.slice(0, 128) } : {}),
        rate: decimal(Math.abs(rate), 4, 0),
        amount: money(charged),
      },
    ];
  }
  let left = charged;
  return own.map((tax, i) => {
    const amount = i === own.length - 1 ? left : Math.round(row.price_subtotal * tax.amount) / 100;
    left = Math.round((left - amount) * 100) / 100;
    return { name: tax.name.slice(0, 128), rate: decimal(tax.amount, 4, 0), amount: money(amount) };
  });
}

function status(move: MoveRow): Invoice["status"] {
  if (move.state === "draft") return "draft";
  if (move.state === "cancel") return "cancelled";
  if (move.payment_state === "paid" || move.payment_state === "in_payment") return "paid";
  if (move.payment_state === "partial") return "partially_paid";
  return "posted";
}

export async function readInvoiceDocuments(
  client: OdooClient,
  invoiceIds: readonly number[],
  options: { order: Order; system: string; shippingSku?: string; now: () => number },
): Promise<Invoice[]> {
  if (invoiceIds.length === 0) return [];
  const { order } = options;
  const moves = await client.read<MoveRow>("account.move", [...invoiceIds], MOVE_FIELDS);
  const lineIds = moves.flatMap((m) => m.invoice_line_ids);
  const lines =
    lineIds.length === 0 ? [] : await client.read<LineRow>("account.move.line", lineIds, LINE_FIELDS);
  const productIds = [...new Set(lines.flatMap((l) => (l.product_id ? [l.product_id[0]] : [])))];
  const products =
    productIds.length === 0
      ? []
      : await client.read<{ id: number; default_code: string | false }>("product.product", productIds, [
          "default_code",
        ]);
  const skuOf = new Map(products.map((p) => [p.id, p.default_code || `odoo-product-${p.id}`]));
  const taxIds = [...new Set(lines.flatMap((l) => l.tax_ids ?? []))];
  const taxes = new Map(
    (taxIds.length === 0
      ? []
      : await client.read<TaxRow>("account.tax", taxIds, ["name", "amount", "amount_type"])
    ).map((t) => [t.id, t]),
  );
  const taxesOf = (row: LineRow) => lineTaxes(row, taxes);
  const orderLines = new Map(
    order.lines.map((line, i) => [line.sku, { line, lineId: line.lineId ?? String(i + 1) }]),
  );
  return moves.map((move) => {
    const own = lines.filter((l) => l.move_id && l.move_id[0] === move.id && l.product_id);
    const invoiceLines: Invoice["lines"] = [];
    const shippingLines: NonNullable<Invoice["shippingLines"]> = [];
    for (const row of own) {
      const sku = skuOf.get((row.product_id as [number, string])[0]) as string;
      const total = money(row.price_subtotal);
      if (options.shippingSku !== undefined && sku === options.shippingSku) {
        const price = money(row.price_unit * row.quantity);
        const lineTax = taxesOf(row);
        shippingLines.push({
          method: row.name || "Freight",
          price,
          ...(lineTax ? { taxes: lineTax } : {}),
          total,
        });
        continue;
      }
      const ordered = orderLines.get(sku);
      const discount = lineDiscount(row);
      const lineTax = taxesOf(row);
      invoiceLines.push({
        ...(ordered ? { lineId: ordered.lineId } : {}),
        sku,
        ...(row.name ? { name: row.name.slice(0, 2_000) } : {}),
        quantity: decimal(row.quantity, 6, 0),
        uom: ordered?.line.uom ?? "C62",
        unitPrice: decimal(row.price_unit, 6, 2),
        ...(discount ? { discounts: [discount] } : {}),
        ...(lineTax ? { taxes: lineTax } : {}),
        total,
      });
    }
    if (invoiceLines.length === 0) {
      throw new CrossdockError(
        "CDK_ODOO_REJECTED",
        `invoice ${move.name} of order ${order.channel}:${order.channelOrderId} has no product lines to send`,
        { details: { invoiceId: move.id, name: move.name } },
      );
    }
    const sum = (values: string[]) => (values.length === 0 ? "0" : sumDecimals(values));
    const subtotal = sum(invoiceLines.map((l) => l.total));
    const shippingTotal = sum(shippingLines.map((l) => l.total));
    const issued = move.invoice_date || new Date(options.now()).toISOString().slice(0, 10);
    const invoice: Invoice = {
      schemaVersion: 1,
      invoiceNumber: move.name,
      kind: move.move_type === "out_refund" ? "credit_note" : "invoice",
      status: status(move),
      issuedAt: `${issued}T00:00:00Z`,
      ...(move.invoice_date_due ? { dueDate: move.invoice_date_due } : {}),
      orders: [
        {
          channel: order.channel,
          channelOrderId: order.channelOrderId,
          ...(order.orderNumber ? { orderNumber: order.orderNumber } : {}),
        },
      ],
      customer: order.customer,
      ...(order.billTo ? { billTo: order.billTo } : {}),
      currency: move.currency_id ? move.currency_id[1] : order.currency,
      pricesIncludeTax: false,
      lines: invoiceLines,
      ...(shippingLines.length > 0 ? { shippingLines } : {}),
      totals: {
        subtotal,
        discountTotal: "0",
        shippingTotal,
        taxTotal: money(move.amount_tax),
        grandTotal: money(move.amount_total),
      },
      amountDue: money(move.amount_residual),
      refs: [{ system: options.system, kind: "account.move", id: String(move.id) }],
    };
    return invoice;
  });
}
