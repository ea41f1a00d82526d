import { createServer } from "node:http";
import { type Clock, systemClock } from "../../src/core/clock.ts";
import {
  closeServer,
  guarded,
  isObject,
  listen,
  parseJson,
  readBody,
  sendJson,
} from "../partner-kit/http-kit.ts";
import { seededRandom } from "../partner-kit/sim-random.ts";
import { SimScheduler } from "../partner-kit/sim-scheduler.ts";
import { type WebhookFaults, type WebhookRetryPolicy, WebhookSender } from "../partner-kit/webhook-sender.ts";
import { handleAdmin } from "./admin-routes.ts";
import { GRAPHQL_PATH, GraphqlCostBucket, type GraphqlCostOptions, handleGraphql } from "./graphql-routes.ts";
import { LeakyBucket, type LeakyBucketOptions } from "./leaky-bucket.ts";
import { SandboxShop, type ShopTopic } from "./sandbox-shop.ts";
import { DEFAULT_PRODUCTS, type SandboxProductInput, ShopCatalog } from "./shop-catalog.ts";
import { API_VERSION, ShopWebhooks } from "./shop-webhooks.ts";
import { type PlacedOrders, type PlaceOrdersOptions, placeOrders } from "./traffic-generator.ts";

export type { DeliveryAttempt, WebhookFaults, WebhookRetryPolicy } from "../partner-kit/webhook-sender.ts";
export type { OrderJson } from "./order-builder.ts";
export type { ShopTopic } from "./sandbox-shop.ts";
export type { PlacedOrders, PlaceOrdersOptions } from "./traffic-generator.ts";

/** How to start the sandbox storefront; every field optional (see README.md for the defaults). */
export interface SandboxStorefrontOptions {
  port?: number;
  host?: string;
  /** `X-Shopify-Access-Token` the admin API accepts; default "shpat_sandbox". */
  accessToken?: string;
  /** The app's client secret that signs webhooks; default "sandbox-shopify-secret". */
  apiSecret?: string;
  /** `X-Shopify-Shop-Domain`; default "crossdock-sandbox.myshopify.com". */
  shopDomain?: string;
  /** Default: 8 products with the sandbox Odoo demo SKUs (FURN_0001...), 100 available each. */
  products?: readonly SandboxProductInput[];
  /** Location names; the first is where orders take stock. Default ["Main Warehouse"]. */
  locations?: readonly string[];
  /** Default "USD". */
  currency?: string;
  /** One tax rate on lines; default { title: "State Tax", rate: 0.06 }. */
  tax?: { title: string; rate: number };
  /** The shop's UTC offset in timestamps, minutes; default 0. */
  utcOffsetMinutes?: number;
  /** Shopify's leaky bucket (40, 2/s by default); `false` turns rate limiting off. */
  rateLimit?: LeakyBucketOptions | false;
  /** The GraphQL Admin API's cost bucket (1,000 points restoring 50 a second by default). */
  graphqlCost?: GraphqlCostOptions;
  /** Subscriptions to create at start. */
  webhooks?: { topic: ShopTopic; address: string }[];
  webhookRetry?: WebhookRetryPolicy;
  webhookFaults?: WebhookFaults;
  /** Default the system clock. Inject a `ManualClock` (with `autoRunMs: false`) to drive time in tests. */
  clock?: Clock;
  /** See `SimSchedulerOptions.autoRunMs`; default 50 with the system clock, false with an injected one. */
  autoRunMs?: number | false;
  /** Webhooks delivered at once; default 1 (arrival order is deterministic). */
  deliveryParallelism?: number;
  /** Seed of the randomness (traffic, faults, webhook ids); default 1. */
  seed?: number;
  /** First id handed out; default 2^53 + 1, so every id needs more than a double to stay exact. */
  idBase?: bigint;
  /** Request bodies above this answer 413; default 1 MiB. */
  maxBodyBytes?: number;
  /** For webhook delivery; default global fetch. */
  fetch?: typeof fetch;
}

