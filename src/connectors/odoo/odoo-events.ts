/**
 * The canonical events that Odoo change capture emits, and the shape of their data. Event type names are
 * stored in the event log and matched by routes and workflow waits: they never change once released.
 *
 * Money and quantities are decimal strings (`"1234.50"`), never floats: Odoo answers JSON floats, and a
 * float that is summed, compared or re-serialised by a consumer drifts (`0.1 + 0.2`). `toDecimalString`
 * rounds Odoo's number half away from zero at the currency's decimals, the way Odoo's own `float_round`
 * does for amounts it stored.
 */

export const ORDER_CONFIRMED = "order.confirmed";
export const ORDER_CANCELLED = "order.cancelled";
export const DELIVERY_DONE = "delivery.done";
export const INVOICE_POSTED = "invoice.posted";
export const PAYMENT_RECEIVED = "payment.received";
export const STOCK_CHANGED = "stock.changed";
export const PRODUCT_CHANGED = "product.changed";
export const PARTNER_CHANGED = "partner.changed";
export const PURCHASE_CONFIRMED = "purchase.confirmed";
export const RECEIPT_DONE = "receipt.done";

export const ODOO_EVENT_TYPES = [
  ORDER_CONFIRMED,
  ORDER_CANCELLED,
  DELIVERY_DONE,
  INVOICE_POSTED,
  PAYMENT_RECEIVED,
  STOCK_CHANGED,
  PRODUCT_CHANGED,
  PARTNER_CHANGED,
  PURCHASE_CONFIRMED,
  RECEIPT_DONE,
] as const;

export type OdooEventType = (typeof ODOO_EVENT_TYPES)[number];

/**
 * Where an event came from; every event's data carries it so consumers can trace and deduplicate.
 * (Data shapes are type aliases, not interfaces, so that they are assignable to the store's `JsonValue`.)
 */
export type OdooSource = {
  connection: string;
  model: string;
  id: number;
  /** Odoo's `write_date` of the version that caused the event (`'YYYY-MM-DD HH:MM:SS'`, UTC). */
  write_date: string;
};

/** A many2one as Crossdock passes it on: the id, or null when the field is empty. */
export type RefId = number | null;

export type OrderEventData = {
  source: OdooSource;
  id: number;
  name: string;
  client_order_ref: string | null;
  origin: string | null;
  partner_id: RefId;
  state: string;
  /** The previous state Crossdock saw, null on first sight. */
  previous_state: string | null;
  amount_total: string;
  currency: string | null;
  picking_ids: number[];
  invoice_status: string | null;
  write_date: string;
};

export type PickingEventData = {
  source: OdooSource;
  id: number;
  name: string;
  /** The sale (or purchase) order name the picking came from. */
  origin: string | null;
  carrier_tracking_ref: string | null;
  carrier_id: RefId;
  carrier: string | null;
  date_done: string | null;
  backorder_id: RefId;
  partner_id: RefId;
};

export type InvoiceEventData = {
  source: OdooSource;
  id: number;
  name: string;
  invoice_origin: string | null;
  partner_id: RefId;
  state: string;
  payment_state: string | null;
  amount_total: string;
  amount_residual: string;
  currency: string | null;
};

/** `payment.received`: the invoice, and whether something is still due. */
export type PaymentEventData = InvoiceEventData & { partial: boolean };

export type ProductEventData = {
  source: OdooSource;
  id: number;
  default_code: string | null;
  barcode: string | null;
  name: string;
  storable: boolean;
  list_price: string;
  active: boolean;
};

export type StockEventData = {
  source: OdooSource;
  product_id: RefId;
  default_code: string | null;
  location_id: RefId;
  quantity: string;
  reserved_quantity: string;
};

export type PurchaseEventData = {
  source: OdooSource;
  id: number;
  name: string;
  partner_id: RefId;
  partner_ref: string | null;
  origin: string | null;
  state: string;
  amount_total: string;
  currency: string | null;
  date_approve: string | null;
};

export type PartnerEventData = {
  source: OdooSource;
  id: number;
  name: string;
  email: string | null;
  ref: string | null;
  commercial_partner_id: RefId;
  parent_id: RefId;
  is_company: boolean;
  type: string | null;
  country_id: RefId;
  active: boolean;
};

/**
 * Odoo's number as a decimal string with exactly `digits` decimals, rounded half away from zero on
 * the number's shortest decimal form (so `1234.5600000000002` gives `"1234.56"` and `1.005` gives
 * `"1.01"`, as Odoo's `float_round` does). `false`/null (an empty Odoo field) gives `"0.00"`.
 */
export function toDecimalString(value: unknown, digits = 2): string {
  const number = typeof value === "number" ? value : typeof value === "string" ? Number(value) : 0;
  if (!Number.isFinite(number)) throw new RangeError(`Not a finite number: ${String(value)}`);
  if (!Number.isInteger(digits) || digits < 0 || digits > 12) throw new RangeError(`Bad digits ${digits}`);
  const negative = number < 0 || Object.is(number, -0);
  const [intPart, fraction] = plainDigits(Math.abs(number));
  // Work on the digit string: integer digits + fraction digits, as one big integer scaled by 10^digits.
  const kept = (fraction + "0".repeat(digits)).slice(0, digits);
  const next = fraction.charCodeAt(digits) - 48;
  let scaled = BigInt(intPart + kept);
  if (next >= 5) scaled += 1n;
  const text = scaled.toString().padStart(digits + 1, "0");
  const whole = text.slice(0, text.length - digits);
  const decimals = text.slice(text.length - digits);
  const out = digits === 0 ? whole : `${whole}.${decimals}`;
  return negative && scaled !== 0n ? `-${out}` : out;
}

/** The shortest decimal form of a non-negative finite number as [integer digits, fraction digits]. */
function plainDigits(value: number): [string, string] {
  const text = String(value);
  const match = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(text);
  if (!match) throw new RangeError(`Unexpected number form: ${text}`);
  const mantissa = match[1]! + (match[2] ?? "");
  const exponent = Number(match[3] ?? 0) + match[1]!.length;
  if (exponent <= 0) return ["0", "0".repeat(-exponent) + mantissa];
  if (exponent >= mantissa.length) return [mantissa + "0".repeat(exponent - mantissa.length), ""];
  return [mantissa.slice(0, exponent), mantissa.slice(exponent)];
}
