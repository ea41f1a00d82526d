/**
 * Sets Shopify inventory levels (`POST /admin/api/<version>/inventory_levels/set.json`) within the
 * shop's REST rate limit, so a stock publication of thousands of SKUs is paced rather than refused.
 *
 * Shopify's REST limit is a leaky bucket per app and shop (40 calls, leaking 2 a second on standard
 * plans; 400 and 20 on Plus); every answer says the level in `X-Shopify-Shop-Api-Call-Limit: used/size`.
 * The client keeps its own estimate of the bucket from that header and the time since, and waits
 * before a call that would overflow it, keeping `headroom` calls free for the hub's other Shopify
 * calls (fulfillments). When Shopify still answers 429 (another app on the same shop fills the bucket)
 * it waits `Retry-After` and tries again, up to `max429Retries`; then it throws a transient error with
 * `retryAfterMs`, and the delivery layer's retry takes over.
 *
 * Other failures are classified like the fulfillment client's: network and 5xx transient, 401/403
 * config, 404/422 business with Shopify's `errors` body kept.
 */
import { Agent, request } from "undici";
import type { Clock } from "../../core/clock.ts";
import { CrossdockError } from "../../core/errors.ts";
import { parseRetryAfter } from "../http/http-target.ts";

export interface ShopifyInventoryOptions {
  /** The shop's base URL, e.g. `https://example.myshopify.com`. */
  shopUrl: string;
  accessToken: { reveal(): string };
  /** Admin API version, e.g. `2024-10`. */
  apiVersion: string;
  clock: Clock;
  /** Waits `ms` (tests advance a manual clock instead). Default: a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Leak rate assumed until the shop's plan is known, calls per second. Default 2. */
  leakPerSecond?: number;
  /** Calls left free in the bucket for other callers. Default 4. */
  headroom?: number;
  /** 429 answers waited out per call before giving up. Default 3. */
  max429Retries?: number;
  /** Name used in error messages. Default "shopify". */
  name?: string;
  timeoutMs?: number;
}

export interface InventoryLevelSet {
  /** Shopify's ids as exact digit strings (they exceed 2^53). */
  readonly inventoryItemId: string;
  readonly locationId: string;
  readonly available: number;
}

export interface ShopifyInventoryClient {
  setLevel(level: InventoryLevelSet): Promise<void>;
  /** The bucket as last reported by Shopify and estimated since. */
  bucket(): { used: number; size: number };
  close(): Promise<void>;
}

const ID = /^[1-9][0-9]{0,19}$/;

export function createShopifyInventoryClient(options: ShopifyInventoryOptions): ShopifyInventoryClient {
  const name = options.name ?? "shopify";
  const url = `${options.shopUrl.replace(/\/+$/, "")}/admin/api/${encodeURIComponent(options.apiVersion)}/inventory_levels/set.json`;
  const timeout = options.timeoutMs ?? 30_000;
  const agent = new Agent({ connections: 1, headersTimeout: timeout, bodyTimeout: timeout });
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const leak = options.leakPerSecond ?? 2;
  const headroom = options.headroom ?? 4;
  const max429 = options.max429Retries ?? 3;
  let reported = { used: 0, size: 40, at: options.clock.now() };

  const estimate = () => {
    const drained = ((options.clock.now() - reported.at) / 1_000) * leak;
    return { used: Math.max(0, reported.used - drained), size: reported.size };
  };

  async function pace(): Promise<void> {
    const { used, size } = estimate();
    const limit = Math.max(1, size - headroom);
    if (used + 1 > limit) await sleep(Math.ceil(((used + 1 - limit) / leak) * 1_000));
  }

  async function once(body: string, what: string) {
    try {
      const response = await request(url, {
        method: "POST",
        headers: {
          "x-shopify-access-token": options.accessToken.reveal(),
          "content-type": "application/json",
          accept: "application/json",
        },
        body,
        dispatcher: agent,
      });
      const text = await response.body.text();
      const limit = response.headers["x-shopify-shop-api-call-limit"];
      const match = typeof limit === "string" ? /^(\d+)\/(\d+)$/.exec(limit) : null;
      if (match) reported = { used: Number(match[1]), size: Number(match[2]), at: options.clock.now() };
      return { status: response.statusCode, text, retryAfter: response.headers["retry-after"] };
    } catch (cause) {
      throw new CrossdockError("CDK_TARGET_UNAVAILABLE", `${what} failed: ${(cause as Error).message}`, {
        cause,
        details: { url },
      });
    }
  }

  return {
    async setLevel(level) {
      if (
        !ID.test(level.inventoryItemId) ||
        !ID.test(level.locationId) ||
        !Number.isSafeInteger(level.available)
      ) {
        throw new CrossdockError(
          "CDK_TARGET_REJECTED",
          `${name}: inventory item ${level.inventoryItemId} at location ${level.locationId} with ${level.available} is not a level Shopify can set`,
          { details: { ...level } },
        );
      }
      // ids go out as plain JSON numbers, exactly as written (never through a double)
      const body = `{"location_id":${level.locationId},"inventory_item_id":${level.inventoryItemId},"available":${level.available}}`;
      const what = `${name}: POST ${url} (item ${level.inventoryItemId}, location ${level.locationId})`;
      for (let attempt = 0; ; attempt++) {
        await pace();
        const answer = await once(body, what);
        const details = { status: answer.status, body: answer.text.slice(0, 2_000), url, ...level };
        if (answer.status >= 200 && answer.status < 300) return;
        const message = `${what} answered ${answer.status}: ${answer.text.slice(0, 300)}`;
        if (answer.status === 429) {
          const wait = parseRetryAfter(answer.retryAfter, options.clock.now()) ?? 2_000;
          reported = { used: reported.size, size: reported.size, at: options.clock.now() };
          if (attempt < max429) {
            await sleep(wait);
            continue;
          }
          throw new CrossdockError("CDK_TARGET_UNAVAILABLE", message, { details, retryAfterMs: wait });
        }
        if (answer.status === 408 || answer.status >= 500) {
          const retryAfterMs = parseRetryAfter(answer.retryAfter, options.clock.now());
          throw new CrossdockError("CDK_TARGET_UNAVAILABLE", message, {
            details,
            ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
          });
        }
        if (answer.status === 401 || answer.status === 403)
          throw new CrossdockError("CDK_TARGET_AUTH", message, { details });
        throw new CrossdockError("CDK_TARGET_REJECTED", message, { details });
      }
    },
    bucket() {
      const { used, size } = estimate();
      return { used: Math.ceil(used), size };
    },
    close: () => agent.close(),
  };
}
