/**
 * The built-in change feeds: for each Odoo model, what the poller reads (fields, domain, through the
 * dialect where versions differ) and which canonical events a new version of a record causes.
 *
 * Events that mark a transition (`order.confirmed`, `invoice.posted`, `payment.received`, ...) are
 * emitted once per transition: each feed `track`s a small memo per record (its state) that the poller
 * stores beside its cursor, and compares the new version with it. A record first seen already in the
 * target state counts as a transition (the hub did not know it before). Feed names are part of stored
 * cursor keys: never rename them.
 *
 * Deliberately left out: deletions (a deleted record leaves nothing to poll: the master data cache
 * detects deleted products by id listing), changes that only touch a related record (a template's price
 * seen from `product.product`), and `stock.move.line` deltas (quants carry the absolute quantities).
 */
import type { EventInput } from "../../store/store.ts";
import type { ChangeFeed, FeedContext, OdooRecord } from "./change-poller.ts";
import {
  DELIVERY_DONE,
  INVOICE_POSTED,
  type InvoiceEventData,
  type OdooSource,
  ORDER_CANCELLED,
  ORDER_CONFIRMED,
  type OrderEventData,
  PARTNER_CHANGED,
  PAYMENT_RECEIVED,
  type PartnerEventData,
  type PaymentEventData,
  type PickingEventData,
  PRODUCT_CHANGED,
  type ProductEventData,
  PURCHASE_CONFIRMED,
  type PurchaseEventData,
  RECEIPT_DONE,
  type RefId,
  STOCK_CHANGED,
  type StockEventData,
  toDecimalString,
} from "./odoo-events.ts";

export interface FeedOptions {
  /** Decimals per currency name (`{ JPY: 0, KWD: 3 }`); others use `defaultCurrencyDecimals`. */
  currencyDecimals?: Record<string, number>;
  /** Default 2. */
  defaultCurrencyDecimals?: number;
  /** Decimals of quantities (Odoo's "Product Unit of Measure" precision). Default 2. */
  quantityDecimals?: number;
  /** Read carrier fields on pickings (module `delivery` in 16, `stock_delivery` from 17). Default true. */
  carrierFields?: boolean;
  /** Product code for stock streams, e.g. from the master data cache; default: the product id. */
  productCode?: (productId: number) => string | undefined;
}

const CONFIRMED_SALE = ["sale", "done"];
const CONFIRMED_PURCHASE = ["purchase", "done"];
const PAID = ["partial", "in_payment", "paid"];

export function saleOrderFeed(options: FeedOptions = {}): ChangeFeed {
  return {
    name: "sale-orders",
    model: "sale.order",
    fields: () => [
      "name",
      "client_order_ref",
      "origin",
      "partner_id",
      "state",
      "amount_total",
      "currency_id",
      "picking_ids",
      "invoice_status",
    ],
    // Quotations are not read: the first version the hub sees is the confirmed (or cancelled) one.
    domain: () => [["state", "in", [...CONFIRMED_SALE, "cancel"]]],
    track: (record) => ({ state: text(record.state) }),
    toEvents(record, ctx) {
      const state = String(record.state);
      const previous = previousField(ctx, "state");
      const data: OrderEventData = {
        source: source(ctx, "sale.order", record),
        id: record.id,
        name: String(record.name),
        client_order_ref: text(record.client_order_ref),
        origin: text(record.origin),
        partner_id: refId(record.partner_id),
        state,
        previous_state: previous,
        amount_total: money(record.amount_total, record.currency_id, options),
        currency: refName(record.currency_id),
        picking_ids: ids(record.picking_ids),
        invoice_status: text(record.invoice_status),
        write_date: String(record.write_date),
      };
      const stream = `order:${data.name}`;
      const events: EventInput[] = [];
      if (CONFIRMED_SALE.includes(state) && !CONFIRMED_SALE.includes(previous ?? "")) {
        events.push({ stream, type: ORDER_CONFIRMED, data });
      }
      if (state === "cancel" && previous !== "cancel") events.push({ stream, type: ORDER_CANCELLED, data });
      return events;
    },
  };
}

