import { isObject } from "../partner-kit/http-kit.ts";

/** A fulfilment request as `POST /orders` takes it. */
export interface FulfilmentRequest {
  /** The client's order reference; unique per warehouse. */
  reference: string;
  lines: { sku: string; quantity: number }[];
  ship_to: Record<string, string>;
  carrier?: string;
  service?: string;
}

/** A located problem in a request body: `{ path: "lines[1].quantity", message: "..." }`. */
export interface RequestProblem {
  path: string;
  message: string;
}

const MAX_LINES = 500;
// Printable text: no control characters (they break the warehouse's label printer and its flat files).
const TEXT = /^[^\p{Cc}]{1,255}$/u;
const SHIP_TO_FIELDS = [
  "name",
  "company",
  "address1",
  "address2",
  "city",
  "zip",
  "province",
  "country_code",
  "phone",
  "email",
];

function text(value: unknown): value is string {
  return typeof value === "string" && TEXT.test(value);
}

/**
 * Checks a fulfilment request: a reference, 1..500 lines of SKU and positive integer quantity (one line
 * per SKU), and a ship-to with at least name, address1, city and a two-letter country code. Returns
 * every problem, located, or the request.
 */
export function checkFulfilmentRequest(
  body: unknown,
): { ok: true; value: FulfilmentRequest } | { ok: false; problems: RequestProblem[] } {
  const problems: RequestProblem[] = [];
  const at = (path: string, message: string) => problems.push({ path, message });
  if (!isObject(body)) return { ok: false, problems: [{ path: "", message: "must be a JSON object" }] };
  if (!text(body.reference)) at("reference", "must be a string of 1 to 255 characters");
  const lines: { sku: string; quantity: number }[] = [];
  if (!Array.isArray(body.lines) || body.lines.length === 0 || body.lines.length > MAX_LINES) {
    at("lines", `must be a list of 1 to ${MAX_LINES} lines`);
  } else {
    const seen = new Set<string>();
    body.lines.forEach((line: unknown, i: number) => {
      if (!isObject(line)) {
        at(`lines[${i}]`, "must be an object");
        return;
      }
      if (!text(line.sku)) at(`lines[${i}].sku`, "must be a string of 1 to 255 characters");
      else if (seen.has(line.sku)) at(`lines[${i}].sku`, `${line.sku} appears twice; send one line per SKU`);
      else seen.add(line.sku);
      const q = line.quantity;
      if (typeof q !== "number" || !Number.isInteger(q) || q < 1 || q > 1_000_000) {
        at(`lines[${i}].quantity`, "must be an integer from 1 to 1000000");
      }
      if (text(line.sku) && typeof q === "number") lines.push({ sku: line.sku, quantity: q });
    });
  }
  const shipTo: Record<string, string> = {};
  if (!isObject(body.ship_to)) at("ship_to", "must be an object");
  else {
    for (const field of SHIP_TO_FIELDS) {
      const v = body.ship_to[field];
      if (v === undefined || v === null || v === "") continue;
      if (!text(v)) at(`ship_to.${field}`, "must be a string of 1 to 255 characters");
      else shipTo[field] = v;
    }
    for (const field of ["name", "address1", "city"])
      if (!shipTo[field]) at(`ship_to.${field}`, "is required");
    if (!/^[A-Z]{2}$/.test(shipTo.country_code ?? ""))
      at("ship_to.country_code", "must be an ISO 3166 alpha-2 code");
  }
  for (const field of ["carrier", "service"] as const) {
    if (body[field] !== undefined && body[field] !== null && !text(body[field]))
      at(field, "must be a string of 1 to 255 characters");
  }
  if (problems.length > 0) return { ok: false, problems };
  const value: FulfilmentRequest = { reference: body.reference as string, lines, ship_to: shipTo };
  if (typeof body.carrier === "string") value.carrier = body.carrier;
  if (typeof body.service === "string") value.service = body.service;
  return { ok: true, value };
}
