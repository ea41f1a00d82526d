import type { IncomingMessage, ServerResponse } from "node:http";
import { isObject, parseJson, readBody, sendJson } from "../partner-kit/http-kit.ts";
import type { LeakyBucket } from "./leaky-bucket.ts";
import { checkOrderInput, readId } from "./order-input.ts";
import { encodePageInfo, matchesQuery, readOrderQuery } from "./order-query.ts";
import type { SandboxShop, ShopRefusal } from "./sandbox-shop.ts";
import { API_VERSION, isShopTopic, type ShopWebhooks } from "./shop-webhooks.ts";

export interface AdminDeps {
  shop: SandboxShop;
  webhooks: ShopWebhooks;
  /** Undefined: no rate limit (and no call-limit header). */
  bucket: LeakyBucket | undefined;
  accessToken: string;
  maxBodyBytes: number;
  now: () => number;
  /** Base URL for `Link` headers. */
  baseUrl: () => string;
}

const PREFIX = `/admin/api/${API_VERSION}/`;
const NOT_FOUND = { errors: "Not Found" };
const INVALID_TOKEN = {
  errors: "[API] Invalid API key or access token (unrecognized login or wrong password)",
};

type Route = {
  method: string;
  pattern: RegExp;
  handle: (ctx: Ctx, match: RegExpMatchArray) => Promise<void> | void;
};
type Ctx = {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  deps: AdminDeps;
  headers: Record<string, string>;
};

function answer(ctx: Ctx, status: number, body: unknown, extra: Record<string, string> = {}): void {
  sendJson(ctx.res, status, body, { ...ctx.headers, ...extra });
}

/** Reads `{ <root>: {...} }`; answers Shopify's 400 and returns undefined when it is not that. */
async function rootObject(
  ctx: Ctx,
  root: string,
  optional = false,
): Promise<Record<string, unknown> | undefined> {
  const bytes = await readBody(ctx.req, ctx.deps.maxBodyBytes);
  if (optional && bytes.length === 0) return {};
  const parsed = parseJson(bytes);
  if (!parsed.ok) {
    answer(ctx, 400, { errors: `Bad Request: the body is not JSON (${parsed.reason})` });
    return undefined;
  }
  if (!isObject(parsed.value) || (!optional && !isObject(parsed.value[root]))) {
    answer(ctx, 400, { errors: { [root]: "Required parameter missing or invalid" } });
    return undefined;
  }
  const inner = parsed.value[root];
  return isObject(inner) ? inner : optional ? parsed.value : undefined;
}

function refusal(ctx: Ctx, r: ShopRefusal): void {
  if (r.refused === "not_found") answer(ctx, 404, NOT_FOUND);
  else answer(ctx, 422, { errors: { [r.field]: [r.message] } });
}

function isRefusal(value: unknown): value is ShopRefusal {
  return isObject(value) && typeof value.refused === "string";
}

function orderId(ctx: Ctx, match: RegExpMatchArray): bigint | undefined {
  const id = readId(match[1]);
  if (id === undefined || !ctx.deps.shop.orders.has(id)) answer(ctx, 404, NOT_FOUND);
  return id !== undefined && ctx.deps.shop.orders.has(id) ? id : undefined;
}

function optionalText(value: unknown): string | null | undefined {
  if (value === undefined || value === null) return null;
  return typeof value === "string" && value.length <= 2048 ? value : undefined;
}

