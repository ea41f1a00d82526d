import { f, type MethodDef, type ModelDef, type Row } from "../model-def.ts";
import { userError } from "../odoo-error.ts";
import type { OrmEnv } from "../orm-env.ts";
import type { VersionProfile } from "../version-profile.ts";
import { recomputeTotals } from "./amounts.ts";
import { createSaleInvoices } from "./sale-invoicing.ts";
import { launchProcurement } from "./sale-procurement.ts";
import { cancelPickings } from "./stock-logic.ts";
import { wizardAction } from "./stock-validate.ts";

/** Quantity still to invoice on a sale line: delivered (or ordered, per policy) minus invoiced. */
export function qtyToInvoice(env: OrmEnv, line: Row, orderState: string): number {
  if (orderState !== "sale" && orderState !== "done") return 0;
  const product = line.product_id ? env.browse("product.product", [line.product_id as number])[0] : undefined;
  const base =
    product?.invoice_policy === "delivery" ? Number(line.qty_delivered) : Number(line.product_uom_qty);
  return Math.round((base - Number(line.qty_invoiced)) * 1e6) / 1e6;
}

function orderStates(env: OrmEnv, rows: Row[]): Map<number, string> {
  const orders = env.browse(
    "sale.order",
    rows.map((r) => r.order_id as number),
  );
  return new Map(orders.map((o) => [o.id, o.state as string]));
}

function invoiceStatus(env: OrmEnv, order: Row): string {
  if (order.state !== "sale" && order.state !== "done") return "no";
  const lines = env.find("sale.order.line", [["order_id", "=", order.id]]);
  // Odoo: any line with a non-zero quantity to invoice (a return not credited yet is negative).
  if (lines.some((l) => qtyToInvoice(env, l, order.state as string) !== 0)) return "to invoice";
  if (lines.length && lines.every((l) => Number(l.qty_invoiced) >= Number(l.product_uom_qty)))
    return "invoiced";
  return "no";
}

function deliveryStatus(env: OrmEnv, order: Row): string | false {
  const pickings = env.find("stock.picking", [
    ["sale_id", "=", order.id],
    ["state", "!=", "cancel"],
  ]);
  if (!pickings.length) return false;
  if (pickings.every((p) => p.state === "done")) return "full";
  if (pickings.some((p) => p.state === "done")) return "partial";
  return "pending";
}

/**
 * Recomputes what Odoo stores on orders and lines (amounts, qty_to_invoice, invoice_status,
 * delivery_status) after anything that changes them: line edits, confirmation, deliveries, invoicing.
 */
export function refreshSaleOrders(env: OrmEnv, orderIds: number[]): void {
  const ids = [...new Set(orderIds)].filter(Boolean);
  if (!ids.length) return;
  recomputeTotals(
    env,
    "sale.order",
    "sale.order.line",
    "order_id",
    "product_uom_qty",
    env.profile.saleLineTax,
    ids,
  );
  for (const order of env.browse("sale.order", ids)) {
    for (const line of env.find("sale.order.line", [["order_id", "=", order.id]])) {
      const qty = qtyToInvoice(env, line, order.state as string);
      if (qty !== line.qty_to_invoice) env.update("sale.order.line", [line.id], { qty_to_invoice: qty });
    }
    const vals: Record<string, unknown> = {};
    const invoice = invoiceStatus(env, order);
    if (invoice !== order.invoice_status) vals.invoice_status = invoice;
    if (env.profile.deliveryStatus) {
      const delivery = deliveryStatus(env, order);
      if (delivery !== (order.delivery_status ?? false)) vals.delivery_status = delivery;
    }
    if (Object.keys(vals).length) env.update("sale.order", [order.id], vals);
  }
}

const orderAction = (run: (env: OrmEnv, ids: number[]) => unknown): MethodDef => ({
  owner: "SaleOrder",
  multi: true,
  params: [],
  operation: "write",
  run: (env, ids) => {
    const result = run(env, ids);
    refreshSaleOrders(
      env,
      env.browse("sale.order", ids).map((o) => o.id),
    );
    return result;
  },
});

