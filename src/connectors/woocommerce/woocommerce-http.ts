/**
 * One call to a WooCommerce store's REST API (`<storeUrl>/wp-json/wc/v3/<path>`) over undici with an
 * `Agent` per store, HTTP Basic auth with the consumer key and secret, and every failure classified:
 *
 * - network failure, 408, 429 and 5xx: `CDK_TARGET_UNAVAILABLE` (transient), honouring `Retry-After`
 *   (WooCommerce itself has no rate limit; hosts and WAFs in front of it answer 429 / 503);
 * - 401 and 403: `CDK_TARGET_AUTH` (config: a wrong or read-only key);
 * - any other 4xx: `CDK_TARGET_REJECTED` (business) with WooCommerce's `code`, `message` and `data`
 *   kept in the details (`woocommerce_rest_product_invalid_id`, `rest_invalid_param`, ...);
 * - a 2xx whose body is not JSON: transient (a caching plugin's HTML page, a truncated answer).
 *
 * Basic auth sends the secret in every request, so the store URL must be HTTPS; `http:` is accepted
 * only for loopback hosts (the sandbox) or with `allowInsecureHttp` (a store on a private network).
 */
import { Agent, request } from "undici";
import { CrossdockError } from "../../core/errors.ts";
import { decodeJsonDocument } from "../../mapping/decode-json.ts";
import { parseRetryAfter } from "../http/http-target.ts";

export interface WooCommerceHttpOptions {
  /** The store's base URL, e.g. `https://shop.example.com` (the REST API is under `/wp-json/wc/v3/`). */
  storeUrl: string;
  consumerKey: { reveal(): string };
  consumerSecret: { reveal(): string };
  /** Name used in error messages. Default "woocommerce". */
  name?: string;
  /** Time to the answer's headers and between body chunks, ms. Default 30,000. */
  timeoutMs?: number;
  /** Largest answer read, bytes. Default 4 MiB. */
  maxResponseBytes?: number;
  /** Allow `http:` to a non-loopback host. Default false. */
  allowInsecureHttp?: boolean;
  /** For `Retry-After` as an HTTP date. Default `Date.now`. */
  now?: () => number;
}

export interface WooAnswer {
  readonly body: unknown;
  readonly headers: Record<string, string | string[] | undefined>;
}

export type WooCall = (method: "GET" | "POST" | "PUT", path: string, body?: unknown) => Promise<WooAnswer>;

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

export function createWooCommerceHttp(options: WooCommerceHttpOptions): {
  call: WooCall;
  close(): Promise<void>;
} {
  const name = options.name ?? "woocommerce";
  const base = new URL(options.storeUrl);
  if (
    base.protocol !== "https:" &&
    !(base.protocol === "http:" && (LOOPBACK.has(base.hostname) || options.allowInsecureHttp))
  ) {
    throw new CrossdockError(
      "CDK_CONFIG_INVALID",
      `${name}: storeUrl ${base.origin} must be https (Basic auth sends the consumer secret with every request)`,
      { details: { storeUrl: base.origin } },
    );
  }
  const root = `${base.origin}${base.pathname.replace(/\/+$/, "")}/wp-json/wc/v3/`;
  const timeout = options.timeoutMs ?? 30_000;
  const agent = new Agent({ connections: 4, headersTimeout: timeout, bodyTimeout: timeout });
  const maxBytes = options.maxResponseBytes ?? 4 * 1_048_576;
  const now = options.now ?? Date.now;

  const call: WooCall = async (method, path, body) => {
    const url = `${root}${path}`;
    const what = `${name}: ${method} ${url}`;
    const auth = Buffer.from(`${options.consumerKey.reveal()}:${options.consumerSecret.reveal()}`).toString(
      "base64",
    );
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(url, {
        method,
        headers: {
          authorization: `Basic ${auth}`,
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
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      if (size + chunk.length <= maxBytes) chunks.push(chunk);
      size += chunk.length;
    }
    const text = Buffer.concat(chunks).toString("utf8");
    const status = response.statusCode;
    const decoded = size > maxBytes ? undefined : decodeJsonDocument(text, `${what}: answer`);
    if (status >= 200 && status < 300) {
      if (!decoded?.ok) {
        throw new CrossdockError("CDK_TARGET_UNAVAILABLE", `${what}: the answer is not readable JSON`, {
          details: { status, size, body: text.slice(0, 500) },
        });
      }
      return { body: decoded.document, headers: response.headers };
    }
    // WooCommerce's error body: {code, message, data: {status, params?}}
    const error =
      decoded?.ok && typeof decoded.document === "object" && decoded.document !== null
        ? (decoded.document as Record<string, unknown>)
        : {};
    const wooCode = typeof error.code === "string" ? error.code : undefined;
    const wooMessage = typeof error.message === "string" ? error.message : text.slice(0, 300);
    const details = {
      status,
      url,
      ...(wooCode ? { code: wooCode } : {}),
      message: wooMessage,
      ...(error.data === undefined ? {} : { data: error.data }),
    };
    const message = `${what} answered ${status}${wooCode ? ` ${wooCode}` : ""}: ${wooMessage}`;
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
  return { call, close: () => agent.close() };
}
