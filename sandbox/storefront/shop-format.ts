/**
 * How Shopify writes money and time: money as decimal strings with two places ("199.00"), computed
 * here in integer cents so no float ever rounds a total; times as ISO 8601 with the shop's UTC offset
 * ("2024-10-01T08:00:00-04:00").
 */

/** Cents as Shopify's money string: 19900 -> "199.00", -5 -> "-0.05". */
export function money(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(Math.round(cents));
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

const MONEY = /^-?\d{1,12}(\.\d{1,2})?$/;

/** A money value a client sent (string or number, at most 2 decimals) in cents, or undefined. */
export function parseMoney(value: unknown): number | undefined {
  const text = typeof value === "number" && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== "string" || !MONEY.test(text)) return undefined;
  const negative = text.startsWith("-");
  const [whole = "0", fraction = ""] = text.replace("-", "").split(".");
  const cents = Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
  return negative ? -cents : cents;
}

/** Epoch ms as Shopify's timestamp in a shop `offsetMinutes` east of UTC, second precision. */
export function shopTime(ms: number, offsetMinutes = 0): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.trunc(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}
