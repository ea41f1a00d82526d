import { compareDecimals, sumDecimals } from "../../core/model/decimal.ts";
import type { Order } from "../../core/model/order.ts";
import type { Address, PartyValue } from "../../core/model/party.ts";
import type { JsonValue } from "../../store/store.ts";
import type { MapOutcome, Mapping, MappingContext } from "../mapping.ts";
import {
  arrayOf,
  asObject,
  DocumentFault,
  member,
  type Obj,
  optionalDecimal,
  optionalId,
  optionalObject,
  optionalText,
  requiredId,
  requiredText,
  runBuiltinMapper,
} from "./document-reader.ts";
import {
  allocateOrderDiscount,
  allocateOrderTaxes,
  mapLines,
  mapShippingLines,
  money,
} from "./shopify-lines.ts";

function address(order: Obj, key: string): Address | undefined {
  const raw = optionalObject(order, key, "");
  if (!raw) return undefined;
  const p = `/${key}`;
  const text = (k: string, max = 256) => optionalText(raw, k, p, max);
  const person = [text("first_name"), text("last_name")].filter(Boolean).join(" ");
  const name = text("name") ?? (person || undefined);
  const fields: Record<string, string | undefined> = {
    name,
    company: text("company"),
    street: text("address1"),
    street2: text("address2"),
    city: text("city", 128),
    postalCode: text("zip", 32),
    region: text("province_code", 64) ?? text("province", 64),
    countryCode: text("country_code", 2)?.toUpperCase(),
    phone: text("phone", 64),
  };
  // street, city and country are required by the model: left out here, validation names them
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as unknown as Address;
}

function customerOf(order: Obj, channel: string, billTo?: Address, shipTo?: Address): PartyValue {
  const customer = optionalObject(order, "customer", "") ?? {};
  const person = [
    optionalText(customer, "first_name", "/customer", 128),
    optionalText(customer, "last_name", "/customer", 128),
  ]
    .filter(Boolean)
    .join(" ");
  const email =
    optionalText(customer, "email", "/customer", 254) ??
    optionalText(order, "email", "", 254) ??
    optionalText(order, "contact_email", "", 254);
  const phone = optionalText(customer, "phone", "/customer", 64) ?? optionalText(order, "phone", "", 64);
  const id = optionalId(customer, "id", "/customer");
  const name = person || billTo?.name || shipTo?.name || email || "Guest";
  return {
    kind: "person",
    name,
    ...(billTo?.company ? { company: billTo.company } : {}),
    ...(email ? { email } : {}),
    ...(phone ? { phone } : {}),
    ...(id ? { refs: [{ system: channel, kind: "customer", id }] } : {}),
  };
}

function statusOf(order: Obj): Order["status"] {
  if (member(order, "cancelled_at") !== undefined) return "cancelled";
  const fulfillment = optionalText(order, "fulfillment_status", "", 64);
  if (fulfillment === "fulfilled") return "shipped";
  if (fulfillment === "partial") return "partially_shipped";
  return "pending";
}

/** Maps one webhook body; throws `DocumentFault` (caught by the mapping) on a document that does not fit. */
export function mapShopifyOrder(body: unknown, channel: string): Order {
  const order = asObject(body, "");
  if (member(order, "id") === undefined && member(order, "order") !== undefined) {
    throw new DocumentFault(
      "/order",
      'this is a REST Admin API envelope {"order": {...}}; an orders/create webhook body is the order itself',
    );
  }
  const channelOrderId = requiredId(order, "id", "");
  const applications = arrayOf(order, "discount_applications", "", 100);
  let lines = mapLines(order, applications);
  const shippingLines = mapShippingLines(order, applications);
  const lineDiscounts = lines.flatMap((l) => l.discounts ?? []);
  const orderDiscount = optionalDecimal(order, "total_discounts", "");
  if (lineDiscounts.length === 0 && applications.length === 0 && orderDiscount !== undefined) {
    lines = allocateOrderDiscount(lines, orderDiscount);
  }
  lines = allocateOrderTaxes(lines, order);
  const billTo = address(order, "billing_address");
  const shipTo = address(order, "shipping_address");
  const taxes = [...lines, ...shippingLines].flatMap((l) => l.taxes ?? []);
  const subtotal = money(sumDecimals(lines.map((l) => l.total)), "/line_items");
  const shippingTotal = money(sumDecimals(shippingLines.map((l) => l.total)), "/shipping_lines");
  const discountTotal = money(
    sumDecimals([...lines, ...shippingLines].flatMap((l) => (l.discounts ?? []).map((d) => d.amount))),
    "/total_discounts",
  );
  const pricesIncludeTax = member(order, "taxes_included") === true;
  const taxTotal = money(member(order, "total_tax") ?? sumDecimals(taxes.map((t) => t.amount)), "/total_tax");
  const computedGrand = sumDecimals([subtotal, shippingTotal, pricesIncludeTax ? "0" : taxTotal]);
  const grandTotal = money(member(order, "total_price") ?? computedGrand, "/total_price");
  const currency = requiredText(order, "currency", "", 3).toUpperCase();
  const placedAt = optionalText(order, "processed_at", "", 40) ?? requiredText(order, "created_at", "", 40);
  const orderNumber = optionalText(order, "name", "", 128) ?? optionalText(order, "order_number", "", 128);
  const note = optionalText(order, "note", "", 1_000_000);
  const extras: Record<string, JsonValue> = {
    financialStatus: optionalText(order, "financial_status", "", 64) ?? null,
    fulfillmentStatus: optionalText(order, "fulfillment_status", "", 64) ?? null,
    tags: optionalText(order, "tags", "", 4_000) ?? null,
    test: member(order, "test") === true,
    lineItems: lines.map((line, i) => {
      const item = asObject(arrayOf(order, "line_items", "", lines.length)[i], `/line_items/${i}`);
      return {
        lineId: line.lineId ?? null,
        productId: optionalId(item, "product_id", `/line_items/${i}`) ?? null,
        variantId: optionalId(item, "variant_id", `/line_items/${i}`) ?? null,
      };
    }),
  };
  if (compareDecimals(computedGrand, grandTotal) !== 0) extras.computedGrandTotal = computedGrand;
  return {
    schemaVersion: 1,
    channel,
    channelOrderId,
    ...(orderNumber === undefined ? {} : { orderNumber }),
    status: statusOf(order),
    placedAt,
    customer: customerOf(order, channel, billTo, shipTo),
    ...(billTo ? { billTo } : {}),
    ...(shipTo ? { shipTo } : {}),
    currency,
    pricesIncludeTax,
    lines,
    ...(shippingLines.length > 0 ? { shippingLines } : {}),
    totals: { subtotal, discountTotal, shippingTotal, taxTotal, grandTotal },
    ...(note === undefined ? {} : { notes: note.slice(0, 4_000) }),
    extensions: { [channel]: extras },
  };
}

/** The built-in `shopify-order@1` mapping. */
export const shopifyOrderMapping: Mapping = {
  name: "shopify-order",
  version: 1,
  kind: "builtin",
  source: { connectionType: "shopify", documentType: "orders/create" },
  target: "order/v1",
  emits: "order.received",
  origin: "built-in",
  async map(document: unknown, context: MappingContext): Promise<MapOutcome> {
    return runBuiltinMapper("shopify-order@1", () => {
      const order = mapShopifyOrder(document, context.connection);
      return [{ key: `${order.channel}:${order.channelOrderId}`, value: order as unknown as JsonValue }];
    });
  },
};