const ROUTES: Route[] = [
  {
    method: "GET",
    pattern: /^orders\.json$/,
    handle: (ctx) => {
      const q = readOrderQuery(ctx.url.searchParams);
      if (!q.ok) return answer(ctx, 400, { errors: { [q.field]: q.message } });
      const all = [...ctx.deps.shop.orders.values()]
        .filter((o) => matchesQuery(o, q))
        .sort((a, b) => (a.id < b.id ? -1 : 1));
      const page = all.slice(0, q.limit);
      const extra: Record<string, string> = {};
      const last = page.at(-1);
      if (all.length > q.limit && last) {
        const next = new URL(ctx.url.pathname, ctx.deps.baseUrl());
        next.searchParams.set("limit", String(q.limit));
        next.searchParams.set("page_info", encodePageInfo(last.id, q.filter));
        extra.Link = `<${next.href}>; rel="next"`;
      }
      answer(ctx, 200, { orders: page }, extra);
    },
  },
  {
    method: "POST",
    pattern: /^orders\.json$/,
    handle: async (ctx) => {
      const input = await rootObject(ctx, "order");
      if (!input) return;
      const checked = checkOrderInput(input, ctx.deps.shop.catalog);
      if (!checked.ok) return answer(ctx, 422, { errors: checked.errors });
      answer(ctx, 201, { order: ctx.deps.shop.placeOrder(checked.value) });
    },
  },
  {
    method: "GET",
    pattern: /^orders\/([^/]+)\.json$/,
    handle: (ctx, m) => {
      const id = orderId(ctx, m);
      if (id !== undefined) answer(ctx, 200, { order: ctx.deps.shop.orders.get(id) });
    },
  },
  {
    method: "POST",
    pattern: /^orders\/([^/]+)\/cancel\.json$/,
    handle: async (ctx, m) => {
      const id = orderId(ctx, m);
      if (id === undefined) return;
      const body = await rootObject(ctx, "order", true);
      if (!body) return;
      const reason = body.reason ?? "other";
      if (
        typeof reason !== "string" ||
        !["customer", "fraud", "inventory", "declined", "other"].includes(reason)
      ) {
        return answer(ctx, 422, { errors: { reason: ["is not included in the list"] } });
      }
      const result = ctx.deps.shop.cancel(id, { reason, restock: body.restock === true });
      if (isRefusal(result)) return refusal(ctx, result);
      answer(ctx, 200, { order: result });
    },
  },
  {
    method: "POST",
    pattern: /^orders\/([^/]+)\/fulfillments\.json$/,
    handle: async (ctx, m) => {
      const id = orderId(ctx, m);
      if (id === undefined) return;
      const input = await rootObject(ctx, "fulfillment");
      if (!input) return;
      const errors: Record<string, string[]> = {};
      const trackingNumber = optionalText(input.tracking_number);
      const trackingCompany = optionalText(input.tracking_company);
      const trackingUrl = optionalText(input.tracking_url);
      if (trackingNumber === undefined) errors.tracking_number = ["must be a string"];
      if (trackingCompany === undefined) errors.tracking_company = ["must be a string"];
      if (trackingUrl === undefined || (trackingUrl && !/^https?:\/\//.test(trackingUrl)))
        errors.tracking_url = ["is not a valid URL"];
      let lines: { id: bigint; quantity?: number }[] | undefined;
      if (input.line_items !== undefined) {
        if (!Array.isArray(input.line_items) || input.line_items.length > 250)
          errors.line_items = ["must be a list of { id, quantity }"];
        else {
          lines = [];
          for (const [i, raw] of input.line_items.entries()) {
            const lineId = isObject(raw) ? readId(raw.id) : undefined;
            const qty = isObject(raw) ? raw.quantity : undefined;
            if (lineId === undefined) errors[`line_items[${i}].id`] = ["is invalid"];
            else if (qty !== undefined && (typeof qty !== "number" || !Number.isInteger(qty)))
              errors[`line_items[${i}].quantity`] = ["must be an integer"];
            else lines.push(qty === undefined ? { id: lineId } : { id: lineId, quantity: qty as number });
          }
        }
      }
      const locationId =
        input.location_id === undefined || input.location_id === null ? undefined : readId(input.location_id);
      if (
        input.location_id !== undefined &&
        input.location_id !== null &&
        (locationId === undefined || !ctx.deps.shop.catalog.hasLocation(locationId))
      ) {
        errors.location_id = ["is invalid"];
      }
      if (Object.keys(errors).length > 0) return answer(ctx, 422, { errors });
      const result = ctx.deps.shop.fulfil(id, {
        trackingNumber: trackingNumber ?? null,
        trackingCompany: trackingCompany ?? null,
        trackingUrl: trackingUrl ?? null,
        ...(lines ? { lines } : {}),
        ...(locationId ? { locationId } : {}),
      });
      if (isRefusal(result)) return refusal(ctx, result);
      answer(ctx, 201, { fulfillment: result });
    },
  },
  {
    method: "POST",
    pattern: /^orders\/([^/]+)\/refunds\.json$/,
    handle: async (ctx, m) => {
      const id = orderId(ctx, m);
      if (id === undefined) return;
      const input = await rootObject(ctx, "refund");
      if (!input) return;
      const rows = input.refund_line_items;
      if (!Array.isArray(rows) || rows.length > 250)
        return answer(ctx, 422, { errors: { refund_line_items: ["must be a list"] } });
      const lines: { id: bigint; quantity: number }[] = [];
      for (const [i, raw] of rows.entries()) {
        const lineId = isObject(raw) ? readId(raw.line_item_id) : undefined;
        const qty = isObject(raw) ? raw.quantity : undefined;
        if (lineId === undefined || typeof qty !== "number" || !Number.isInteger(qty)) {
          return answer(ctx, 422, {
            errors: { [`refund_line_items[${i}]`]: ["needs line_item_id and an integer quantity"] },
          });
        }
        lines.push({ id: lineId, quantity: qty });
      }
      const note = optionalText(input.note);
      const result = ctx.deps.shop.refund(id, { lines, note: note ?? null, restock: input.restock === true });
      if (isRefusal(result)) return refusal(ctx, result);
      answer(ctx, 201, { refund: result });
    },
  },
  {
    method: "GET",
    pattern: /^products\.json$/,
    handle: (ctx) => {
      const limit = Number(ctx.url.searchParams.get("limit") ?? "50");
      if (!Number.isInteger(limit) || limit < 1 || limit > 250)
        return answer(ctx, 400, { errors: { limit: "must be an integer between 1 and 250" } });
      const since = readId(ctx.url.searchParams.get("since_id") ?? "") ?? 0n;
      const products = ctx.deps.shop.catalog.variants.filter((v) => v.productId > since).slice(0, limit);
      answer(ctx, 200, { products: products.map((v) => ctx.deps.shop.catalog.productJson(v)) });
    },
  },
  {
    method: "GET",
    pattern: /^inventory_levels\.json$/,
    handle: (ctx) => {
      const read = (name: string): bigint[] | undefined | null => {
        const v = ctx.url.searchParams.get(name);
        if (v === null) return undefined;
        const ids = v.split(",").map((s) => readId(s.trim()));
        return ids.length > 250 || ids.some((id) => id === undefined) ? null : (ids as bigint[]);
      };
      const itemIds = read("inventory_item_ids");
      const locationIds = read("location_ids");
      if (itemIds === null || locationIds === null)
        return answer(ctx, 400, { errors: "ids must be comma-separated ids" });
      if (!itemIds && !locationIds)
        return answer(ctx, 422, { errors: "inventory_item_ids or location_ids is required" });
      answer(ctx, 200, {
        inventory_levels: ctx.deps.shop.catalog.levels({
          ...(itemIds ? { itemIds } : {}),
          ...(locationIds ? { locationIds } : {}),
        }),
      });
    },
  },
  {
    method: "POST",
    pattern: /^inventory_levels\/set\.json$/,
    handle: async (ctx) => {
      const body = await rootObject(ctx, "inventory_level", true);
      if (!body) return;
      const item = readId(body.inventory_item_id);
      const location = readId(body.location_id);
      const available = body.available;
      const errors: Record<string, string[]> = {};
      if (item === undefined || !ctx.deps.shop.catalog.hasItem(item))
        errors.inventory_item_id = ["Inventory item does not exist"];
      if (location === undefined || !ctx.deps.shop.catalog.hasLocation(location))
        errors.location_id = ["Location does not exist"];
      if (
        typeof available !== "number" ||
        !Number.isInteger(available) ||
        Math.abs(available) > 1_000_000_000
      ) {
        errors.available = ["must be an integer"];
      }
      if (Object.keys(errors).length > 0) return answer(ctx, 422, { errors });
      const catalog = ctx.deps.shop.catalog;
      catalog.setAvailable(item as bigint, location as bigint, available as number, ctx.deps.now());
      answer(ctx, 200, {
        inventory_level: catalog.levels({ itemIds: [item as bigint], locationIds: [location as bigint] })[0],
      });
    },
  },
  {
    method: "GET",
    pattern: /^webhooks\.json$/,
    handle: (ctx) => answer(ctx, 200, { webhooks: ctx.deps.webhooks.subscriptions }),
  },
  {
    method: "POST",
    pattern: /^webhooks\.json$/,
    handle: async (ctx) => {
      const input = await rootObject(ctx, "webhook");
      if (!input) return;
      const errors: Record<string, string[]> = {};
      if (!isShopTopic(input.topic)) errors.topic = ["Invalid topic specified."];
      let valid = false;
      try {
        valid =
          typeof input.address === "string" &&
          input.address.length <= 2048 &&
          /^https?:$/.test(new URL(input.address).protocol);
      } catch {}
      if (!valid) errors.address = ["is invalid"];
      if (input.format !== undefined && input.format !== "json")
        errors.format = ["only json is supported by the sandbox"];
      if (Object.keys(errors).length > 0) return answer(ctx, 422, { errors });
      if (
        ctx.deps.webhooks.subscriptions.some((s) => s.topic === input.topic && s.address === input.address)
      ) {
        return answer(ctx, 422, { errors: { address: ["for this topic has already been taken"] } });
      }
      answer(ctx, 201, {
        webhook: ctx.deps.webhooks.subscribe(input.topic as never, input.address as string),
      });
    },
  },
  {
    method: "DELETE",
    pattern: /^webhooks\/([^/]+)\.json$/,
    handle: (ctx, m) => {
      const id = readId(m[1]);
      if (id === undefined || !ctx.deps.webhooks.unsubscribe(id)) return answer(ctx, 404, NOT_FOUND);
      answer(ctx, 200, {});
    },
  },
];

/**
 * The Admin REST API subset, under `/admin/api/2024-10/`: access token first (401), then the leaky
 * bucket (429), then the route. Every answer carries `X-Shopify-Shop-Api-Call-Limit`.
 */
export async function handleAdmin(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  deps: AdminDeps,
): Promise<void> {
  const ctx: Ctx = { req, res, url, deps, headers: {} };
  if (!url.pathname.startsWith(PREFIX)) return answer(ctx, 404, NOT_FOUND);
  const token = req.headers["x-shopify-access-token"];
  if (typeof token !== "string" || token !== deps.accessToken) return answer(ctx, 401, INVALID_TOKEN);
  ctx.headers["X-Shopify-API-Version"] = API_VERSION;
  const decision = deps.bucket?.take(token);
  if (decision) ctx.headers["X-Shopify-Shop-Api-Call-Limit"] = `${decision.used}/${decision.size}`;
  if (decision && !decision.allowed) {
    return answer(
      ctx,
      429,
      {
        errors:
          "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.",
      },
      { "Retry-After": decision.retryAfter },
    );
  }
  const rest = url.pathname.slice(PREFIX.length);
  let pathMatched = false;
  for (const route of ROUTES) {
    const match = rest.match(route.pattern);
    if (!match) continue;
    pathMatched = true;
    if (route.method === req.method) return route.handle(ctx, match);
  }
  answer(ctx, pathMatched ? 405 : 404, pathMatched ? { errors: "Method Not Allowed" } : NOT_FOUND);
}