/** A running sandbox storefront and its controls. */
export interface SandboxStorefront {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** `${url}/admin/api/2024-10` */
  readonly adminUrl: string;
  readonly accessToken: string;
  readonly apiSecret: string;
  readonly shopDomain: string;
  /** The shop's state and its operations (orders, cancel, fulfil, refund, catalogue). */
  readonly shop: SandboxShop;
  /** Subscriptions (`subscribe`, `unsubscribe`, `subscriptions`). */
  readonly webhooks: ShopWebhooks;
  /** Every delivery attempt, delivery states, mutable `faults`, `redeliver(id)`. */
  readonly deliveries: WebhookSender;
  /** Generates traffic (see `PlaceOrdersOptions`). */
  placeOrders(n: number, options?: PlaceOrdersOptions): PlacedOrders;
  /**
   * Admin API requests received since the start, by route: `REST <METHOD> <path after the version>`
   * (ids as `{id}`; 401 and 429 answers included) and `GraphQL <operation>` (each authenticated
   * request with a readable body, `THROTTLED` answers included).
   */
  readonly calls: ReadonlyMap<string, number>;
  /** The GraphQL cost bucket (tests drain it to see `THROTTLED`). */
  readonly graphqlCost: GraphqlCostBucket;
  /** Runs the work due on the clock (webhook attempts, delayed cancellations) and waits for it. */
  runDue(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Starts a simulated Shopify store (see README.md): the Admin REST API subset an order-to-cash
 * integration uses, the leaky-bucket rate limit, and signed webhooks with Shopify's delivery faults.
 *
 * @example
 * const clock = new ManualClock();
 * const store = await startSandboxStorefront({ clock, webhooks: [{ topic: "orders/create", address: hookUrl }] });
 * store.placeOrders(10, { cancelShare: 0.2, malformed: true });
 * await store.runDue(); // every webhook answered
 * await store.close();
 */
export async function startSandboxStorefront(
  options: SandboxStorefrontOptions = {},
): Promise<SandboxStorefront> {
  const clock = options.clock ?? systemClock;
  const now = () => clock.now();
  const random = seededRandom(options.seed ?? 1);
  let id = options.idBase ?? 2n ** 53n + 1n;
  const nextId = () => id++;
  const offsetMinutes = options.utcOffsetMinutes ?? 0;
  const scheduler = new SimScheduler({
    clock,
    autoRunMs: options.autoRunMs ?? (options.clock ? false : 50),
    parallel: options.deliveryParallelism ?? 1,
  });
  const sender = new WebhookSender({
    scheduler,
    random,
    ...(options.webhookRetry ? { retry: options.webhookRetry } : {}),
    ...(options.webhookFaults ? { faults: options.webhookFaults } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const accessToken = options.accessToken ?? "shpat_sandbox";
  const apiSecret = options.apiSecret ?? "sandbox-shopify-secret";
  const shopDomain = options.shopDomain ?? "crossdock-sandbox.myshopify.com";
  const webhooks = new ShopWebhooks({
    sender,
    secret: apiSecret,
    shopDomain,
    nextId,
    now,
    random,
    offsetMinutes,
  });
  const catalog = new ShopCatalog(
    options.products ?? DEFAULT_PRODUCTS,
    options.locations ?? ["Main Warehouse"],
    nextId,
    now(),
    offsetMinutes,
  );
  const shop = new SandboxShop({
    catalog,
    nextId,
    now,
    token: () => Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join(""),
    currency: options.currency ?? "USD",
    tax: options.tax ?? { title: "State Tax", rate: 0.06 },
    offsetMinutes,
    emit: (topic, payload) => webhooks.emit(topic, payload),
  });
  for (const s of options.webhooks ?? []) webhooks.subscribe(s.topic, s.address);
  const bucket = options.rateLimit === false ? undefined : new LeakyBucket(clock, options.rateLimit);
  const traffic = { shop, webhooks, scheduler, random };
  // GraphQL Admin API (graphql-routes.ts): its own cost bucket, separate from the REST call limit.
  const graphqlBucket = new GraphqlCostBucket(clock, options.graphqlCost);
  const calls = new Map<string, number>();
  const count = (route: string) => calls.set(route, (calls.get(route) ?? 0) + 1);
  let url = "";
  const server = createServer(
    guarded(
      async (req, res) => {
        const parsed = new URL(req.url ?? "/", "http://sandbox");
        if (parsed.pathname === GRAPHQL_PATH) {
          return handleGraphql(req, res, {
            catalog,
            bucket: graphqlBucket,
            accessToken,
            currency: options.currency ?? "USD",
            maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
            now,
            onOperation: (name) => count(`GraphQL ${name}`),
          });
        }
        if (parsed.pathname.startsWith("/admin/")) {
          const path = parsed.pathname
            .replace(/^\/admin\/api\/[^/]+\//, "")
            .replace(/\/\d+(?=[/.])/g, "/{id}");
          count(`REST ${req.method} ${path}`);
          return handleAdmin(req, res, parsed, {
            shop,
            webhooks,
            bucket,
            accessToken,
            maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
            now,
            baseUrl: () => url,
          });
        }
        // Control routes for a storefront started from the CLI (no auth: a simulator on a test host).
        if (req.method === "POST" && parsed.pathname === "/__sandbox/orders") {
          const body = parseJson(await readBody(req, 64 * 1024));
          const spec = body.ok && isObject(body.value) ? body.value : undefined;
          const n = spec?.n;
          if (!spec || typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 10_000) {
            return sendJson(res, 400, { errors: "expected { n: 0..10000, cancelShare?, malformed? }" });
          }
          const placed = placeOrders(traffic, n, {
            ...(typeof spec.cancelShare === "number" ? { cancelShare: spec.cancelShare } : {}),
            ...(spec.malformed === true || spec.malformed === "truncated-json"
              ? { malformed: spec.malformed }
              : {}),
          });
          return sendJson(res, 200, {
            orders: placed.orders.map((o) => o.id),
            cancelled: placed.cancelled,
            malformed: placed.malformed ?? null,
          });
        }
        if (req.method === "GET" && parsed.pathname === "/__sandbox/deliveries")
          return sendJson(res, 200, sender.attempts);
        sendJson(res, 404, { errors: "Not Found" });
      },
      (status) => ({ errors: status === 413 ? "Request Entity Too Large" : "Internal Server Error" }),
    ),
  );
  url = await listen(server, options.port, options.host);
  let closed = false;
  return {
    url,
    adminUrl: `${url}/admin/api/${API_VERSION}`,
    accessToken,
    apiSecret,
    shopDomain,
    shop,
    webhooks,
    deliveries: sender,
    calls,
    graphqlCost: graphqlBucket,
    placeOrders: (n, o) => placeOrders(traffic, n, o),
    runDue: () => scheduler.runDue(),
    close: async () => {
      if (closed) return;
      closed = true;
      await scheduler.close();
      await closeServer(server);
    },
  };
}