/** Done pickings: outgoing -> `delivery.done` on `order:<origin>`, incoming -> `receipt.done` on `purchase:<origin>`. */
export function pickingFeed(options: FeedOptions = {}): ChangeFeed {
  const carrier = options.carrierFields ?? true;
  return {
    name: "pickings",
    model: "stock.picking",
    fields: () => [
      "name",
      "origin",
      "date_done",
      "backorder_id",
      "partner_id",
      "picking_type_code",
      "state",
      ...(carrier ? ["carrier_tracking_ref", "carrier_id"] : []),
    ],
    domain: () => [
      ["state", "=", "done"],
      ["picking_type_code", "in", ["outgoing", "incoming"]],
    ],
    track: () => ({ done: true }),
    toEvents(record, ctx) {
      if (ctx.previous !== undefined) return []; // a done picking edited later (e.g. a note) is not done again
      const outgoing = record.picking_type_code === "outgoing";
      const origin = text(record.origin);
      const data: PickingEventData = {
        source: source(ctx, "stock.picking", record),
        id: record.id,
        name: String(record.name),
        origin,
        carrier_tracking_ref: text(record.carrier_tracking_ref),
        carrier_id: refId(record.carrier_id),
        carrier: refName(record.carrier_id),
        date_done: text(record.date_done),
        backorder_id: refId(record.backorder_id),
        partner_id: refId(record.partner_id),
      };
      const stream = origin ? `${outgoing ? "order" : "purchase"}:${origin}` : `picking:${data.name}`;
      return [{ stream, type: outgoing ? DELIVERY_DONE : RECEIPT_DONE, data }];
    },
  };
}

/** Posted customer invoices: `invoice.posted`, then `payment.received` whenever the residual falls. */
export function invoiceFeed(options: FeedOptions = {}): ChangeFeed {
  return {
    name: "invoices",
    model: "account.move",
    fields: () => [
      "name",
      "move_type",
      "state",
      "payment_state",
      "amount_total",
      "amount_residual",
      "invoice_origin",
      "partner_id",
      "currency_id",
    ],
    domain: () => [
      ["move_type", "=", "out_invoice"],
      ["state", "=", "posted"],
    ],
    track: (record) => ({
      state: text(record.state),
      payment_state: text(record.payment_state),
      residual: money(record.amount_residual, record.currency_id, options),
    }),
    toEvents(record, ctx) {
      const previous = ctx.previous as
        | { state?: string; payment_state?: string; residual?: string }
        | undefined;
      const paymentState = text(record.payment_state);
      const data: InvoiceEventData = {
        source: source(ctx, "account.move", record),
        id: record.id,
        name: String(record.name),
        invoice_origin: text(record.invoice_origin),
        partner_id: refId(record.partner_id),
        state: String(record.state),
        payment_state: paymentState,
        amount_total: money(record.amount_total, record.currency_id, options),
        amount_residual: money(record.amount_residual, record.currency_id, options),
        currency: refName(record.currency_id),
      };
      // "SO1, SO2" (one invoice for several orders) belongs to no single order stream.
      const origin = data.invoice_origin;
      const stream = origin && !origin.includes(",") ? `order:${origin}` : `invoice:${data.name}`;
      const events: EventInput[] = [];
      if (previous?.state !== "posted") events.push({ stream, type: INVOICE_POSTED, data });
      const paid = PAID.includes(paymentState ?? "");
      const wasPaid = PAID.includes(previous?.payment_state ?? "");
      const residualFell =
        previous?.residual !== undefined && Number(data.amount_residual) < Number(previous.residual);
      if (paid && (!wasPaid || residualFell)) {
        const payment: PaymentEventData = { ...data, partial: paymentState === "partial" };
        events.push({ stream, type: PAYMENT_RECEIVED, data: payment });
      }
      return events;
    },
  };
}

export function productFeed(): ChangeFeed {
  return {
    name: "products",
    model: "product.product",
    fields: (dialect) => [
      "default_code",
      "barcode",
      "name",
      "list_price",
      "active",
      ...dialect.productTypeFields,
    ],
    // Archiving is a change too: read archived variants as well.
    domain: () => [["active", "in", [true, false]]],
    toEvents(record, ctx) {
      const data: ProductEventData = {
        source: source(ctx, "product.product", record),
        id: record.id,
        default_code: text(record.default_code),
        barcode: text(record.barcode),
        name: String(record.name),
        storable: ctx.dialect.isStorable(record),
        list_price: toDecimalString(record.list_price, 2),
        active: record.active !== false,
      };
      return [{ stream: `product:${data.default_code ?? data.id}`, type: PRODUCT_CHANGED, data }];
    },
  };
}

