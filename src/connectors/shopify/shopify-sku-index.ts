/**
 * SKU -> Shopify variant and inventory item, read from the Admin REST API: Shopify sets stock per
 * inventory item, the hub knows SKUs. The index pages once through `products.json` (250 a page, only
 * `id` and `variants`), keeps the map in memory, and reads it again when asked for a SKU it does not
 * know (a product created since), at most once per `minRefreshMs` so a SKU that is simply not sold on
 * the shop does not re-read the catalogue on every pass.
 *
 * Pagination follows `Link: <...page_info=...>; rel="next"` when Shopify sends it, else `since_id`.
 * Calls are paced like the inventory client's: an estimate of the shop's leaky bucket from
 * `X-Shopify-Shop-Api-Call-Limit` (and, when given, the inventory client's own estimate of the same
 * bucket, so the two do not together overflow it), `Retry-After` waited out on a 429. Ids are kept as
 * exact digit strings.
 *
 * A SKU found on two variants is `ambiguous`, never guessed: setting both would list the stock twice.
 * Deliberately left out: the GraphQL `productVariants(query: "sku:...")` lookup, webhooks
 * (`products/update`) keeping the index current between refreshes.
 */
import { Agent, request } from "undici";
import type { Clock } from "../../core/clock.ts";
import { CrossdockError } from "../../core/errors.ts";
import { decodeJsonDocument } from "../../mapping/decode-json.ts";
import { parseRetryAfter } from "../http/http-target.ts";

export interface ShopifySkuIndexOptions {
  shopUrl: string;
  accessToken: { reveal(): string };
  apiVersion: string;
  clock: Clock;
  /** Default: a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Calls per second the bucket leaks. Default 2. */
  leakPerSecond?: number;
  /** Calls left free in the bucket. Default 4. */
  headroom?: number;
  /** Another caller's estimate of the same bucket (the inventory client's `bucket()`). */
  sharedBucket?: () => { used: number; size: number };
  /** Least time between two refreshes caused by unknown SKUs, ms. Default 60,000. */
  minRefreshMs?: number;
  /** Products per page, 1-250. Default 250. */
  pageSize?: number;
  name?: string;
  timeoutMs?: number;
}

export interface ShopifyVariantRef {
  readonly productId: string;
  readonly variantId: string;
  readonly inventoryItemId: string;
}

export type SkuLookup = ShopifyVariantRef | { readonly problem: "unknown" | "ambiguous" };

const LOOKUP_PROBLEMS = {
  unknown: "no variant on the shop has this SKU",
  ambiguous: "several variants on the shop have this SKU; none is set",
} as const;

/**
 * The stock updates of a batch that have one variant on the shop, each with its inventory item, and
 * the others rejected with the reason (no variant, or several): what both stock ports (REST, GraphQL)
 * do before they send anything.
 */
export async function resolveStockUpdates<U extends { sku: string }>(
  index: Pick<ShopifySkuIndex, "resolve">,
  updates: readonly U[],
): Promise<{ found: { update: U; inventoryItemId: string }[]; rejected: { sku: string; reason: string }[] }> {
  const refs = await index.resolve(updates.map((u) => u.sku));
  const found: { update: U; inventoryItemId: string }[] = [];
  const rejected: { sku: string; reason: string }[] = [];
  for (const update of updates) {
    const ref = refs.get(update.sku);
    if (!ref || "problem" in ref)
      rejected.push({ sku: update.sku, reason: LOOKUP_PROBLEMS[ref?.problem ?? "unknown"] });
    else found.push({ update, inventoryItemId: ref.inventoryItemId });
  }
  return { found, rejected };
}

