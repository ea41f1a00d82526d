/**
 * Product sync from a Shopify store: pages every product with its variants through the GraphQL Admin
 * API (paced to the cost bucket by `ShopifyGraphqlClient`), maps each variant with a SKU to a canonical
 * `product/v1` with the `shopify-product@1` rules (`mapShopifyProduct`, fed the GraphQL shape
 * translated to the REST one), checks it with `checkModel`, and emits `product.synced` (`{ product }`)
 * on `product:<connection>:<sku>` only when the record differs from the one the last sync saw.
 *
 * Change detection: a SHA-256 of the record's canonical JSON is kept per SKU in the store's records
 * (kind `shopify.product-sync`, key `<connection>/<sku>`), written in the same transaction as the
 * events of its page: a crash between pages loses nothing and repeats nothing. One transaction a page,
 * with no network call inside.
 *
 * Prices carry the shop's currency (`shop.currencyCode`, read in the same query) unless `currency` is
 * given; `taxesIncluded` comes from the shop. Outcomes that are not failures are counted, not thrown:
 * variants without SKU (`skipped`), records the model refuses (`invalid`, with the problems), a SKU
 * seen twice in one run (`duplicates`, the first kept), products with more variants than
 * `variantsPerProduct` (`truncated`: the variants beyond are not synced).
 *
 * Left out: products deleted on Shopify (their hash stays; no event), fetching the variants beyond
 * `variantsPerProduct`, incremental syncs (`updated_at:>` queries), bulk operations.
 */
import { createHash } from "node:crypto";
import type { Clock } from "../../core/clock.ts";
import { CrossdockError } from "../../core/errors.ts";
import { checkModel } from "../../core/model/model-checks.ts";
import type { ModelProblem } from "../../core/model/model-problem.ts";
import type { Product } from "../../core/model/product.ts";
import { DocumentFault } from "../../mapping/builtin/document-reader.ts";
import { mapShopifyProduct } from "../../mapping/builtin/shopify-product-mapper.ts";
import type { JsonValue, Store } from "../../store/store.ts";
import type { ShopifyGraphqlClient } from "./shopify-graphql-client.ts";

/** Event type of a product whose content changed since the last sync (stored: never rename). */
export const PRODUCT_SYNCED = "product.synced";
/** Store record kind holding each SKU's content hash; keys `<connection>/<sku>`. */
export const PRODUCT_SYNC_KIND = "shopify.product-sync";

/** The products page the sync reads (the sandbox storefront answers this operation by name). */
export const PRODUCTS_QUERY = `query CrossdockProducts($first: Int!, $after: String, $variantsFirst: Int!) {
  shop { currencyCode taxesIncluded }
  products(first: $first, after: $after, sortKey: ID) {
    edges { node {
      id title handle status vendor productType descriptionHtml tags
      variants(first: $variantsFirst) {
        edges { node { id sku title price barcode inventoryItem { id requiresShipping } } }
        pageInfo { hasNextPage }
      }
    } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** Shopify's requested cost of `PRODUCTS_QUERY`: shop 1, products 2 + first x (1 + variants 2 + 2 each). */
export function productsQueryCost(first: number, variantsFirst: number): number {
  return 1 + 2 + first * (1 + 2 + variantsFirst * 2);
}

export interface ShopifyProductSyncOptions {
  client: Pick<ShopifyGraphqlClient, "query">;
  store: Store;
  clock: Clock;
  /** The connection name: the channel in `refs` and `extensions`, and part of streams and keys. */
  connection: string;
  /** Overrides the shop's currency for prices. */
  currency?: string;
  /** Products a page, 1-250. Default 20 (requested cost 863 with 20 variants). */
  pageSize?: number;
  /** Variants read per product, 1-250. Default 20. */
  variantsPerProduct?: number;
  /** Guard against a cursor that never ends. Default 10,000. */
  maxPages?: number;
}

export interface ShopifyProductSyncResult {
  pages: number;
  /** Shopify products read. */
  products: number;
  /** Canonical records (one per variant with a SKU) that passed the model. */
  records: number;
  emitted: number;
  unchanged: number;
  skipped: string[];
  invalid: { sku?: string; productId: string; problems: readonly ModelProblem[] }[];
  duplicates: string[];
  truncated: string[];
  /** Waited for the cost bucket, ms, and points Shopify charged. */
  waitedMs: number;
  actualCost: number;
}

export interface ShopifyProductSync {
  run(): Promise<ShopifyProductSyncResult>;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const edgesOf = (connection: unknown): Obj[] => {
  const edges = obj(connection).edges;
  return Array.isArray(edges) ? edges.map((e) => obj(obj(e).node)) : [];
};
/** `gid://shopify/Product/123` -> "123"; anything else unchanged (the mapper judges it). */
const gidId = (value: unknown) =>
  typeof value === "string" ? (/^gid:\/\/shopify\/\w+\/(\d+)$/.exec(value)?.[1] ?? value) : value;

