/**
 * A WooCommerce REST API v3 simulator (`/wp-json/wc/v3/`) for Crossdock users and tests: products with
 * stock (lookup by SKU, single and batch update), orders (read, status update) and order notes, with
 * WooCommerce's own error shape `{code, message, data: {status}}`, its pagination headers
 * (`X-WP-Total`, `X-WP-TotalPages`), HTTP Basic auth with a consumer key and secret (or the
 * `consumer_key` / `consumer_secret` query parameters), read-only keys, and injectable faults (a 5xx or
 * a host's 429 with `Retry-After`) for the next requests. It is **not** WooCommerce: no variations,
 * no OAuth 1.0a, no webhooks, no coupons or taxes on update.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import {
  closeServer,
  guarded,
  isObject,
  listen,
  parseJson,
  readBody,
  sendJson,
} from "../partner-kit/http-kit.ts";

export interface SandboxWooProduct {
  id: number;
  name: string;
  sku: string;
  type: "simple";
  status: "publish";
  price: string;
  manage_stock: boolean;
  stock_quantity: number | null;
  stock_status: "instock" | "outofstock";
  date_modified_gmt: string;
}

export interface SandboxWooNote {
  id: number;
  author: string;
  date_created_gmt: string;
  note: string;
  customer_note: boolean;
}

export interface SandboxWooOrder {
  id: number;
  number: string;
  status: string;
  currency: string;
  total: string;
  date_created_gmt: string;
  date_modified_gmt: string;
  date_completed_gmt: string | null;
  line_items: { id: number; sku: string; quantity: number; total: string }[];
}

export interface SandboxWooOptions {
  port?: number;
  /** Default "ck_sandbox". */
  consumerKey?: string;
  /** Default "cs_sandbox". */
  consumerSecret?: string;
  /** A second key pair that may only read: `[key, secret]`. */
  readOnlyKey?: [string, string];
  /** Default: 3 products SKU-1..SKU-3 with 10 in stock. */
  products?: { sku: string; name?: string; stock?: number | null }[];
  /** Timestamps; default the system clock. */
  now?: () => number;
}

export interface SandboxWooCommerce {
  readonly url: string;
  readonly consumerKey: string;
  readonly consumerSecret: string;
  readonly products: Map<number, SandboxWooProduct>;
  readonly orders: Map<number, SandboxWooOrder>;
  readonly notes: Map<number, SandboxWooNote[]>;
  /** Every request: method and path (with query), in order. */
  readonly requests: { method: string; path: string }[];
  addOrder(lines: { sku: string; quantity: number }[], status?: string): SandboxWooOrder;
  /** The next `count` requests answer `status` (e.g. 503, or 429 with `retryAfter` seconds). */
  failNext(status: number, count?: number, retryAfter?: string): void;
  close(): Promise<void>;
}

export const ORDER_STATUSES = [
  "pending",
  "processing",
  "on-hold",
  "completed",
  "cancelled",
  "refunded",
  "failed",
  "trash",
];
const PREFIX = "/wp-json/wc/v3/";
const MAX_BATCH = 100;

type Answer = { status: number; body: unknown; headers?: Record<string, string> };
const wooError = (
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): Answer => ({
  status,
  body: { code, message, data: { status, ...extra } },
});

