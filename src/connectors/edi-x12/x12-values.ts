/**
 * X12 element values to canonical ones: numbers (type R and implied-decimal N) to decimal strings,
 * dates and times to RFC 3339, X12 units of measure to UN/ECE Rec 20 codes, country codes to ISO
 * alpha-2. Each returns `undefined` for a value it cannot read, so the caller can say where it was.
 */

/** X12 type R (`"23.52"`, `".5"`, `"0012"`, `"-3"`) to a canonical decimal string; at most 6 decimals. */
export function x12Decimal(text: string): string | undefined {
  const value = text.trim();
  if (value.length === 0 || value.length > 30) return undefined;
  let i = 0;
  const negative = value[0] === "-";
  if (negative || value[0] === "+") i = 1;
  let int = "";
  let frac = "";
  let point = false;
  for (; i < value.length; i++) {
    const c = value[i]!;
    if (c >= "0" && c <= "9") {
      if (point) frac += c;
      else int += c;
    } else if (c === "." && !point) point = true;
    else return undefined;
  }
  if (int.length === 0 && frac.length === 0) return undefined;
  int = int.replace(/^0+(?=\d)/, "") || "0";
  frac = frac.replace(/0+$/, "");
  if (frac.length > 6) return undefined;
  const body = frac.length > 0 ? `${int}.${frac}` : int;
  return negative && body !== "0" ? `-${body}` : body;
}

/** X12 type Nn (implied decimals, e.g. N2 `"39817"` = `"398.17"`) to a decimal string. */
export function x12ImpliedDecimal(text: string, places: number): string | undefined {
  const value = text.trim();
  if (!/^-?\d{1,18}$/.test(value)) return undefined;
  const negative = value.startsWith("-");
  const digits = (negative ? value.slice(1) : value).padStart(places + 1, "0");
  const int = digits.slice(0, digits.length - places);
  return x12Decimal(`${negative ? "-" : ""}${int}.${digits.slice(digits.length - places)}`);
}

/** A decimal string to X12 type Nn (`"398.17"`, 2 = `"39817"`). The value must have at most `places` decimals. */
export function toImpliedDecimal(value: string, places: number): string {
  const negative = value.startsWith("-");
  const [int = "0", frac = ""] = (negative ? value.slice(1) : value).split(".");
  const digits = `${int}${frac.padEnd(places, "0").slice(0, places)}`.replace(/^0+(?=\d)/, "");
  return `${negative ? "-" : ""}${digits}`;
}

/** CCYYMMDD or YYMMDD to `YYYY-MM-DD`; undefined for anything else or a date that does not exist. */
export function x12Date(text: string): string | undefined {
  const value = text.trim();
  let year: number;
  let rest: string;
  if (/^\d{8}$/.test(value)) {
    year = Number(value.slice(0, 4));
    rest = value.slice(4);
  } else if (/^\d{6}$/.test(value)) {
    const yy = Number(value.slice(0, 2));
    year = yy < 50 ? 2000 + yy : 1900 + yy;
    rest = value.slice(2);
  } else return undefined;
  const month = Number(rest.slice(0, 2));
  const day = Number(rest.slice(2, 4));
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return undefined;
  }
  return `${String(year).padStart(4, "0")}-${rest.slice(0, 2)}-${rest.slice(2, 4)}`;
}

/**
 * A date and an optional HHMM[SS[D..]] time to an RFC 3339 timestamp. X12 dates carry no time zone;
 * `offset` (default `Z`) is the trading partner's, from its configuration.
 */
export function x12Timestamp(date: string, time = "", offset = "Z"): string | undefined {
  const day = x12Date(date);
  if (day === undefined) return undefined;
  const t = time.trim();
  if (t === "") return `${day}T00:00:00${offset}`;
  if (!/^\d{4}(\d{2}(\d{1,2})?)?$/.test(t)) return undefined;
  const hh = Number(t.slice(0, 2));
  const mm = Number(t.slice(2, 4));
  const ss = t.length >= 6 ? Number(t.slice(4, 6)) : 0;
  if (hh > 23 || mm > 59 || ss > 59) return undefined;
  return `${day}T${t.slice(0, 2)}:${t.slice(2, 4)}:${String(ss).padStart(2, "0")}${offset}`;
}

/** An RFC 3339 timestamp to the date (CCYYMMDD) and time (HHMM) X12 wants, in UTC. */
export function toX12DateTime(timestamp: string): { date: string; time: string } {
  const iso = new Date(timestamp).toISOString();
  return { date: iso.slice(0, 10).replaceAll("-", ""), time: iso.slice(11, 16).replace(":", "") };
}

/** X12 unit codes whose UN/ECE Rec 20 code differs (X12 `CA` is a case, Rec 20 `CA` is a can). */
const UOM_FROM_X12: Readonly<Record<string, string>> = {
  CA: "CS",
  PC: "H87",
  DZ: "DZN",
  KG: "KGM",
  LB: "LBR",
  GA: "GLL",
  FT: "FOT",
  UN: "C62",
};
const UOM_TO_X12: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.entries(UOM_FROM_X12).map(([x12, rec20]) => [rec20, x12])),
  C62: "EA",
};

/** An X12 unit code to Rec 20; unknown codes pass through when they fit the model's pattern. */
export function uomFromX12(code: string): string | undefined {
  const value = code.trim();
  if (value === "") return undefined;
  const mapped = UOM_FROM_X12[value] ?? value;
  return /^[A-Z0-9]{1,3}$/.test(mapped) ? mapped : undefined;
}

/** A Rec 20 unit code to the X12 code partners expect (`C62` is written `EA`). */
export function uomToX12(code: string): string {
  return UOM_TO_X12[code] ?? code;
}

const COUNTRY3: Readonly<Record<string, string>> = {
  USA: "US",
  CAN: "CA",
  MEX: "MX",
  GBR: "GB",
  DEU: "DE",
  FRA: "FR",
};

/** N4-04 (ISO alpha-2, or the alpha-3 some partners send) to alpha-2. */
export function countryFromX12(code: string): string | undefined {
  const value = code.trim().toUpperCase();
  if (/^[A-Z]{2}$/.test(value)) return value;
  return COUNTRY3[value];
}