/** Quants of internal locations: absolute quantity and reservation per product and location. */
export function stockQuantFeed(options: FeedOptions = {}): ChangeFeed {
  const digits = options.quantityDecimals ?? 2;
  return {
    name: "stock-quants",
    model: "stock.quant",
    fields: () => ["product_id", "location_id", "quantity", "reserved_quantity"],
    domain: () => [["location_id.usage", "=", "internal"]],
    toEvents(record, ctx) {
      const productId = refId(record.product_id);
      const code = productId === null ? undefined : options.productCode?.(productId);
      const data: StockEventData = {
        source: source(ctx, "stock.quant", record),
        product_id: productId,
        default_code: code ?? null,
        location_id: refId(record.location_id),
        quantity: toDecimalString(record.quantity, digits),
        reserved_quantity: toDecimalString(record.reserved_quantity, digits),
      };
      return [{ stream: `stock:${code ?? productId}`, type: STOCK_CHANGED, data }];
    },
  };
}

export function purchaseOrderFeed(options: FeedOptions = {}): ChangeFeed {
  return {
    name: "purchase-orders",
    model: "purchase.order",
    fields: () => [
      "name",
      "partner_id",
      "partner_ref",
      "origin",
      "state",
      "amount_total",
      "currency_id",
      "date_approve",
    ],
    domain: () => [["state", "in", CONFIRMED_PURCHASE]],
    track: (record) => ({ state: text(record.state) }),
    toEvents(record, ctx) {
      const state = String(record.state);
      if (CONFIRMED_PURCHASE.includes(previousField(ctx, "state") ?? "")) return [];
      const data: PurchaseEventData = {
        source: source(ctx, "purchase.order", record),
        id: record.id,
        name: String(record.name),
        partner_id: refId(record.partner_id),
        partner_ref: text(record.partner_ref),
        origin: text(record.origin),
        state,
        amount_total: money(record.amount_total, record.currency_id, options),
        currency: refName(record.currency_id),
        date_approve: text(record.date_approve),
      };
      return [{ stream: `purchase:${data.name}`, type: PURCHASE_CONFIRMED, data }];
    },
  };
}

export function partnerFeed(): ChangeFeed {
  return {
    name: "partners",
    model: "res.partner",
    fields: () => [
      "name",
      "email",
      "ref",
      "commercial_partner_id",
      "parent_id",
      "is_company",
      "type",
      "country_id",
      "active",
    ],
    domain: () => [["active", "in", [true, false]]],
    toEvents(record, ctx) {
      const data: PartnerEventData = {
        source: source(ctx, "res.partner", record),
        id: record.id,
        name: String(record.name),
        email: text(record.email),
        ref: text(record.ref),
        commercial_partner_id: refId(record.commercial_partner_id),
        parent_id: refId(record.parent_id),
        is_company: record.is_company === true,
        type: text(record.type),
        country_id: refId(record.country_id),
        active: record.active !== false,
      };
      return [{ stream: `partner:${data.id}`, type: PARTNER_CHANGED, data }];
    },
  };
}

/** Every built-in feed, one per model. */
export function odooChangeFeeds(options: FeedOptions = {}): ChangeFeed[] {
  return [
    saleOrderFeed(options),
    pickingFeed(options),
    invoiceFeed(options),
    productFeed(),
    stockQuantFeed(options),
    purchaseOrderFeed(options),
    partnerFeed(),
  ];
}

function source(ctx: FeedContext, model: string, record: OdooRecord): OdooSource {
  return { connection: ctx.connection, model, id: record.id, write_date: String(record.write_date) };
}

function previousField(ctx: FeedContext, field: string): string | null {
  const previous = ctx.previous as Record<string, unknown> | undefined;
  const value = previous?.[field];
  return typeof value === "string" ? value : null;
}

/** Odoo answers `false` for an empty char field. */
function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

/** A many2one is `[id, display_name]` or `false`. */
function refId(value: unknown): RefId {
  return Array.isArray(value) && typeof value[0] === "number"
    ? value[0]
    : typeof value === "number"
      ? value
      : null;
}

function refName(value: unknown): string | null {
  return Array.isArray(value) && typeof value[1] === "string" ? value[1] : null;
}

function ids(value: unknown): number[] {
  return Array.isArray(value) ? value.filter((id): id is number => typeof id === "number") : [];
}

function money(value: unknown, currency: unknown, options: FeedOptions): string {
  const name = refName(currency);
  const digits =
    (name === null ? undefined : options.currencyDecimals?.[name]) ?? options.defaultCurrencyDecimals ?? 2;
  return toDecimalString(value, digits);
}
