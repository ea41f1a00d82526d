/**
 * Odoo's customer invoices of one order as canonical `invoice` documents, for channels that are sent
 * the invoice itself (an EDI customer's 810): the move's number, dates, state and totals, and its
 * product lines. A line whose product is on the order carries the order line's id, unit and SKU (a
 * customer matches IT101 to its PO101); a line of the shipping product is a shipping line; any other
 * product line (a fee added in Odoo) is a line of its own; lines without a product (sections, notes)
 * are left out. Amounts are Odoo's, as decimal strings: nothing is recomputed.
 */
import { CrossdockError } from "../../../core/errors.ts";
import { sumDecimals } from "../../../core/model/decimal.ts";
import type { Invoice } from "../../../core/model/invoice.ts";
import type { Order } from "../../../core/model/order.ts";
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
  price_subtotal: number;
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
const LINE_FIELDS = ["move_id", "product_id", "name", "quantity", "price_unit", "price_subtotal"];

/** A decimal string without trailing fraction zeros beyond `keep` places. */
function decimal(value: number, places: number, keep: number): string {
  const text = toDecimalString(value, places);
  if (!text.includes(".")) return text;
  const [whole, fraction = ""] = text.split(".");
  let cut = fraction.length;
  while (cut > keep && fraction[cut - 1] === "0") cut--;
  return cut === 0 ? (whole as string) : `${whole}.${fraction.slice(0, cut)}`;
}

const money = (value: number) => decimal(value, 6, 2);

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
        shippingLines.push({ method: row.name || "Freight", price, total });
        continue;
      }
      const ordered = orderLines.get(sku);
      invoiceLines.push({
        ...(ordered ? { lineId: ordered.lineId } : {}),
        sku,
        ...(row.name ? { name: row.name.slice(0, 2_000) } : {}),
        quantity: decimal(row.quantity, 6, 0),
        uom: ordered?.line.uom ?? "C62",
        unitPrice: decimal(row.price_unit, 6, 2),
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
