import { sumDecimals } from "../../core/model/decimal.ts";
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
  optionalId,
  optionalObject,
  optionalText,
  requiredId,
  requiredText,
  runBuiltinMapper,
} from "./document-reader.ts";
import { money } from "./shopify-lines.ts";
import { mapWooLines, mapWooShippingLines, readTaxRates, type WooLineOptions } from "./woocommerce-lines.ts";

export type WooOrderOptions = WooLineOptions;

export const WOO_CANCELLED_STATUSES: ReadonlySet<string> = new Set([
  "cancelled",
  "failed",
  "refunded",
  "trash",
]);

function address(order: Obj, key: string): Address | undefined {
  const raw = optionalObject(order, key, "");
  if (!raw) return undefined;
  const p = `/${key}`;
  const text = (k: string, max = 256) => optionalText(raw, k, p, max);
  const person = [text("first_name"), text("last_name")].filter(Boolean).join(" ");
  const fields: Record<string, string | undefined> = {
    name: person || undefined,
    company: text("company"),
    street: text("address_1"),
    street2: text("address_2"),
    city: text("city", 128),
    postalCode: text("postcode", 32),
    region: text("state", 64),
    countryCode: text("country", 2)?.toUpperCase(),
    phone: text("phone", 64),
  };
  const present = Object.entries(fields).filter(([, v]) => v !== undefined);
  return present.length === 0 ? undefined : (Object.fromEntries(present) as unknown as Address);
}

function timestamp(order: Obj, key: string): string | undefined {
  const gmt = optionalText(order, `${key}_gmt`, "", 40);
  if (gmt !== undefined) return /(Z|[+-]\d{2}:\d{2})$/.test(gmt) ? gmt : `${gmt}Z`;
  const local = optionalText(order, key, "", 40);
  // only an explicit offset makes the local time usable
  return local !== undefined && /(Z|[+-]\d{2}:\d{2})$/.test(local) ? local : undefined;
}

function customerOf(order: Obj, channel: string, billTo?: Address, shipTo?: Address): PartyValue {
  const billing = optionalObject(order, "billing", "") ?? {};
  const email = optionalText(billing, "email", "/billing", 254);
  const phone = optionalText(billing, "phone", "/billing", 64);
  const id = optionalId(order, "customer_id", "");
  return {
    kind: "person",
    name: billTo?.name || shipTo?.name || email || "Guest",
    ...(billTo?.company ? { company: billTo.company } : {}),
    ...(email ? { email } : {}),
    ...(phone ? { phone } : {}),
    ...(id && id !== "0" ? { refs: [{ system: channel, kind: "customer", id }] } : {}),
  };
}

function statusOf(wooStatus: string): Order["status"] {
  if (WOO_CANCELLED_STATUSES.has(wooStatus)) return "cancelled";
  return wooStatus === "completed" ? "completed" : "pending";
}

/** Maps one order; throws `DocumentFault` (caught by the mapping) on a document that does not fit. */
export function mapWooCommerceOrder(body: unknown, channel: string, options: WooOrderOptions = {}): Order {
  const order = asObject(body, "");
  if (member(order, "id") === undefined && member(order, "order") !== undefined) {
    throw new DocumentFault(
      "/order",
      'this is a legacy REST API v3 order {"order": {...}} (WooCommerce before 2.6); Crossdock reads the wc/v3 order',
    );
  }
  const channelOrderId = requiredId(order, "id", "");
  const codes = arrayOf(order, "coupon_lines", "", 50).flatMap((raw, i) => {
    const code = optionalText(asObject(raw, `/coupon_lines/${i}`), "code", `/coupon_lines/${i}`, 128);
    return code ? [code] : [];
  });
  const coupon =
    codes.length === 1
      ? { code: codes[0] as string }
      : codes.length > 1
        ? { description: `coupons ${codes.join(", ")}`.slice(0, 256) }
        : {};
  const rates = readTaxRates(order);
  const lines = mapWooLines(order, rates, coupon, options);
  const shippingLines = mapWooShippingLines(order, rates);
  const billTo = address(order, "billing");
  const shipTo = address(order, "shipping");
  const taxes = [...lines, ...shippingLines].flatMap((l) => l.taxes ?? []);
  const currency = requiredText(order, "currency", "", 3).toUpperCase();
  const placedAt = timestamp(order, "date_created");
  if (placedAt === undefined)
    throw new DocumentFault("/date_created_gmt", "is missing: when the order was placed");
  const wooStatus = requiredText(order, "status", "", 32);
  const paidAt = timestamp(order, "date_paid");
  const paid = paidAt !== undefined || member(order, "set_paid") === true;
  const methodTitle = optionalText(order, "payment_method_title", "", 256);
  const number = optionalText(order, "number", "", 128);
  const note = optionalText(order, "customer_note", "", 1_000_000);
  return {
    schemaVersion: 1,
    channel,
    channelOrderId,
    ...(number === undefined ? {} : { orderNumber: number }),
    status: statusOf(wooStatus),
    placedAt,
    customer: customerOf(order, channel, billTo, shipTo),
    ...(billTo ? { billTo } : {}),
    ...(shipTo ? { shipTo } : {}),
    currency,
    pricesIncludeTax: false,
    lines,
    ...(shippingLines.length > 0 ? { shippingLines } : {}),
    ...(paid
      ? { paymentTerms: { code: "PREPAID", ...(methodTitle ? { name: methodTitle } : {}), dueDays: 0 } }
      : {}),
    totals: {
      subtotal: money(sumDecimals(lines.map((l) => l.total)), "/line_items"),
      discountTotal: money(
        sumDecimals(lines.flatMap((l) => (l.discounts ?? []).map((d) => d.amount))),
        "/discount_total",
      ),
      shippingTotal: money(sumDecimals(shippingLines.map((l) => l.total)), "/shipping_total"),
      taxTotal: money(member(order, "total_tax") ?? sumDecimals(taxes.map((t) => t.amount)), "/total_tax"),
      grandTotal: money(member(order, "total"), "/total"),
    },
    ...(note === undefined ? {} : { notes: note.slice(0, 4_000) }),
    extensions: {
      [channel]: {
        wooStatus,
        paid,
        paidAt: paidAt ?? null,
        paymentMethod: optionalText(order, "payment_method", "", 64) ?? null,
        paymentMethodTitle: methodTitle ?? null,
        transactionId: optionalText(order, "transaction_id", "", 128) ?? null,
        shopPricesIncludeTax: member(order, "prices_include_tax") === true,
        couponCodes: codes,
      },
    },
  };
}

/** The built-in `woocommerce-order@1` mapping. */
export const woocommerceOrderMapping: Mapping = {
  name: "woocommerce-order",
  version: 1,
  kind: "builtin",
  source: { connectionType: "woocommerce", documentType: "order.created" },
  target: "order/v1",
  emits: "order.received",
  origin: "built-in",
  async map(document: unknown, context: MappingContext): Promise<MapOutcome> {
    return runBuiltinMapper("woocommerce-order@1", () => {
      const order = mapWooCommerceOrder(document, context.connection);
      return [{ key: `${order.channel}:${order.channelOrderId}`, value: order as unknown as JsonValue }];
    });
  },
};
