/**
 * The building blocks every canonical entity is made of: decimal strings for money and quantities,
 * ISO codes, RFC 3339 timestamps, string ids, units of measure, external references and the one open
 * `extensions` object. Each carries a `description` that validation problems quote, so a person reads
 * `must be a money amount as a decimal string, e.g. "19.90"` rather than a regular expression.
 *
 * Every pattern is anchored and linear (no nested quantifiers), and every string has a `maxLength`, so
 * a hostile 10 MB value costs one bounded check, never a regular-expression blow-up.
 */
import Type from "typebox";

/** Objects of the model refuse unknown fields; channel extras go in `extensions`. */
export const closed = { additionalProperties: false } as const;

/** The model's base URI; an entity's `$id` is `${MODEL_BASE_URI}<entity>/v<version>`. */
export const MODEL_BASE_URI = "https://crossdock.dev/model/";

/**
 * Money: up to 15 digits before the point and 6 after, optionally negative. Six places hold unit
 * prices finer than a currency's minor unit (B2B price lists, fuel surcharges); totals usually carry
 * the currency's own places (2 for EUR, 0 for JPY, 3 for KWD).
 */
const MONEY = {
  pattern: "^-?(0|[1-9][0-9]{0,14})(\\.[0-9]{1,6})?$",
  maxLength: 23,
  description: 'a money amount as a decimal string, e.g. "19.90" (up to 15 digits, 6 decimals)',
} as const;
export const Money = Type.String(MONEY);
/** `Money` with a field-specific description (what the amount means), same rule. */
export const moneyAs = (meaning: string) =>
  Type.String({ ...MONEY, description: `${MONEY.description}: ${meaning}` });

/** Quantity: up to 12 digits before the point and 6 after; negative only where a field says so. */
const QUANTITY = {
  pattern: "^-?(0|[1-9][0-9]{0,11})(\\.[0-9]{1,6})?$",
  maxLength: 20,
  description: 'a quantity as a decimal string, e.g. "3" or "2.5" (up to 12 digits, 6 decimals)',
} as const;
export const Quantity = Type.String(QUANTITY);
/** `Quantity` with a field-specific description, same rule. */
export const quantityAs = (meaning: string) =>
  Type.String({ ...QUANTITY, description: `${QUANTITY.description}: ${meaning}` });

/** A percentage from 0 to 999.999999 ("20" is 20 %), for tax rates and discount rates. */
export const Percent = Type.String({
  pattern: "^(0|[1-9][0-9]{0,2})(\\.[0-9]{1,6})?$",
  maxLength: 10,
  description: 'a percentage as a decimal string, e.g. "20" or "7.7"',
});

/** A measure with an explicit unit, for weights and dimensions. */
export const Measure = <U extends string>(units: readonly U[]) =>
  Type.Object(
    { value: Quantity, unit: Type.Enum(units, { description: `one of ${units.join(", ")}` }) },
    closed,
  );

/** ISO 4217 alphabetic currency code; the consistency checks also refuse codes ICU does not know. */
export const CurrencyCode = Type.String({
  pattern: "^[A-Z]{3}$",
  description: 'an ISO 4217 currency code, e.g. "EUR"',
});

/** ISO 3166-1 alpha-2 country code. */
export const CountryCode = Type.String({
  pattern: "^[A-Z]{2}$",
  description: 'an ISO 3166-1 alpha-2 country code, e.g. "DE"',
});

/** RFC 3339 date-time with an explicit offset (`Z` or `+02:00`); at most nanoseconds. */
export const Timestamp = Type.String({
  format: "date-time",
  pattern:
    "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$",
  maxLength: 35,
  description: 'an RFC 3339 timestamp with offset, e.g. "2026-03-01T09:30:00Z"',
});

/** A calendar date (`YYYY-MM-DD`) for due dates and expected dates, which have no time of day. */
export const CalendarDate = Type.String({
  format: "date",
  pattern: "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
  maxLength: 10,
  description: 'a calendar date, e.g. "2026-03-31"',
});

