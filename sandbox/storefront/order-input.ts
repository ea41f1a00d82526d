import { isObject } from "../partner-kit/http-kit.ts";
import type { DraftLine, OrderDraft, ShopAddress } from "./order-builder.ts";
import type { ShopCatalog } from "./shop-catalog.ts";
import { parseMoney } from "./shop-format.ts";

/** Checked input, or Shopify-style errors keyed by the (located) field: `{ "line_items[1].quantity": [...] }`. */
export type Checked<T> = { ok: true; value: T } | { ok: false; errors: Record<string, string[]> };

const MAX_LINES = 250;
const MAX_TEXT = 255;
const FINANCIAL = [
  "pending",
  "authorized",
  "partially_paid",
  "paid",
  "partially_refunded",
  "refunded",
  "voided",
];
const ADDRESS_FIELDS = [
  "first_name",
  "last_name",
  "name",
  "company",
  "address1",
  "address2",
  "city",
  "province",
  "province_code",
  "country",
  "country_code",
  "zip",
  "phone",
];

/** An id a client sent: a JSON integer (bigint above 2^53) or a string of digits. */
export function readId(value: unknown): bigint | undefined {
  if (typeof value === "bigint" && value > 0n) return value;
  if (typeof value === "number" && Number.isSafeInteger(value) && value > 0) return BigInt(value);
  if (typeof value === "string" && /^[1-9]\d{0,19}$/.test(value)) return BigInt(value);
  return undefined;
}

function text(value: unknown, max = MAX_TEXT): string | undefined {
  return typeof value === "string" && value.length <= max ? value : undefined;
}

function address(value: unknown, field: string, errors: Record<string, string[]>): ShopAddress | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) {
    errors[field] = ["must be an object"];
    return undefined;
  }
  const out: ShopAddress = {};
  for (const key of ADDRESS_FIELDS) {
    const v = value[key];
    if (v === undefined || v === null) continue;
    const s = text(v);
    if (s === undefined) errors[`${field}.${key}`] = [`must be a string of at most ${MAX_TEXT} characters`];
    else out[key] = s;
  }
  return out;
}

function line(
  raw: unknown,
  i: number,
  catalog: ShopCatalog,
  errors: Record<string, string[]>,
): DraftLine | undefined {
  const at = `line_items[${i}]`;
  if (!isObject(raw)) {
    errors[at] = ["must be an object"];
    return undefined;
  }
  const quantity = raw.quantity;
  if (typeof quantity !== "number" || !Number.isInteger(quantity) || quantity < 1 || quantity > 100_000) {
    errors[`${at}.quantity`] = ["must be an integer between 1 and 100000"];
  }
  const price = raw.price === undefined ? undefined : parseMoney(raw.price);
  if (raw.price !== undefined && (price === undefined || price < 0))
    errors[`${at}.price`] = ["is not a valid amount"];
  if (raw.variant_id !== undefined && raw.variant_id !== null) {
    const id = readId(raw.variant_id);
    const variant = id === undefined ? undefined : catalog.byVariantId(id);
    if (!variant) {
      errors[`${at}.variant_id`] = ["is invalid"];
      return undefined;
    }
    return {
      variant,
      sku: variant.sku,
      title: variant.title,
      priceCents: price ?? variant.priceCents,
      quantity: quantity as number,
      grams: variant.grams,
    };
  }
  const title = text(raw.title);
  if (!title) errors[`${at}.title`] = ["can't be blank when there is no variant_id"];
  if (price === undefined && raw.price === undefined)
    errors[`${at}.price`] = ["can't be blank when there is no variant_id"];
  const sku = raw.sku === undefined || raw.sku === null ? null : text(raw.sku);
  if (sku === undefined) errors[`${at}.sku`] = ["must be a string"];
  const grams =
    typeof raw.grams === "number" && Number.isInteger(raw.grams) && raw.grams >= 0 ? raw.grams : 0;
  return {
    sku: sku ?? null,
    title: title ?? "",
    priceCents: price ?? 0,
    quantity: quantity as number,
    grams,
  };
}

/**
 * Checks the `order` object of `POST orders.json`: lines by `variant_id` (price defaults to the
 * variant's) or custom (`title` + `price`), contact, addresses, financial status, note and tags.
 * Unknown fields are ignored, like Shopify does.
 */
export function checkOrderInput(raw: Record<string, unknown>, catalog: ShopCatalog): Checked<OrderDraft> {
  const errors: Record<string, string[]> = {};
  const rawLines = raw.line_items;
  const lines: DraftLine[] = [];
  if (!Array.isArray(rawLines) || rawLines.length === 0)
    errors.line_items = ["must have at least one line item"];
  else if (rawLines.length > MAX_LINES) errors.line_items = [`must have at most ${MAX_LINES} line items`];
  else
    rawLines.forEach((r, i) => {
      const l = line(r, i, catalog, errors);
      if (l) lines.push(l);
    });
  const email = raw.email === undefined || raw.email === null ? undefined : text(raw.email);
  if (raw.email !== undefined && raw.email !== null && (email === undefined || !email.includes("@")))
    errors.email = ["is invalid"];
  const financial = raw.financial_status ?? "paid";
  if (typeof financial !== "string" || !FINANCIAL.includes(financial))
    errors.financial_status = ["is not included in the list"];
  const note = raw.note === undefined || raw.note === null ? null : text(raw.note, 5000);
  if (note === undefined) errors.note = ["must be a string of at most 5000 characters"];
  const tags = raw.tags === undefined ? "" : text(raw.tags);
  if (tags === undefined) errors.tags = ["must be a string"];
  const shippingAddress = address(raw.shipping_address, "shipping_address", errors);
  const billingAddress = address(raw.billing_address, "billing_address", errors);
  const customer = isObject(raw.customer)
    ? {
        first_name: text(raw.customer.first_name),
        last_name: text(raw.customer.last_name),
        email: text(raw.customer.email),
      }
    : undefined;
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const draft: OrderDraft = {
    lines,
    financialStatus: financial as string,
    note: note ?? null,
    tags: tags ?? "",
  };
  if (email) draft.email = email;
  if (customer) draft.customer = customer;
  if (shippingAddress) draft.shippingAddress = shippingAddress;
  if (billingAddress) draft.billingAddress = billingAddress;
  return { ok: true, value: draft };
}
