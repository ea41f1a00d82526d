/**
 * Route rules of `flows.routes`: which events a route takes. A rule names the event type and, in
 * `when`, conditions on the canonical document the event carries (an order, a shipment, a receipt...),
 * all of which must hold:
 *
 * - `channel`: the document's channel (an order's, or the order a shipment is for) is one of these;
 * - `country`: the ship-to country is one of these (ISO codes);
 * - `warehouse`: the document's warehouse is one of these;
 * - `sku`: some line's SKU matches one of these patterns (`*` any run of characters);
 * - `amountAtLeast` / `amountBelow`: the grand total, compared exactly as decimals.
 *
 * A condition on a field the document does not have is false, so a rule never takes an event it
 * cannot judge. Pure functions: the router applies them.
 */
import { compareDecimals, isDecimal } from "../../core/model/decimal.ts";

export interface RouteWhen {
  readonly channel?: readonly string[];
  readonly country?: readonly string[];
  readonly warehouse?: readonly string[];
  readonly sku?: readonly string[];
  readonly amountAtLeast?: string;
  readonly amountBelow?: string;
}

type Doc = Record<string, unknown>;

/** Event data keys under which the connectors put the canonical document. */
const WRAPPERS = ["order", "shipment", "receipt", "return", "purchase", "acknowledgement", "invoice"];

/** The canonical document an event carries: `data.order`, `data.shipment`, ... or the data itself. */
export function documentOf(data: unknown): Doc | undefined {
  if (data === null || typeof data !== "object" || Array.isArray(data)) return undefined;
  const record = data as Doc;
  for (const key of WRAPPERS) {
    const inner = record[key];
    if (inner !== null && typeof inner === "object" && !Array.isArray(inner) && "schemaVersion" in inner)
      return inner as Doc;
  }
  return record;
}

const text = (value: unknown) => (typeof value === "string" ? value : undefined);

function channelOf(doc: Doc): string | undefined {
  return text(doc.channel) ?? text((doc.order as Doc | undefined)?.channel);
}

function globs(patterns: readonly string[]): RegExp[] {
  return patterns.map((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`));
}

/** True when the event's document meets every condition of `when` (no conditions: always). */
export function matchesWhen(when: RouteWhen | undefined, data: unknown): boolean {
  if (!when) return true;
  const doc = documentOf(data);
  if (!doc) return false;
  if (when.channel && !when.channel.includes(channelOf(doc) ?? "")) return false;
  if (when.country) {
    const country = text((doc.shipTo as Doc | undefined)?.countryCode);
    if (!country || !when.country.includes(country)) return false;
  }
  if (when.warehouse && !when.warehouse.includes(text(doc.warehouse) ?? "")) return false;
  if (when.sku) {
    const patterns = globs(when.sku);
    const lines = Array.isArray(doc.lines) ? (doc.lines as Doc[]) : [];
    if (!lines.some((line) => patterns.some((p) => p.test(text(line?.sku) ?? "")))) return false;
  }
  if (when.amountAtLeast !== undefined || when.amountBelow !== undefined) {
    const total = (doc.totals as Doc | undefined)?.grandTotal;
    if (!isDecimal(total)) return false;
    if (when.amountAtLeast !== undefined && compareDecimals(total, when.amountAtLeast) < 0) return false;
    if (when.amountBelow !== undefined && compareDecimals(total, when.amountBelow) >= 0) return false;
  }
  return true;
}
