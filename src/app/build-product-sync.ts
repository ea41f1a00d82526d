/**
 * Product sync from Shopify, for `shopify` connections with `productSync: { everyMinutes }`: every so
 * often the shop's products are read through the GraphQL Admin API (cost-aware throttling) and each
 * changed product becomes `product.synced` (docs/shopify.md). Scheduler role; a failed pass is logged and
 * the next one tries again.
 */
import {
  createShopifyGraphqlClient,
  type ShopifyGraphqlClient,
} from "../connectors/shopify/shopify-graphql-client.ts";
import { createShopifyProductSync } from "../connectors/shopify/shopify-product-sync.ts";
import { SHOPIFY_TYPE } from "../connectors/shopify/shopify-webhook-connector.ts";
import type { Clock } from "../core/clock.ts";
import { CrossdockError } from "../core/errors.ts";
import type { StructuredLogger } from "../delivery/structured-logger.ts";
import { isSecret } from "../security/secret-ref.ts";
import type { Store } from "../store/store.ts";
import type { CrossdockConfig } from "./config-schema.ts";

export function buildProductSync(options: {
  config: CrossdockConfig;
  store: Store;
  clock: Clock;
  logger: StructuredLogger;
}): { start(): void; stop(): Promise<void> } {
  const syncs: {
    name: string;
    everyMs: number;
    client: ShopifyGraphqlClient;
    run: () => Promise<unknown>;
  }[] = [];
  for (const [name, connection] of Object.entries(options.config.connections)) {
    if (connection.type !== SHOPIFY_TYPE || connection.productSync === undefined) continue;
    const every = (connection.productSync as { everyMinutes?: unknown } | null)?.everyMinutes;
    const token = connection.accessToken;
    if (!(typeof every === "number" && Number.isInteger(every) && every >= 1 && every <= 10_080)) {
      throw new CrossdockError(
        "CDK_CONFIG_INVALID",
        `connection ${name}: productSync.everyMinutes must be a whole number 1-10080`,
        {
          details: { connection: name, field: "productSync.everyMinutes" },
        },
      );
    }
    if (typeof connection.shopUrl !== "string" || !isSecret(token)) {
      throw new CrossdockError(
        "CDK_CONFIG_INVALID",
        `connection ${name}: productSync needs shopUrl and accessToken (a secret reference)`,
        {
          details: { connection: name },
        },
      );
    }
    const client = createShopifyGraphqlClient({
      name,
      shopUrl: connection.shopUrl,
      accessToken: token,
      apiVersion: typeof connection.apiVersion === "string" ? connection.apiVersion : "2024-10",
      clock: options.clock,
    });
    const sync = createShopifyProductSync({
      client,
      store: options.store,
      clock: options.clock,
      connection: name,
    });
    syncs.push({ name, everyMs: every * 60_000, client, run: () => sync.run() });
  }
  const timers: ReturnType<typeof setInterval>[] = [];
  let running: Promise<unknown> = Promise.resolve();
  return {
    start() {
      for (const sync of syncs) {
        const pass = () => {
          running = sync
            .run()
            .catch((error: unknown) =>
              options.logger.warn({ connection: sync.name, error: String(error) }, "product sync failed"),
            );
        };
        pass();
        const timer = setInterval(pass, sync.everyMs);
        timer.unref?.();
        timers.push(timer);
      }
    },
    async stop() {
      for (const timer of timers.splice(0)) clearInterval(timer);
      await running;
      await Promise.all(syncs.map((s) => s.client.close()));
    },
  };
}
