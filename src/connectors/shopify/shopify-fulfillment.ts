/**
 * The order-to-cash workflow's `ChannelPort` for a Shopify store, over the Admin REST API: a shipment
 * becomes a fulfillment with its tracking on the order whose id is the canonical order's
 * `channelOrderId`.
 */
import { Agent, request } from "undici";
import { CrossdockError } from "../../core/errors.ts";
import type { ChannelPort, ShipmentNotice } from "../../flows/order-to-cash/order-to-cash-ports.ts";
import { decodeJsonDocument } from "../../mapping/decode-json.ts";
import { parseRetryAfter } from "../http/http-target.ts";

export interface ShopifyChannelOptions {
  /** The shop's base URL, e.g. `https://example.myshopify.com` (or the sandbox storefront's URL). */
  shopUrl: string;
  /** Sent as `X-Shopify-Access-Token`. */
  accessToken: { reveal(): string };
  /** Admin API version, e.g. `2024-10`. */
  apiVersion: string;
  /** Name used in error messages. Default "shopify". */
  name?: string;
  /** Time to the answer's headers and between body chunks, ms. Default 30,000. */
  timeoutMs?: number;
  /** Largest answer read, bytes. Default 4 MiB (an order with many fulfillments is large). */
  maxResponseBytes?: number;
  /** For `Retry-After` as an HTTP date. Default `Date.now`. */
  now?: () => number;
}

interface ShopLine {
  id: string;
  sku: string | undefined;
  fulfillable: number;
}

type Call = (method: "GET" | "POST", path: string, body?: unknown) => Promise<unknown>;

/**
 * `ChannelPort` for Shopify. `pushTracking` reads the order first and does nothing when a fulfillment
 * with the shipment's tracking number is already there, so a retry after a lost answer never creates a
 * second fulfillment (Shopify's REST API takes no idempotency key). Otherwise it fulfils the shipped
 * quantities on the order's lines with that SKU (never more than is still fulfillable: what someone
 * fulfilled by hand in the Shopify admin is not fulfilled twice) with tracking number, company (the
 * carrier) and URL; when nothing is left to fulfil it does nothing.
 *
 * Failures: network, 408, 429 (with `Retry-After`, which Shopify writes as "2.0") and 5xx transient;
 * 401 and 403 config; 404 (no such order), 422 (Shopify refused the fulfillment) and other statuses
 * business with Shopify's `errors` body kept; a shipped SKU that is not on the Shopify order, a
 * fractional quantity, or an order cancelled in Shopify, business before any write.
 *
 * Deliberately left out: fulfillment orders (the GraphQL-era API real stores move to), location
 * choice (Shopify's default location is used), customer notification settings. A shipment without a
 * tracking number cannot be recognised on a retry by tracking; it relies on the fulfillable
 * quantities instead (a retry finds its lines already fulfilled and does nothing).
 */
