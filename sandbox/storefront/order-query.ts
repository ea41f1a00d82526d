import type { OrderJson } from "./order-builder.ts";
import { readId } from "./order-input.ts";

/** A checked `GET orders.json` query, or the parameter that is wrong. */
export type OrderQuery =
  | {
      ok: true;
      limit: number;
      afterId: bigint;
      status: string;
      ids?: bigint[];
      createdMin?: number;
      updatedMin?: number;
      fulfillment?: string;
      financial?: string;
      /** The query without paging, carried in `page_info` so the next page keeps the filter. */
      filter: Record<string, string>;
    }
  | { ok: false; field: string; message: string };

const FILTERS = [
  "status",
  "ids",
  "since_id",
  "created_at_min",
  "updated_at_min",
  "fulfillment_status",
  "financial_status",
];
const STATUSES = ["open", "closed", "cancelled", "any"];
const FULFILLMENT = ["shipped", "partial", "unshipped", "unfulfilled", "any"];

/** `page_info` as the sandbox writes it: opaque to clients, base64url of the last id and the filter. */
export function encodePageInfo(lastId: bigint, filter: Record<string, string>): string {
  return Buffer.from(JSON.stringify({ after: lastId.toString(), filter })).toString("base64url");
}

function decodePageInfo(text: string): { after: bigint; filter: Record<string, string> } | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as {
      after?: unknown;
      filter?: unknown;
    };
    const after = readId(parsed.after);
    if (after === undefined || typeof parsed.filter !== "object" || parsed.filter === null) return undefined;
    const filter: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed.filter))
      if (FILTERS.includes(k) && typeof v === "string") filter[k] = v;
    return { after, filter };
  } catch {
    return undefined;
  }
}

/**
 * Reads `GET orders.json` parameters the way Shopify does: `limit` 1..250 (default 50), filters, and
 * cursor paging with `page_info` (which, as on Shopify, excludes every filter but `limit`).
 */
export function readOrderQuery(params: URLSearchParams): OrderQuery {
  const limitText = params.get("limit") ?? "50";
  const limit = Number(limitText);
  if (!/^\d{1,3}$/.test(limitText) || limit < 1 || limit > 250) {
    return { ok: false, field: "limit", message: "must be an integer between 1 and 250" };
  }
  let filter: Record<string, string> = {};
  let afterId = 0n;
  const pageInfo = params.get("page_info");
  if (pageInfo !== null) {
    if (FILTERS.some((k) => params.has(k))) {
      return { ok: false, field: "page_info", message: "page_info cannot be combined with other filters" };
    }
    const decoded = decodePageInfo(pageInfo);
    if (!decoded) return { ok: false, field: "page_info", message: "Invalid value." };
    filter = decoded.filter;
    afterId = decoded.after;
  } else {
    for (const k of FILTERS) {
      const v = params.get(k);
      if (v !== null) filter[k] = v;
    }
  }
  const status = filter.status ?? "open";
  if (!STATUSES.includes(status))
    return { ok: false, field: "status", message: "is not included in the list" };
  const query: OrderQuery = { ok: true, limit, afterId, status, filter };
  if (filter.since_id !== undefined) {
    const since = readId(filter.since_id);
    if (since === undefined) return { ok: false, field: "since_id", message: "must be an id" };
    if (since > afterId) query.afterId = since;
  }
  if (filter.ids !== undefined) {
    const ids = filter.ids.split(",").map((s) => readId(s.trim()));
    if (ids.length > 250 || ids.some((id) => id === undefined))
      return { ok: false, field: "ids", message: "must be a comma-separated list of ids" };
    query.ids = ids as bigint[];
  }
  for (const [key, target] of [
    ["created_at_min", "createdMin"],
    ["updated_at_min", "updatedMin"],
  ] as const) {
    if (filter[key] === undefined) continue;
    const ms = Date.parse(filter[key]);
    if (!Number.isFinite(ms)) return { ok: false, field: key, message: "must be an ISO 8601 date" };
    query[target] = ms;
  }
  if (filter.fulfillment_status !== undefined) {
    if (!FULFILLMENT.includes(filter.fulfillment_status))
      return { ok: false, field: "fulfillment_status", message: "is not included in the list" };
    query.fulfillment = filter.fulfillment_status;
  }
  if (filter.financial_status !== undefined) query.financial = filter.financial_status;
  return query;
}

/** Whether `order` passes the query's filters (paging aside). */
export function matchesQuery(order: OrderJson, q: Extract<OrderQuery, { ok: true }>): boolean {
  if (order.id <= q.afterId) return false;
  if (q.ids && !q.ids.includes(order.id)) return false;
  const cancelled = order.cancelled_at !== null;
  const closed = order.closed_at !== null;
  if (q.status === "open" && (cancelled || closed)) return false;
  if (q.status === "closed" && !closed) return false;
  if (q.status === "cancelled" && !cancelled) return false;
  if (q.createdMin !== undefined && Date.parse(order.created_at as string) < q.createdMin) return false;
  if (q.updatedMin !== undefined && Date.parse(order.updated_at as string) < q.updatedMin) return false;
  const fs = order.fulfillment_status as string | null;
  if (q.fulfillment === "shipped" && fs !== "fulfilled") return false;
  if (q.fulfillment === "partial" && fs !== "partial") return false;
  if (q.fulfillment === "unshipped" && fs !== null) return false;
  if (q.fulfillment === "unfulfilled" && fs === "fulfilled") return false;
  if (q.financial !== undefined && q.financial !== "any" && order.financial_status !== q.financial)
    return false;
  return true;
}
