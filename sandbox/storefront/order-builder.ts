import type { Variant } from "./shop-catalog.ts";
import { money, shopTime } from "./shop-format.ts";

/** A line of an order being placed: a catalogue variant, or a custom line (title + price, no variant). */
export interface DraftLine {
  variant?: Variant;
  sku: string | null;
  title: string;
  priceCents: number;
  quantity: number;
  grams: number;
}

/** A postal address as Shopify writes it; every field optional. */
export type ShopAddress = Record<string, string | null>;

/** What an order needs to be built: from `POST orders.json` (checked) or the traffic generator. */
export interface OrderDraft {
  lines: DraftLine[];
  email?: string;
  customer?: { first_name?: string; last_name?: string; email?: string };
  shippingAddress?: ShopAddress;
  billingAddress?: ShopAddress;
  shipping?: { title: string; priceCents: number };
  financialStatus?: string;
  note?: string | null;
  tags?: string;
  sourceName?: string;
}

/** The numbers an order is built with, all allocated by the shop. */
export interface OrderContext {
  id: bigint;
  number: number;
  lineIds: bigint[];
  shippingLineId: bigint;
  customerId: bigint;
  now: number;
  currency: string;
  tax: { title: string; rate: number };
  offsetMinutes: number;
  token: string;
}

/** A Shopify REST order, as JSON; mutated in place by cancel, fulfil and refund. */
export type OrderJson = Record<string, unknown> & {
  id: bigint;
  line_items: LineItemJson[];
  fulfillments: Record<string, unknown>[];
  refunds: Record<string, unknown>[];
};

export type LineItemJson = Record<string, unknown> & {
  id: bigint;
  quantity: number;
  fulfillable_quantity: number;
  fulfillment_status: string | null;
  price: string;
  sku: string | null;
};

function taxLine(title: string, rate: number, cents: number, currency: string): Record<string, unknown> {
  return { title, rate, price: money(cents), price_set: moneySet(cents, currency) };
}

/** Shopify's `*_set` pair; the sandbox has one currency, so shop and presentment money are the same. */
export function moneySet(cents: number, currency: string): Record<string, unknown> {
  const amount = { amount: money(cents), currency_code: currency };
  return { shop_money: amount, presentment_money: amount };
}

/**
 * Builds the order JSON Shopify's Admin REST API (2024-10) returns and its `orders/*` webhooks carry,
 * with the fields an integration reads (ids, name, money strings, lines, taxes, addresses, customer,
 * statuses) and the usual neighbours, all totals computed in cents. Tax is one rate on lines only.
 */
export function buildOrder(draft: OrderDraft, ctx: OrderContext): OrderJson {
  const at = shopTime(ctx.now, ctx.offsetMinutes);
  let linesCents = 0;
  let taxCents = 0;
  let grams = 0;
  const lineItems: LineItemJson[] = draft.lines.map((line, i) => {
    const subtotal = line.priceCents * line.quantity;
    const tax = Math.round(subtotal * ctx.tax.rate);
    linesCents += subtotal;
    taxCents += tax;
    grams += line.grams * line.quantity;
    const id = ctx.lineIds[i] as bigint;
    return {
      id,
      admin_graphql_api_id: `gid://shopify/LineItem/${id}`,
      variant_id: line.variant?.id ?? null,
      product_id: line.variant?.productId ?? null,
      title: line.title,
      name: line.title,
      variant_title: line.variant ? "" : null,
      sku: line.sku,
      vendor: line.variant ? "Crossdock Sandbox" : null,
      quantity: line.quantity,
      current_quantity: line.quantity,
      fulfillable_quantity: line.quantity,
      fulfillment_service: "manual",
      fulfillment_status: null,
      price: money(line.priceCents),
      price_set: moneySet(line.priceCents, ctx.currency),
      total_discount: "0.00",
      grams: line.grams,
      requires_shipping: true,
      taxable: true,
      gift_card: false,
      product_exists: line.variant !== undefined,
      variant_inventory_management: line.variant ? "shopify" : null,
      properties: [],
      tax_lines: [taxLine(ctx.tax.title, ctx.tax.rate, tax, ctx.currency)],
      discount_allocations: [],
      duties: [],
    };
  });
  const shippingCents = draft.shipping?.priceCents ?? 0;
  const total = linesCents + taxCents + shippingCents;
  const email = draft.email ?? draft.customer?.email ?? null;
  const customer = {
    id: ctx.customerId,
    email,
    first_name: draft.customer?.first_name ?? draft.shippingAddress?.first_name ?? null,
    last_name: draft.customer?.last_name ?? draft.shippingAddress?.last_name ?? null,
    state: "disabled",
    verified_email: true,
    tags: "",
    currency: ctx.currency,
    created_at: at,
    updated_at: at,
    admin_graphql_api_id: `gid://shopify/Customer/${ctx.customerId}`,
    default_address: draft.shippingAddress ? { ...draft.shippingAddress, default: true } : null,
  };
  const order: OrderJson = {
    id: ctx.id,
    admin_graphql_api_id: `gid://shopify/Order/${ctx.id}`,
    name: `#${1000 + ctx.number}`,
    number: ctx.number,
    order_number: 1000 + ctx.number,
    token: ctx.token,
    email,
    contact_email: email,
    created_at: at,
    updated_at: at,
    processed_at: at,
    closed_at: null,
    cancelled_at: null,
    cancel_reason: null,
    confirmed: true,
    test: false,
    currency: ctx.currency,
    presentment_currency: ctx.currency,
    financial_status: draft.financialStatus ?? "paid",
    fulfillment_status: null,
    taxes_included: false,
    tax_exempt: false,
    subtotal_price: money(linesCents),
    subtotal_price_set: moneySet(linesCents, ctx.currency),
    total_line_items_price: money(linesCents),
    total_discounts: "0.00",
    total_tax: money(taxCents),
    total_tax_set: moneySet(taxCents, ctx.currency),
    total_price: money(total),
    total_price_set: moneySet(total, ctx.currency),
    current_total_price: money(total),
    total_outstanding: "0.00",
    total_weight: grams,
    tax_lines: [taxLine(ctx.tax.title, ctx.tax.rate, taxCents, ctx.currency)],
    discount_codes: [],
    note: draft.note ?? null,
    note_attributes: [],
    tags: draft.tags ?? "",
    source_name: draft.sourceName ?? "web",
    payment_gateway_names: ["bogus"],
    buyer_accepts_marketing: false,
    browser_ip: null,
    location_id: null,
    line_items: lineItems,
    shipping_lines: draft.shipping
      ? [
          {
            id: ctx.shippingLineId,
            title: draft.shipping.title,
            code: draft.shipping.title,
            source: "shopify",
            price: money(shippingCents),
            price_set: moneySet(shippingCents, ctx.currency),
            discounted_price: money(shippingCents),
            tax_lines: [],
          },
        ]
      : [],
    billing_address: draft.billingAddress ?? draft.shippingAddress ?? null,
    shipping_address: draft.shippingAddress ?? null,
    customer,
    fulfillments: [],
    refunds: [],
  };
  return order;
}
