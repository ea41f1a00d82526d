/**
 * The GraphQL Admin API of the sandbox storefront (`POST /admin/api/2024-10/graphql.json`), with
 * Shopify's calculated query cost and its leaky bucket per access token.
 *
 * It does not parse GraphQL. It knows the operations Crossdock sends, by operation name (the body's
 * `operationName`, else the name after `query` in the document), and answers each with a fixed
 * selection; any other operation gets Shopify's error shape (`errors[]` with `extensions.code`).
 * Known operations:
 * - `CrossdockProducts($first, $after, $variantsFirst)`: `shop { currencyCode taxesIncluded }` and
 *   `products(first, after)` with `id title handle status vendor productType descriptionHtml tags`,
 *   `variants(first: $variantsFirst)` (`id sku title price barcode inventoryItem { id
 *   requiresShipping }`, `pageInfo { hasNextPage }`) and `pageInfo { hasNextPage endCursor }`.
 * - `CrossdockSetInventory($input)`: the `inventorySetQuantities` mutation, cost 10
 *   (inventory-set-quantities.ts).
 *
 * Cost, as Shopify counts it: an object 1, a connection 2 plus `first` times the cost of its node.
 * A query above 1,000 is refused (`MAX_COST_EXCEEDED`) before anything is taken. Otherwise the
 * requested cost must be available (else `THROTTLED`, HTTP 200, nothing taken); it is taken, and the
 * difference to the actual cost (what the answer holds) is given back. Every answer carries
 * `extensions.cost` with the bucket after the call. The bucket refills at `restoreRate` a second on
 * the injected clock.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Clock } from "../../src/core/clock.ts";
import { isObject, parseJson, readBody, sendJson } from "../partner-kit/http-kit.ts";
import { INVENTORY_SET_QUANTITIES, SET_INVENTORY_OPERATION } from "./inventory-set-quantities.ts";
import type { ShopCatalog, Variant } from "./shop-catalog.ts";
import { money } from "./shop-format.ts";
import { API_VERSION } from "./shop-webhooks.ts";

/** The path the GraphQL Admin API answers on. */
export const GRAPHQL_PATH = `/admin/api/${API_VERSION}/graphql.json`;
const MAX_QUERY_COST = 1_000;
const DOCS = "https://shopify.dev/api/usage/rate-limits";

export interface GraphqlCostOptions {
  /** Points the bucket holds; default 1,000. */
  maximumAvailable?: number;
  /** Points restored a second; default 50. */
  restoreRate?: number;
}

/** Shopify's cost bucket, per access token: points taken before a query, refunded after it. */
export class GraphqlCostBucket {
  readonly maximumAvailable: number;
  readonly restoreRate: number;
  readonly #clock: Clock;
  readonly #buckets = new Map<string, { available: number; at: number }>();

  constructor(clock: Clock, options: GraphqlCostOptions = {}) {
    this.#clock = clock;
    this.maximumAvailable = options.maximumAvailable ?? 1_000;
    this.restoreRate = options.restoreRate ?? 50;
  }

  /** Points available now. */
  available(key: string): number {
    const now = this.#clock.now();
    const b = this.#buckets.get(key) ?? { available: this.maximumAvailable, at: now };
    return Math.min(this.maximumAvailable, b.available + ((now - b.at) * this.restoreRate) / 1_000);
  }

  /** Takes `points` (negative: gives them back); false, and nothing taken, when they are not there. */
  take(key: string, points: number): boolean {
    const available = this.available(key);
    if (points > available) return false;
    this.#buckets.set(key, {
      available: Math.min(this.maximumAvailable, available - points),
      at: this.#clock.now(),
    });
    return true;
  }

  throttleStatus(key: string) {
    return {
      maximumAvailable: this.maximumAvailable,
      currentlyAvailable: Math.floor(this.available(key)),
      restoreRate: this.restoreRate,
    };
  }
}

export interface GraphqlDeps {
  catalog: ShopCatalog;
  bucket: GraphqlCostBucket;
  accessToken: string;
  currency: string;
  maxBodyBytes: number;
  /** The sandbox clock, for the time of inventory changes. */
  now: () => number;
  /** Told the operation of every request that names one (known or not), for call counts. */
  onOperation?: (name: string) => void;
}

type Outcome =
  | { ok: true; data: unknown; actualCost: number }
  | { ok: false; error: Record<string, unknown> };
/** An operation the sandbox answers: its requested cost (or a top-level error), then its answer. */
export type GraphqlOperation = {
  cost: (variables: Record<string, unknown>) => number | Record<string, unknown>;
  run: (variables: Record<string, unknown>, deps: GraphqlDeps) => Outcome;
};

const userError = (message: string, argument: string) => ({
  message,
  extensions: { code: "BAD_USER_INPUT", argument },
});

function count(variables: Record<string, unknown>, name: string, fallback?: number) {
  const value = variables[name] ?? fallback;
  return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 250
    ? value
    : userError(`Variable $${name} must be an integer between 1 and 250`, name);
}

const cursorOf = (id: bigint) => Buffer.from(JSON.stringify({ last_id: String(id) })).toString("base64url");
function afterId(cursor: unknown): bigint | undefined | null {
  if (cursor === undefined || cursor === null) return undefined;
  try {
    const id = JSON.parse(Buffer.from(String(cursor), "base64url").toString()).last_id;
    return typeof id === "string" && /^\d{1,20}$/.test(id) ? BigInt(id) : null;
  } catch {
    return null;
  }
}