function confirmOrders(env: OrmEnv, ids: number[]): boolean {
  const orders = env.ensureExist("sale.order", ids);
  const wrong = orders.filter((o) => o.state !== "draft" && o.state !== "sent");
  if (wrong.length) {
    throw userError(
      `The following orders are not in a state requiring confirmation: ${wrong.map((o) => o.name).join(", ")}`,
    );
  }
  for (const order of orders) {
    env.update("sale.order", [order.id], { state: "sale", date_order: env.stamp });
    launchProcurement(env, env.get("sale.order", order.id));
    env.update("res.partner", [order.partner_id as number], {
      customer_rank: Number(env.get("res.partner", order.partner_id as number).customer_rank ?? 0) + 1,
    });
  }
  refreshSaleOrders(
    env,
    orders.map((o) => o.id),
  );
  return true;
}

function cancelOrders(env: OrmEnv, ids: number[]): unknown {
  const orders = env.ensureExist("sale.order", ids);
  if (!env.context.disable_cancel_warning && orders.some((o) => o.state === "sale" || o.state === "done")) {
    return wizardAction(env, "Cancel Sales Order", "sale.order.cancel", { default_order_id: orders[0]?.id });
  }
  for (const order of orders) {
    const pickings = env.search("stock.picking", [["sale_id", "=", order.id]]);
    if (env.browse("stock.picking", pickings).some((p) => p.state === "done")) {
      throw userError(
        `You cannot cancel the sales order ${order.name}: one of its deliveries is already done.`,
      );
    }
    const open = env
      .browse("stock.picking", pickings)
      .filter((p) => p.state !== "cancel")
      .map((p) => p.id);
    if (open.length) cancelPickings(env, open);
    env.update("sale.order", [order.id], {
      state: "cancel",
      ...(env.profile.saleLocked ? { locked: false } : {}),
    });
  }
  return true;
}

