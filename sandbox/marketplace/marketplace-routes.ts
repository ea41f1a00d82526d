import type { IncomingMessage, ServerResponse } from "node:http";
import { isObject, parseJson, readBody, sendJson } from "../partner-kit/http-kit.ts";
import type { MarketplaceData, MarketplaceOffer } from "./marketplace-data.ts";

/** What a list route needs besides the request: the data and whether to serve a pagination loop. */
export interface RouteContext {
  data: MarketplaceData;
  loop: boolean;
  maxBodyBytes: number;
}

const encodeCursor = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
function decodeCursor(text: string): { u: string; i: string } | undefined {
  try {
    const value = JSON.parse(Buffer.from(text, "base64url").toString());
    return typeof value?.u === "string" && typeof value?.i === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

/** `GET /v1/orders?updated_since&limit&cursor`: keyset pages in (updated_at, id) order. */
export function listOrders(url: URL, res: ServerResponse, ctx: RouteContext) {
  const q = url.searchParams;
  const limit = Number(q.get("limit") ?? 20);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    return sendJson(res, 400, { error: "invalid_parameter", message: "limit must be 1-100" });
  const since = q.get("updated_since") ?? undefined;
  if (since !== undefined && Number.isNaN(Date.parse(since)))
    return sendJson(res, 400, {
      error: "invalid_parameter",
      message: "updated_since must be an ISO 8601 time",
    });
  const sinceIso = since === undefined ? undefined : new Date(since).toISOString();
  const cursorText = q.get("cursor");
  const after = cursorText === null ? undefined : decodeCursor(cursorText);
  if (cursorText !== null && !after)
    return sendJson(res, 400, { error: "invalid_cursor", message: "the cursor is not one this API gave" });
  const page = ctx.data.listOrders(sinceIso, after, limit);
  const last = page.items.at(-1);
  let next: string | null = page.more && last ? encodeCursor({ u: last.updated_at, i: last.id }) : null;
  if (ctx.loop) next = cursorText ?? encodeCursor({ u: "", i: "" });
  sendJson(res, 200, { data: page.items, meta: { limit, next_cursor: next } });
}

/**
 * `GET /v1/offers` with `page` + `per_page` or `offset` + `limit`: `{offers: [...]}` in SKU order, and
 * a `Link` header with `first`, `prev`, `next`, `last` (absolute URLs, GitHub style).
 */
export function listOffers(req: IncomingMessage, url: URL, res: ServerResponse, ctx: RouteContext) {
  const q = url.searchParams;
  const byOffset = q.has("offset") || q.has("limit");
  const size = Number(q.get(byOffset ? "limit" : "per_page") ?? 10);
  const start = byOffset ? Number(q.get("offset") ?? 0) : (Number(q.get("page") ?? 1) - 1) * size;
  if (!Number.isInteger(size) || size < 1 || size > 100 || !Number.isInteger(start) || start < 0)
    return sendJson(res, 400, {
      error: "invalid_parameter",
      message: "page/per_page or offset/limit out of range",
    });
  const all = [...ctx.data.offers.values()].sort((a, b) => (a.sku < b.sku ? -1 : 1));
  const offers: MarketplaceOffer[] = all.slice(start, start + size);
  const self = new URL(url.pathname + url.search, `http://${req.headers.host ?? "127.0.0.1"}`);
  const at = (from: number) => {
    const link = new URL(self);
    if (byOffset) link.searchParams.set("offset", String(from));
    else link.searchParams.set("page", String(Math.floor(from / size) + 1));
    return link.href;
  };
  const lastStart = Math.max(0, Math.floor((all.length - 1) / size) * size);
  const links = [`<${at(0)}>; rel="first"`, `<${at(lastStart)}>; rel="last"`];
  if (start > 0) links.push(`<${at(Math.max(0, start - size))}>; rel="prev"`);
  if (ctx.loop) links.push(`<${self.href}>; rel="next"`);
  else if (start + size < all.length) links.push(`<${at(start + size)}>; rel="next"`);
  sendJson(res, 200, { offers }, { Link: links.join(", "), "X-Total-Count": String(all.length) });
}

/** `PUT /v1/inventory/{sku}` with `{quantity}`: sets the quantity the marketplace may sell. */
export async function putStock(req: IncomingMessage, sku: string, res: ServerResponse, ctx: RouteContext) {
  const parsed = parseJson(await readBody(req, ctx.maxBodyBytes));
  if (!parsed.ok) return sendJson(res, 400, { error: "invalid_json", message: parsed.reason });
  const quantity = isObject(parsed.value) ? parsed.value.quantity : undefined;
  if (!(typeof quantity === "number" && Number.isInteger(quantity) && quantity >= 0 && quantity <= 1_000_000))
    return sendJson(res, 422, {
      error: "validation_failed",
      details: [{ field: "quantity", message: "must be a whole number 0-1000000" }],
    });
  const offer = ctx.data.setStock(sku, quantity);
  if (!offer) return sendJson(res, 404, { error: "offer_not_found", message: `no offer for SKU ${sku}` });
  sendJson(res, 200, { sku: offer.sku, quantity: offer.quantity, updated_at: offer.updated_at });
}

/** `POST /v1/orders/{id}/shipments` with `{carrier_code, tracking_number}`: the order is SHIPPED. */
export async function postShipment(req: IncomingMessage, id: string, res: ServerResponse, ctx: RouteContext) {
  const order = ctx.data.orders.get(id);
  if (!order) return sendJson(res, 404, { error: "order_not_found", message: `no order ${id}` });
  const parsed = parseJson(await readBody(req, ctx.maxBodyBytes));
  if (!parsed.ok) return sendJson(res, 400, { error: "invalid_json", message: parsed.reason });
  const body = isObject(parsed.value) ? parsed.value : {};
  const problems = ["carrier_code", "tracking_number"]
    .filter((field) => !(typeof body[field] === "string" && (body[field] as string).trim() !== ""))
    .map((field) => ({ field, message: "required" }));
  if (problems.length > 0) return sendJson(res, 422, { error: "validation_failed", details: problems });
  if (order.status === "SHIPPED" || order.status === "CANCELED")
    return sendJson(res, 409, { error: "invalid_state", message: `order ${id} is ${order.status}` });
  const shipment = ctx.data.ship(order, body.carrier_code as string, body.tracking_number as string);
  sendJson(res, 201, shipment);
}