/**
 * An identifier from some system, always a string: Shopify's ids exceed 2^53 and EDI control numbers
 * keep their leading zeros. No control characters, no surrounding spaces.
 */
export const Id = Type.String({
  minLength: 1,
  maxLength: 255,
  pattern: "^[^\\s\\p{Cc}]([^\\p{Cc}]*[^\\s\\p{Cc}])?$",
  description: 'an identifier as a string, e.g. "5550934128715" (never a number)',
});

/** A stock keeping unit: printable, no surrounding spaces, at most 128 characters. */
export const Sku = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: "^[^\\s\\p{Cc}]([^\\p{Cc}]*[^\\s\\p{Cc}])?$",
  description: 'a SKU, e.g. "CHAIR-OAK-01"',
});

/**
 * A unit of measure as a UN/ECE Recommendation 20 code: `C62` one (unit), `H87` piece, `EA` each,
 * `KGM` kilogram, `LTR` litre, `MTR` metre, `CT` carton, `PK` pack, `DZN` dozen. A pattern, not a
 * list, so a partner's less common code does not need a schema change; mappings translate Odoo's and
 * X12's names to these codes.
 */
export const Uom = Type.String({
  pattern: "^[A-Z0-9]{1,3}$",
  description: 'a UN/ECE Rec 20 unit code, e.g. "C62" (unit) or "KGM" (kilogram)',
});

/** The name of a connection or channel in `crossdock.yaml`, e.g. `shopify-eu`, `odoo`, `b2b-portal`. */
export const ConnectionName = Type.String({
  pattern: "^[a-z0-9][a-z0-9_-]{0,63}$",
  description: 'a connection or channel name, e.g. "shopify-eu"',
});

/** A short code such as a warehouse (`WH`), location (`WH/Stock`) or carrier (`ups`). */
export const Code = Type.String({
  pattern: "^[A-Za-z0-9][A-Za-z0-9_./-]{0,63}$",
  description: 'a short code, e.g. "WH" or "WH/Stock"',
});

/** Free text of at most `max` characters, never empty. */
export const Text = (max: number, description?: string) =>
  Type.String({ minLength: 1, maxLength: max, ...(description === undefined ? {} : { description }) });

export const Email = Type.String({
  maxLength: 254,
  pattern: "^[^\\s@]+@[^\\s@]+$",
  description: 'an email address, e.g. "ana@example.com"',
});

export const HttpUrl = Type.String({
  maxLength: 2048,
  pattern: "^https?://[^\\s]+$",
  description: "an http(s) URL",
});

/** Where a record lives in another system: `{ system: "odoo", kind: "sale.order", id: "42" }`. */
export const ExternalRef = Type.Object(
  { system: ConnectionName, kind: Type.Optional(Text(64)), id: Id },
  { ...closed, description: "the record's id in another system" },
);
export type ExternalRef = Type.Static<typeof ExternalRef>;

/** The other systems' ids of a record, at most 32. */
export const Refs = Type.Array(ExternalRef, { maxItems: 32 });

/** Which order a document belongs to: the channel and the channel's own order id. */
export const OrderRef = Type.Object(
  { channel: ConnectionName, channelOrderId: Id, orderNumber: Type.Optional(Text(128)) },
  closed,
);
export type OrderRef = Type.Static<typeof OrderRef>;

/**
 * The one open place of every entity: what a channel needs to round-trip and the model has no field
 * for (Shopify tags, note attributes), keyed by connection name. At most 32 keys; the hub's input
 * limits (depth, size, forbidden keys) still apply inside.
 */
export const Extensions = Type.Unsafe<Readonly<Record<string, unknown>>>({
  type: "object",
  maxProperties: 32,
  propertyNames: { pattern: "^[a-z0-9][a-z0-9_-]{0,63}$", not: { enum: ["constructor", "prototype"] } },
  description: "channel-specific extras keyed by connection name",
});

/** The `schemaVersion` field every entity carries, equal to the version in its `$id`. */
export const SchemaVersion = <V extends number>(version: V) =>
  Type.Unsafe<V>({ type: "integer", const: version, description: "the version of this entity's schema" });