export interface ShopifySkuIndex {
  /** Each SKU's variant; one refresh (rate-limited by `minRefreshMs`) when some are unknown. */
  resolve(skus: readonly string[]): Promise<Map<string, SkuLookup>>;
  /** Reads the whole catalogue again. */
  refresh(): Promise<void>;
  /** SKUs known, and `products.json` pages read since the start. */
  stats(): { skus: number; pages: number; refreshes: number };
  close(): Promise<void>;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const id = (v: unknown) => (typeof v === "number" || typeof v === "string" ? String(v) : undefined);

export function createShopifySkuIndex(options: ShopifySkuIndexOptions): ShopifySkuIndex {
  const name = options.name ?? "shopify";
  const base = `${options.shopUrl.replace(/\/+$/, "")}/admin/api/${encodeURIComponent(options.apiVersion)}`;
  const agent = new Agent({ connections: 1, headersTimeout: options.timeoutMs ?? 30_000 });
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const leak = options.leakPerSecond ?? 2;
  const headroom = options.headroom ?? 4;
  const pageSize = options.pageSize ?? 250;
  const minRefreshMs = options.minRefreshMs ?? 60_000;
  let reported = { used: 0, size: 40, at: options.clock.now() };
  let bySku = new Map<string, SkuLookup>();
  let loadedAt: number | undefined;
  let loading: Promise<void> | undefined;
  let pages = 0;
  let refreshes = 0;

  async function pace(): Promise<void> {
    const own = Math.max(0, reported.used - ((options.clock.now() - reported.at) / 1_000) * leak);
    const shared = options.sharedBucket?.();
    const used = Math.max(own, shared?.used ?? 0);
    const limit = Math.max(1, Math.min(reported.size, shared?.size ?? Infinity) - headroom);
    if (used + 1 > limit) await sleep(Math.ceil(((used + 1 - limit) / leak) * 1_000));
  }

  async function get(url: string): Promise<{ body: unknown; next: string | undefined }> {
    for (let attempt = 0; ; attempt++) {
      await pace();
      const what = `${name}: GET ${url}`;
      let answer: Awaited<ReturnType<typeof request>>;
      let text: string;
      try {
        answer = await request(url, {
          headers: { "x-shopify-access-token": options.accessToken.reveal(), accept: "application/json" },
          dispatcher: agent,
        });
        text = await answer.body.text();
      } catch (cause) {
        throw new CrossdockError("CDK_TARGET_UNAVAILABLE", `${what} failed: ${(cause as Error).message}`, {
          cause,
        });
      }
      const limit = answer.headers["x-shopify-shop-api-call-limit"];
      const match = typeof limit === "string" ? /^(\d+)\/(\d+)$/.exec(limit) : null;
      if (match) reported = { used: Number(match[1]), size: Number(match[2]), at: options.clock.now() };
      const status = answer.statusCode;
      const retryAfterMs = parseRetryAfter(answer.headers["retry-after"], options.clock.now());
      if (status === 429 && attempt < 3) {
        reported = { used: reported.size, size: reported.size, at: options.clock.now() };
        await sleep(retryAfterMs ?? 2_000);
        continue;
      }
      const message = `${what} answered ${status}: ${text.slice(0, 300)}`;
      const details = { status, body: text.slice(0, 2_000), url };
      if (status === 401 || status === 403) throw new CrossdockError("CDK_TARGET_AUTH", message, { details });
      if (status === 408 || status === 429 || status >= 500)
        throw new CrossdockError("CDK_TARGET_UNAVAILABLE", message, {
          details,
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        });
      if (status < 200 || status >= 300)
        throw new CrossdockError("CDK_TARGET_REJECTED", message, { details });
      const decoded = decodeJsonDocument(text, url);
      if (!decoded.ok)
        throw new CrossdockError("CDK_TARGET_UNAVAILABLE", `${what}: the answer is not JSON`, { details });
      const link = answer.headers.link;
      const next = typeof link === "string" ? /<([^>]+)>;\s*rel="next"/.exec(link)?.[1] : undefined;
      return { body: decoded.document, next };
    }
  }

  async function load(): Promise<void> {
    const next = new Map<string, SkuLookup>();
    let url: string | undefined = `${base}/products.json?limit=${pageSize}&fields=id,variants`;
    while (url) {
      const page = await get(url);
      pages++;
      const products = isObject(page.body) && Array.isArray(page.body.products) ? page.body.products : [];
      for (const product of products.filter(isObject)) {
        for (const variant of Array.isArray(product.variants) ? product.variants.filter(isObject) : []) {
          const sku = typeof variant.sku === "string" ? variant.sku.trim() : "";
          const ref = {
            productId: id(product.id) ?? "",
            variantId: id(variant.id) ?? "",
            inventoryItemId: id(variant.inventory_item_id) ?? "",
          };
          if (sku === "" || ref.inventoryItemId === "") continue;
          next.set(sku, next.has(sku) ? { problem: "ambiguous" } : ref);
        }
      }
      const lastId = id(products.at(-1) && (products.at(-1) as Record<string, unknown>).id);
      url =
        page.next ??
        (products.length === pageSize && lastId
          ? `${base}/products.json?limit=${pageSize}&fields=id,variants&since_id=${lastId}`
          : undefined);
    }
    bySku = next;
    loadedAt = options.clock.now();
    refreshes++;
  }

  function refresh(): Promise<void> {
    loading ??= load().finally(() => {
      loading = undefined;
    });
    return loading;
  }

  return {
    async resolve(skus) {
      if (loadedAt === undefined) await refresh();
      const missing = skus.some((sku) => !bySku.has(sku));
      if (missing && options.clock.now() - (loadedAt ?? 0) >= minRefreshMs) await refresh();
      return new Map(skus.map((sku) => [sku, bySku.get(sku) ?? { problem: "unknown" as const }]));
    },
    refresh,
    stats: () => ({ skus: bySku.size, pages, refreshes }),
    close: () => agent.close(),
  };
}