export async function startSandboxWooCommerce(options: SandboxWooOptions = {}): Promise<SandboxWooCommerce> {
  const key = options.consumerKey ?? "ck_sandbox";
  const secret = options.consumerSecret ?? "cs_sandbox";
  const now = options.now ?? Date.now;
  const stamp = () => new Date(now()).toISOString().slice(0, 19);
  const products = new Map<number, SandboxWooProduct>();
  const orders = new Map<number, SandboxWooOrder>();
  const notes = new Map<number, SandboxWooNote[]>();
  const requests: { method: string; path: string }[] = [];
  const faults: { status: number; retryAfter: string | undefined }[] = [];
  let nextId = 100;
  const seed: { sku: string; name?: string; stock?: number | null }[] = options.products ?? [
    { sku: "SKU-1" },
    { sku: "SKU-2" },
    { sku: "SKU-3" },
  ];
  for (const p of seed) {
    const id = nextId++;
    const stock = p.stock === undefined ? 10 : p.stock;
    products.set(id, {
      id,
      name: p.name ?? p.sku,
      sku: p.sku,
      type: "simple",
      status: "publish",
      price: "10.00",
      manage_stock: stock !== null,
      stock_quantity: stock,
      stock_status: stock === null || stock > 0 ? "instock" : "outofstock",
      date_modified_gmt: stamp(),
    });
  }

  function access(req: IncomingMessage, url: URL): "write" | "read" | undefined {
    let pair: [string, string] | undefined;
    const header = req.headers.authorization ?? "";
    if (header.startsWith("Basic ")) {
      const text = Buffer.from(header.slice(6), "base64").toString("utf8");
      const colon = text.indexOf(":");
      if (colon > 0) pair = [text.slice(0, colon), text.slice(colon + 1)];
    } else if (url.searchParams.has("consumer_key")) {
      pair = [url.searchParams.get("consumer_key") ?? "", url.searchParams.get("consumer_secret") ?? ""];
    }
    if (pair?.[0] === key && pair[1] === secret) return "write";
    if (options.readOnlyKey && pair?.[0] === options.readOnlyKey[0] && pair[1] === options.readOnlyKey[1])
      return "read";
    return undefined;
  }

  function setStock(product: SandboxWooProduct, body: Record<string, unknown>): Answer | undefined {
    const quantity = body.stock_quantity;
    if (quantity !== undefined && (typeof quantity !== "number" || !Number.isInteger(quantity))) {
      return wooError(400, "rest_invalid_param", "Invalid parameter(s): stock_quantity", {
        params: { stock_quantity: "stock_quantity is not of type integer." },
      });
    }
    if (typeof body.manage_stock === "boolean") product.manage_stock = body.manage_stock;
    if (typeof quantity === "number") {
      product.manage_stock = true;
      product.stock_quantity = quantity;
      product.stock_status = quantity > 0 ? "instock" : "outofstock";
    }
    product.date_modified_gmt = stamp();
    return undefined;
  }

  async function route(method: string, path: string, url: URL, req: IncomingMessage): Promise<Answer> {
    const body = method === "GET" ? {} : parseJson(await readBody(req));
    if (!("value" in body) && method !== "GET")
      return wooError(400, "rest_invalid_json", "Invalid JSON body passed.");
    const input = "value" in body && isObject(body.value) ? body.value : {};
    const parts = path.split("/");
    if (parts[0] === "products") {
      if (parts.length === 1 && method === "GET") {
        const sku = url.searchParams.get("sku");
        const all = [...products.values()].filter((p) => sku === null || sku.split(",").includes(p.sku));
        const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get("per_page") ?? 10) || 10));
        const page = Math.max(1, Number(url.searchParams.get("page") ?? 1) || 1);
        const pages = Math.max(1, Math.ceil(all.length / perPage));
        if (page > pages && all.length > 0)
          return wooError(
            400,
            "rest_post_invalid_page_number",
            "The page number requested is larger than the number of pages available.",
          );
        return {
          status: 200,
          body: all.slice((page - 1) * perPage, page * perPage),
          headers: { "X-WP-Total": String(all.length), "X-WP-TotalPages": String(pages) },
        };
      }
      if (parts[1] === "batch" && method === "POST") {
        const updates = Array.isArray(input.update) ? input.update : [];
        if (updates.length > MAX_BATCH)
          return wooError(
            413,
            "woocommerce_rest_batch_too_large",
            `Unable to accept more than ${MAX_BATCH} items for this request.`,
          );
        const update = updates.map((item: unknown) => {
          const id = isObject(item) ? Number(item.id) : Number.NaN;
          const product = products.get(id);
          if (!product || !isObject(item))
            return {
              id: Number.isFinite(id) ? id : 0,
              error: wooError(400, "woocommerce_rest_product_invalid_id", "Invalid ID.").body,
            };
          const refused = setStock(product, item);
          return refused ? { id, error: refused.body } : { ...product };
        });
        return { status: 200, body: { update } };
      }
      const product = products.get(Number(parts[1]));
      if (parts.length === 2 && (method === "GET" || method === "PUT")) {
        if (!product) return wooError(404, "woocommerce_rest_product_invalid_id", "Invalid ID.");
        if (method === "PUT") return setStock(product, input) ?? { status: 200, body: product };
        return { status: 200, body: product };
      }
    }
    if (parts[0] === "orders" && parts.length >= 2) {
      const order = orders.get(Number(parts[1]));
      if (!order) return wooError(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.");
      if (parts.length === 2 && method === "GET") return { status: 200, body: order };
      if (parts.length === 2 && method === "PUT") {
        if (input.status !== undefined && !ORDER_STATUSES.includes(String(input.status))) {
          return wooError(400, "rest_invalid_param", "Invalid parameter(s): status", {
            params: { status: `status is not one of ${ORDER_STATUSES.join(", ")}.` },
          });
        }
        if (typeof input.status === "string") {
          order.status = input.status;
          if (input.status === "completed") order.date_completed_gmt = stamp();
        }
        order.date_modified_gmt = stamp();
        return { status: 200, body: order };
      }
      if (parts[2] === "notes" && parts.length === 3) {
        const list = notes.get(order.id) ?? [];
        if (method === "GET") return { status: 200, body: [...list].reverse() };
        if (method === "POST") {
          if (typeof input.note !== "string" || input.note === "")
            return wooError(400, "rest_missing_callback_param", "Missing parameter(s): note", {
              params: ["note"],
            });
          const note: SandboxWooNote = {
            id: nextId++,
            author: "WooCommerce",
            date_created_gmt: stamp(),
            note: input.note,
            customer_note: input.customer_note === true,
          };
          notes.set(order.id, [...list, note]);
          return { status: 201, body: note };
        }
      }
    }
    return wooError(404, "rest_no_route", "No route was found matching the URL and request method.");
  }

  const server = createServer(
    guarded(
      async (req: IncomingMessage, res: ServerResponse) => {
        const url = new URL(req.url ?? "/", "http://sandbox");
        const method = req.method ?? "GET";
        requests.push({ method, path: `${url.pathname}${url.search}` });
        const fault = faults.shift();
        if (fault) {
          req.resume();
          const answer = wooError(fault.status, "sandbox_fault", "Injected failure.");
          sendJson(
            res,
            fault.status,
            answer.body,
            fault.retryAfter ? { "Retry-After": fault.retryAfter } : {},
          );
          return;
        }
        if (!url.pathname.startsWith(PREFIX)) {
          sendJson(
            res,
            404,
            wooError(404, "rest_no_route", "No route was found matching the URL and request method.").body,
          );
          return;
        }
        const who = access(req, url);
        if (who === undefined) {
          req.resume();
          sendJson(
            res,
            401,
            wooError(401, "woocommerce_rest_authentication_error", "Consumer key is invalid.").body,
          );
          return;
        }
        if (who === "read" && method !== "GET") {
          req.resume();
          sendJson(
            res,
            403,
            wooError(403, "woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource.")
              .body,
          );
          return;
        }
        const answer = await route(method, url.pathname.slice(PREFIX.length).replace(/\/+$/, ""), url, req);
        sendJson(res, answer.status, answer.body, answer.headers);
      },
      (status) =>
        wooError(
          status,
          status === 413 ? "rest_request_too_large" : "internal_server_error",
          "Sandbox failure.",
        ).body,
    ),
  );
  const url = await listen(server, options.port ?? 0);
  return {
    url,
    consumerKey: key,
    consumerSecret: secret,
    products,
    orders,
    notes,
    requests,
    addOrder(lines, status = "processing") {
      const id = nextId++;
      const order: SandboxWooOrder = {
        id,
        number: String(id),
        status,
        currency: "EUR",
        total: (lines.reduce((n, l) => n + l.quantity, 0) * 10).toFixed(2),
        date_created_gmt: stamp(),
        date_modified_gmt: stamp(),
        date_completed_gmt: null,
        line_items: lines.map((l, i) => ({
          id: id * 10 + i,
          sku: l.sku,
          quantity: l.quantity,
          total: (l.quantity * 10).toFixed(2),
        })),
      };
      orders.set(id, order);
      return order;
    },
    failNext(status, count = 1, retryAfter) {
      for (let i = 0; i < count; i++) faults.push({ status, retryAfter });
    },
    close: () => closeServer(server),
  };
}