/** sale.order (+ lines, cancel wizard, invoicing wizard) with the version's field names. */
export function saleModels(profile: VersionProfile): ModelDef[] {
  const uom = profile.saleLineUom;
  const tax = profile.saleLineTax;
  const states: [string, string][] = [
    ["draft", "Quotation"],
    ["sent", "Quotation Sent"],
    ["sale", "Sales Order"],
    ...(profile.saleLocked ? [] : ([["done", "Locked"]] as [string, string][])),
    ["cancel", "Cancelled"],
  ];
  const recompute = refreshSaleOrders;
  return [
    {
      name: "sale.order",
      description: "Sales Order",
      order: "date_order desc, id desc",
      className: "SaleOrder",
      fields: {
        name: f.char("Order Reference", { default: "New" }),
        partner_id: f.m2o("res.partner", { string: "Customer", required: true }),
        partner_invoice_id: f.m2o("res.partner", { string: "Invoice Address" }),
        partner_shipping_id: f.m2o("res.partner", { string: "Delivery Address" }),
        client_order_ref: f.char("Customer Reference"),
        origin: f.char("Source Document"),
        note: f.text("Terms and conditions"),
        warehouse_id: f.m2o("stock.warehouse", { default: 1 }),
        date_order: f.datetime("Order Date", { default: (env: OrmEnv) => env.stamp }),
        commitment_date: f.datetime("Delivery Date"),
        validity_date: f.date("Expiration"),
        state: f.sel(states, { default: "draft", string: "Status" }),
        ...(profile.saleLocked ? { locked: f.bool("Locked", { default: false }) } : {}),
        order_line: f.o2m("sale.order.line", "order_id", { string: "Order Lines" }),
        amount_untaxed: f.money("Untaxed Amount", { default: 0, readonly: true }),
        amount_tax: f.money("Taxes", { default: 0, readonly: true }),
        amount_total: f.money("Total", { default: 0, readonly: true }),
        picking_ids: f.o2m("stock.picking", "sale_id", { string: "Transfers" }),
        invoice_ids: f.m2m("account.move", { string: "Invoices", readonly: true }),
        invoice_status: f.sel(
          [
            ["upselling", "Upselling Opportunity"],
            ["invoiced", "Fully Invoiced"],
            ["to invoice", "To Invoice"],
            ["no", "Nothing to Invoice"],
          ],
          { default: "no", readonly: true },
        ),
        ...(profile.deliveryStatus
          ? {
              delivery_status: f.sel(
                [
                  ["pending", "Not Delivered"],
                  ["started", "Started"],
                  ["partial", "Partially Delivered"],
                  ["full", "Fully Delivered"],
                ],
                { readonly: true },
              ),
            }
          : {}),
        carrier_id: f.m2o("delivery.carrier", { string: "Delivery Method" }),
        currency_id: f.m2o("res.currency", { default: 1 }),
        user_id: f.m2o("res.users", { string: "Salesperson", default: (env: OrmEnv) => env.uid }),
        company_id: f.m2o("res.company", { default: 1 }),
      },
      beforeCreate: (env, vals) => {
        if (!vals.name || vals.name === "New")
          vals.name = `S${String(env.nextNumber("sale.order")).padStart(5, "0")}`;
        if (vals.partner_id) {
          vals.partner_invoice_id ??= vals.partner_id;
          vals.partner_shipping_id ??= vals.partner_id;
        }
      },
      afterCreate: (env, ids) => recompute(env, ids),
      afterWrite: (env, ids) => recompute(env, ids),
      beforeUnlink: (env, ids) => {
        if (env.browse("sale.order", ids).some((o) => o.state !== "draft" && o.state !== "cancel")) {
          throw userError(
            "You can not delete a sent quotation or a confirmed sales order. You must first cancel it.",
          );
        }
      },
      methods: {
        action_confirm: orderAction(confirmOrders),
        action_cancel: orderAction(cancelOrders),
        action_draft: orderAction((env, ids) => {
          env.ensureExist("sale.order", ids);
          env.update(
            "sale.order",
            env
              .browse("sale.order", ids)
              .filter((o) => o.state === "cancel" || o.state === "sent")
              .map((o) => o.id),
            { state: "draft" },
          );
          return true;
        }),
        action_quotation_sent: orderAction((env, ids) => {
          env.update(
            "sale.order",
            env
              .ensureExist("sale.order", ids)
              .filter((o) => o.state === "draft")
              .map((o) => o.id),
            { state: "sent" },
          );
          return true;
        }),
        action_lock: orderAction((env, ids) => {
          env.ensureExist("sale.order", ids);
          env.update("sale.order", ids, profile.saleLocked ? { locked: true } : { state: "done" });
          return undefined;
        }),
        action_unlock: orderAction((env, ids) => {
          env.ensureExist("sale.order", ids);
          env.update("sale.order", ids, profile.saleLocked ? { locked: false } : { state: "sale" });
          return undefined;
        }),
        ...(profile.saleLocked
          ? {}
          : {
              action_done: orderAction((env, ids) => {
                env.update("sale.order", ids, { state: "done" });
                return true;
              }),
            }),
      },
    },
    {
      name: "sale.order.line",
      description: "Sales Order Line",
      order: "order_id, sequence, id",
      className: "SaleOrderLine",
      displayName: (env, rows) => {
        const orders = env.displayNames(
          "sale.order",
          rows.map((r) => r.order_id as number),
        );
        return rows.map((r) => `${orders.get(r.order_id as number) ?? ""} - ${r.name ?? ""}`);
      },
      fields: {
        order_id: f.m2o("sale.order", { string: "Order Reference", required: true, ondelete: "cascade" }),
        sequence: f.int("Sequence", { default: 10 }),
        product_id: f.m2o("product.product", { string: "Product" }),
        name: f.text("Description"),
        product_uom_qty: f.float("Quantity", { default: 1 }),
        [uom]: f.m2o("uom.uom", { string: "Unit" }),
        price_unit: f.float("Unit Price"),
        discount: f.float("Discount (%)", { default: 0 }),
        [tax]: f.m2m("account.tax", { string: "Taxes" }),
        price_subtotal: f.money("Subtotal", { default: 0, readonly: true }),
        price_tax: f.float("Total Tax", { default: 0, readonly: true }),
        price_total: f.money("Total", { default: 0, readonly: true }),
        qty_delivered: f.float("Delivery Quantity", { default: 0 }),
        qty_invoiced: f.float("Invoiced Quantity", { default: 0, readonly: true }),
        qty_to_invoice: f.float("Quantity To Invoice", { default: 0, readonly: true }),
        state: f.sel([], {
          compute: (env, rows) => {
            const states = orderStates(env, rows);
            return rows.map((r) => states.get(r.order_id as number) ?? false);
          },
        }),
        company_id: f.m2o("res.company", { default: 1 }),
      },
      beforeCreate: (env, vals) => {
        if (vals.product_id) {
          const product = env.get("product.product", Number(vals.product_id));
          vals.name ??= product.default_code ? `[${product.default_code}] ${product.name}` : product.name;
          vals.price_unit ??= product.list_price;
          vals[uom] ??= product.uom_id;
          vals[tax] ??= [[6, 0, (product.taxes_id as number[]) ?? []]];
        }
      },
      afterCreate: (env, ids) => amendedLines(env, ids),
      afterWrite: (env, ids, vals) => {
        if ("product_uom_qty" in vals || "product_id" in vals) amendedLines(env, ids);
        else recompute(env, linesOrders(env, ids));
      },
      beforeUnlink: (env, ids) => {
        const orders = linesOrders(env, ids);
        if (env.browse("sale.order", orders).some((o) => o.state === "sale" || o.state === "done")) {
          const lines = env.browse("sale.order.line", ids);
          if (lines.some((l) => Number(l.qty_delivered) > 0 || Number(l.qty_invoiced) > 0)) {
            throw userError(
              "Once a sales order is confirmed, you can't remove one of its lines (we need to track if something gets invoiced or delivered).\n\t        Set the quantity to 0 instead.",
            );
          }
        }
      },
    },
    {
      name: "sale.order.cancel",
      description: "Sales Order Cancel",
      transient: true,
      fields: { order_id: f.m2o("sale.order", { required: true }) },
      methods: {
        action_cancel: {
          owner: "SaleOrderCancel",
          multi: true,
          params: [],
          operation: "write",
          run: (env, ids) => {
            const wizards = env.ensureExist("sale.order.cancel", ids);
            const orderIds = wizards.map((w) => w.order_id as number);
            const result = cancelOrders(env.withContext({ disable_cancel_warning: true }), orderIds);
            refreshSaleOrders(env, orderIds);
            return result;
          },
        },
      },
    },
    {
      name: "sale.advance.payment.inv",
      description: "Sales Advance Payment Invoice",
      transient: true,
      fields: {
        advance_payment_method: f.sel(
          [
            ["delivered", "Regular invoice"],
            ["percentage", "Down payment (percentage)"],
            ["fixed", "Down payment (fixed amount)"],
          ],
          { default: "delivered" },
        ),
        sale_order_ids: f.m2m("sale.order", {
          default: (env: OrmEnv) =>
            env.context.active_model === "sale.order" && Array.isArray(env.context.active_ids)
              ? env.context.active_ids
              : [],
        }),
        amount: f.float("Down Payment Amount", { default: 0 }),
        deduct_down_payments: f.bool("Deduct down payments", { default: true }),
      },
      methods: {
        create_invoices: {
          owner: "SaleAdvancePaymentInv",
          multi: true,
          params: [],
          operation: "write",
          run: (env, ids) => createSaleInvoices(env, ids),
        },
      },
    },
  ];
}

/** Lines added or changed on a confirmed order update its deliveries, then the order's totals. */
function amendedLines(env: OrmEnv, lineIds: number[]): void {
  const orders = linesOrders(env, lineIds);
  for (const order of env.browse("sale.order", orders)) launchProcurement(env, order);
  refreshSaleOrders(env, orders);
}

function linesOrders(env: OrmEnv, lineIds: number[]): number[] {
  return [...new Set(env.browse("sale.order.line", lineIds).map((l) => l.order_id as number))];
}