export function createShopifyChannel(
  options: ShopifyChannelOptions,
): ChannelPort & { close(): Promise<void> } {
  const name = options.name ?? "shopify";
  const base = `${options.shopUrl.replace(/\/+$/, "")}/admin/api/${encodeURIComponent(options.apiVersion)}/`;
  const timeout = options.timeoutMs ?? 30_000;
  const agent = new Agent({ connections: 2, headersTimeout: timeout, bodyTimeout: timeout });
  const maxBytes = options.maxResponseBytes ?? 4 * 1_048_576;
  const now = options.now ?? Date.now;

  const call: Call = async (method, path, body) => {
    const url = `${base}${path}`;
    const what = `channel ${name}: ${method} ${url}`;
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(url, {
        method,
        headers: {
          "x-shopify-access-token": options.accessToken.reveal(),
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        dispatcher: agent,
      });
    } catch (cause) {
      throw new CrossdockError("CDK_TARGET_UNAVAILABLE", `${what} failed: ${(cause as Error).message}`, {
        cause,
        details: { url },
      });
    }
    const { text, truncated } = await readLimited(response.body, maxBytes);
    const status = response.statusCode;
    if (status >= 200 && status < 300) {
      const decoded = truncated ? undefined : decodeJsonDocument(text, `${what}: answer`);
      if (!decoded?.ok) {
        throw new CrossdockError("CDK_TARGET_UNAVAILABLE", `${what}: the answer is not readable JSON`, {
          details: { status, truncated, body: text.slice(0, 500) },
        });
      }
      return decoded.document;
    }
    const details = { status, body: text.slice(0, 2_000), url };
    const message = `${what} answered ${status}: ${text.slice(0, 300)}`;
    if (status === 408 || status === 429 || status >= 500) {
      const retryAfterMs = parseRetryAfter(response.headers["retry-after"], now());
      throw new CrossdockError("CDK_TARGET_UNAVAILABLE", message, {
        details,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
    }
    if (status === 401 || status === 403) throw new CrossdockError("CDK_TARGET_AUTH", message, { details });
    throw new CrossdockError("CDK_TARGET_REJECTED", message, { details });
  };

  return {
    async pushTracking({ order, shipment }) {
      const id = order.channelOrderId;
      if (!/^[1-9][0-9]{0,19}$/.test(id)) {
        throw new CrossdockError(
          "CDK_TARGET_REJECTED",
          `channel ${name}: order id ${id} is not a Shopify id`,
          {
            details: { channelOrderId: id },
          },
        );
      }
      const current = objectAt(await call("GET", `orders/${id}.json`), "order");
      // Goods left for an order the shop cancelled: a person must sort that out (refund or recall).
      if (current.cancelled_at !== null && current.cancelled_at !== undefined) {
        throw new CrossdockError(
          "CDK_TARGET_REJECTED",
          `channel ${name}: order ${id} was cancelled in Shopify (${String(current.cancelled_at)}) but shipment ${shipment.shipmentId} left`,
          { details: { channelOrderId: id, shipmentId: shipment.shipmentId } },
        );
      }
      const tracking = shipment.trackingNumber;
      if (tracking && hasTracking(current.fulfillments, tracking)) return;
      const lineItems = fulfilmentLines(
        readLines(current.line_items),
        shipment,
        `channel ${name}: order ${id}`,
      );
      if (lineItems.length === 0) return;
      await call("POST", `orders/${id}/fulfillments.json`, {
        fulfillment: {
          line_items: lineItems,
          ...(tracking ? { tracking_number: tracking } : {}),
          ...(shipment.carrier ? { tracking_company: shipment.carrier } : {}),
          ...(shipment.trackingUrl ? { tracking_url: shipment.trackingUrl } : {}),
        },
      });
    },
    close: () => agent.close(),
  };
}

/**
 * The Shopify line items and quantities that a shipment fulfils: each shipped SKU's quantity spread
 * over the order's lines with that SKU, capped at what is still fulfillable.
 */
export function fulfilmentLines(
  lines: ShopLine[],
  shipment: Pick<ShipmentNotice, "lines">,
  where: string,
): { id: string; quantity: number }[] {
  const left = new Map(lines.map((line) => [line.id, line.fulfillable]));
  const out = new Map<string, number>();
  for (const shipped of shipment.lines) {
    if (!/^[1-9][0-9]{0,8}$/.test(shipped.quantity)) {
      throw new CrossdockError(
        "CDK_TARGET_REJECTED",
        `${where}: shipped quantity ${shipped.quantity} of ${shipped.sku} is not a whole number of units Shopify can fulfil`,
        { details: { sku: shipped.sku, quantity: shipped.quantity } },
      );
    }
    const matching = lines.filter((line) => line.sku === shipped.sku);
    if (matching.length === 0) {
      throw new CrossdockError(
        "CDK_TARGET_REJECTED",
        `${where}: shipped SKU ${shipped.sku} is not on the Shopify order`,
        {
          details: { sku: shipped.sku },
        },
      );
    }
    let want = Number(shipped.quantity);
    for (const line of matching) {
      const take = Math.min(want, left.get(line.id) ?? 0);
      if (take <= 0) continue;
      left.set(line.id, (left.get(line.id) ?? 0) - take);
      out.set(line.id, (out.get(line.id) ?? 0) + take);
      want -= take;
    }
  }
  return [...out].map(([id, quantity]) => ({ id, quantity }));
}

function objectAt(value: unknown, key: string): Record<string, unknown> {
  const inner = isObject(value) ? value[key] : undefined;
  if (!isObject(inner)) {
    throw new CrossdockError("CDK_TARGET_UNAVAILABLE", `the Shopify answer has no "${key}" object`, {
      details: { key },
    });
  }
  return inner;
}

function readLines(value: unknown): ShopLine[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((line) => {
    if (!isObject(line)) return [];
    const id = typeof line.id === "number" || typeof line.id === "string" ? String(line.id) : undefined;
    // Older API versions (and some fixtures) omit `fulfillable_quantity`: the ordered quantity is then
    // the most that may be asked for, and Shopify's own 422 stops anything beyond what is left.
    const fulfillable = line.fulfillable_quantity ?? line.quantity;
    if (!id || typeof fulfillable !== "number" || !Number.isSafeInteger(fulfillable)) return [];
    return [{ id, sku: typeof line.sku === "string" ? line.sku : undefined, fulfillable }];
  });
}

/** Fulfillment statuses that shipped nothing: a new fulfillment with the same tracking is still due. */
const DEAD_FULFILLMENT = new Set(["cancelled", "error", "failure"]);

function hasTracking(fulfillments: unknown, tracking: string): boolean {
  if (!Array.isArray(fulfillments)) return false;
  return fulfillments.some(
    (f) =>
      isObject(f) &&
      !DEAD_FULFILLMENT.has(String(f.status)) &&
      (f.tracking_number === tracking ||
        (Array.isArray(f.tracking_numbers) && f.tracking_numbers.includes(tracking))),
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

async function readLimited(
  body: AsyncIterable<Buffer>,
  maxBytes: number,
): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size + chunk.length <= maxBytes) chunks.push(chunk);
    size += chunk.length;
  }
  return { text: Buffer.concat(chunks).toString("utf8"), truncated: size > maxBytes };
}