function productNode(v: Variant) {
  return {
    id: `gid://shopify/Product/${v.productId}`,
    title: v.title,
    handle: v.sku.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
    status: "ACTIVE",
    vendor: "Crossdock Sandbox",
    productType: "",
    descriptionHtml: "",
    tags: [],
    variants: {
      edges: [
        {
          node: {
            id: `gid://shopify/ProductVariant/${v.id}`,
            sku: v.sku,
            title: "Default Title",
            price: money(v.priceCents),
            barcode: null,
            inventoryItem: { id: `gid://shopify/InventoryItem/${v.inventoryItemId}`, requiresShipping: true },
          },
        },
      ],
      pageInfo: { hasNextPage: false },
    },
  };
}

const OPERATIONS: Record<string, GraphqlOperation> = {
  [SET_INVENTORY_OPERATION]: INVENTORY_SET_QUANTITIES,
  CrossdockProducts: {
    cost: (vars) => {
      const first = count(vars, "first");
      const variantsFirst = count(vars, "variantsFirst", 1);
      if (typeof first !== "number") return first;
      if (typeof variantsFirst !== "number") return variantsFirst;
      return 1 + 2 + first * (1 + 2 + variantsFirst * 2);
    },
    run: (vars, deps) => {
      const after = afterId(vars.after);
      if (after === null)
        return { ok: false, error: userError("Invalid cursor for current pagination sort", "after") };
      const first = vars.first as number;
      const all = deps.catalog.variants
        .filter((v) => after === undefined || v.productId > after)
        .sort((a, b) => (a.productId < b.productId ? -1 : 1));
      const page = all.slice(0, first);
      const last = page.at(-1);
      const data = {
        shop: { currencyCode: deps.currency, taxesIncluded: false },
        products: {
          edges: page.map((v) => ({ cursor: cursorOf(v.productId), node: productNode(v) })),
          pageInfo: { hasNextPage: all.length > first, endCursor: last ? cursorOf(last.productId) : null },
        },
      };
      // one variant and one inventory item a product in the sandbox's catalogue
      return { ok: true, data, actualCost: 1 + 2 + page.length * (1 + 2 + 2) };
    },
  },
};

/** The operation a request names: `operationName`, else the name of the document's first operation. */
function operationName(body: Record<string, unknown>): string | undefined {
  if (typeof body.operationName === "string") return body.operationName;
  const query = typeof body.query === "string" ? body.query : "";
  return /^\s*(?:#[^\n]*\n\s*)*(?:query|mutation)\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(query)?.[1];
}

/** Answers one GraphQL request: token (401), body (400), operation, cost (throttle), data. */
export async function handleGraphql(
  req: IncomingMessage,
  res: ServerResponse,
  deps: GraphqlDeps,
): Promise<void> {
  const headers = { "X-Shopify-API-Version": API_VERSION };
  const token = req.headers["x-shopify-access-token"];
  if (typeof token !== "string" || token !== deps.accessToken) {
    return sendJson(res, 401, {
      errors: "[API] Invalid API key or access token (unrecognized login or wrong password)",
    });
  }
  if (req.method !== "POST") return sendJson(res, 405, { errors: "Method Not Allowed" }, headers);
  const parsed = parseJson(await readBody(req, deps.maxBodyBytes));
  if (!parsed.ok || !isObject(parsed.value) || typeof parsed.value.query !== "string") {
    return sendJson(res, 400, { errors: { query: "Required parameter missing or invalid" } }, headers);
  }
  const body = parsed.value;
  const variables = isObject(body.variables) ? body.variables : {};
  const name = operationName(body);
  deps.onOperation?.(name ?? "(anonymous)");
  const operation = name === undefined ? undefined : OPERATIONS[name];
  if (!operation) {
    const message = `Operation ${name ?? "(anonymous)"} is not supported by the sandbox (known: ${Object.keys(OPERATIONS).join(", ")})`;
    return sendJson(res, 200, { errors: [{ message, extensions: { code: "undefinedField" } }] }, headers);
  }
  const requested = operation.cost(variables);
  if (typeof requested !== "number") return sendJson(res, 200, { errors: [requested] }, headers);
  const cost = (actual: number | null) => ({
    cost: {
      requestedQueryCost: requested,
      actualQueryCost: actual,
      throttleStatus: deps.bucket.throttleStatus(token),
    },
  });
  if (requested > MAX_QUERY_COST) {
    const message = `Query cost is ${requested}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).`;
    const extensions = {
      code: "MAX_COST_EXCEEDED",
      cost: requested,
      maxCost: MAX_QUERY_COST,
      documentation: DOCS,
    };
    return sendJson(res, 200, { errors: [{ message, extensions }] }, headers);
  }
  if (!deps.bucket.take(token, requested)) {
    const errors = [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: DOCS } }];
    return sendJson(res, 200, { errors, extensions: cost(null) }, headers);
  }
  const outcome = operation.run(variables, deps);
  const actual = outcome.ok ? outcome.actualCost : 1;
  deps.bucket.take(token, actual - requested);
  if (!outcome.ok) return sendJson(res, 200, { errors: [outcome.error], extensions: cost(actual) }, headers);
  sendJson(res, 200, { data: outcome.data, extensions: cost(actual) }, headers);
}