/** A GraphQL product node in the shape of the REST product resource the mapper reads. */
export function restProductOf(node: Obj): Obj {
  const tags = node.tags;
  return {
    id: gidId(node.id),
    title: node.title,
    body_html: node.descriptionHtml ?? null,
    status: typeof node.status === "string" ? node.status.toLowerCase() : node.status,
    vendor: node.vendor ?? null,
    product_type: node.productType ?? null,
    tags: Array.isArray(tags) ? tags.join(", ") : (tags ?? null),
    variants: edgesOf(node.variants).map((v) => ({
      id: gidId(v.id),
      sku: v.sku ?? null,
      title: v.title ?? null,
      price: v.price ?? null,
      barcode: v.barcode ?? null,
      inventory_item_id: gidId(obj(v.inventoryItem).id) ?? null,
      requires_shipping: obj(v.inventoryItem).requiresShipping ?? null,
    })),
  };
}

/** JSON with keys sorted, so equal records hash equal whatever the key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

const hashOf = (product: Product) => createHash("sha256").update(canonical(product)).digest("hex");

export function createShopifyProductSync(options: ShopifyProductSyncOptions): ShopifyProductSync {
  const first = options.pageSize ?? 20;
  const variantsFirst = options.variantsPerProduct ?? 20;
  const maxPages = options.maxPages ?? 10_000;
  const estimatedCost = productsQueryCost(first, variantsFirst);
  const { connection, store } = options;

  /** Writes a page's changed records and their events in one transaction. */
  async function commit(page: { product: Product; hash: string }[], result: ShopifyProductSyncResult) {
    await store.transaction(async (tx) => {
      const changed: typeof page = [];
      for (const item of page) {
        const previous = await tx.getRecord(PRODUCT_SYNC_KIND, `${connection}/${item.product.sku}`);
        if (obj(previous?.data).hash === item.hash) result.unchanged++;
        else changed.push(item);
      }
      if (changed.length === 0) return;
      await tx.appendEvents(
        changed.map(({ product }) => ({
          stream: `product:${connection}:${product.sku}`,
          type: PRODUCT_SYNCED,
          data: { product } as unknown as JsonValue,
        })),
      );
      for (const { product, hash } of changed) {
        const syncedAt = new Date(options.clock.now()).toISOString();
        await tx.putRecord(PRODUCT_SYNC_KIND, `${connection}/${product.sku}`, { hash, syncedAt });
      }
      result.emitted += changed.length;
    });
  }

  return {
    async run() {
      const result: ShopifyProductSyncResult = {
        ...{ pages: 0, products: 0, records: 0, emitted: 0, unchanged: 0 },
        ...{ skipped: [], invalid: [], duplicates: [], truncated: [], waitedMs: 0, actualCost: 0 },
      };
      const seen = new Set<string>();
      let after: string | null = null;
      for (;;) {
        if (result.pages >= maxPages)
          throw new CrossdockError(
            "CDK_TARGET_REJECTED",
            `${connection}: products did not end after ${maxPages} pages`,
            {
              failureClass: "config",
              details: { maxPages, after },
            },
          );
        const answer = await options.client.query(
          PRODUCTS_QUERY,
          { first, after, variantsFirst },
          { estimatedCost },
        );
        result.pages++;
        result.waitedMs += answer.waitedMs;
        result.actualCost += answer.cost.actual ?? 0;
        const data = obj(answer.data);
        const products = obj(data.products);
        const pageInfo = obj(products.pageInfo);
        if (!Array.isArray(products.edges) || typeof pageInfo.hasNextPage !== "boolean")
          throw new CrossdockError(
            "CDK_TARGET_REJECTED",
            `${connection}: the products answer has no edges or pageInfo`,
            {
              failureClass: "config",
              details: { answer: JSON.stringify(answer.data).slice(0, 2_000) },
            },
          );
        const shop = obj(data.shop);
        const currency =
          options.currency ?? (typeof shop.currencyCode === "string" ? shop.currencyCode : undefined);
        const mapOptions = { ...(currency ? { currency } : {}), taxesIncluded: shop.taxesIncluded === true };
        const page: { product: Product; hash: string }[] = [];
        for (const node of edgesOf(products)) {
          result.products++;
          const productId = String(gidId(node.id));
          if (obj(obj(node.variants).pageInfo).hasNextPage === true) result.truncated.push(productId);
          let mapped: { products: Product[]; skipped: string[] };
          try {
            mapped = mapShopifyProduct(restProductOf(node), connection, mapOptions);
          } catch (cause) {
            if (!(cause instanceof DocumentFault) && !(cause instanceof RangeError)) throw cause;
            const path = cause instanceof DocumentFault ? cause.path : "";
            result.invalid.push({
              productId,
              problems: [{ path, message: cause.message, rule: "shopify-product" }],
            });
            continue;
          }
          result.skipped.push(...mapped.skipped.map((note) => `product ${productId} ${note}`));
          for (const product of mapped.products) {
            const checked = checkModel("product", product);
            if (!checked.ok) {
              result.invalid.push({ sku: product.sku, productId, problems: checked.problems });
            } else if (seen.has(product.sku)) {
              result.duplicates.push(product.sku);
            } else {
              seen.add(product.sku);
              result.records++;
              page.push({ product, hash: hashOf(product) });
            }
          }
        }
        if (page.length > 0) await commit(page, result);
        if (!pageInfo.hasNextPage) return result;
        const next = typeof pageInfo.endCursor === "string" ? pageInfo.endCursor : null;
        if (next === null || next === after)
          throw new CrossdockError("CDK_TARGET_REJECTED", `${connection}: products cursor did not move`, {
            failureClass: "config",
            details: { after, endCursor: pageInfo.endCursor ?? null },
          });
        after = next;
      }
    },
  };
}
