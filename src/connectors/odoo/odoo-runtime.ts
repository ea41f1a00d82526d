/**
 * Everything one `odoo` connection runs inside a hub process, built from its checked settings: one
 * client (so one budget of calls for every flow), the delivery target for Odoo jobs (worker role), the
 * change pollers (scheduler role), the master data cache, and the wake-up hint for Odoo's webhooks
 * (gateway role). The composition root starts and stops it with the app.
 *
 * The hint only wakes pollers of the same process: with roles split over processes, the gateway
 * accepts Odoo's hint but the scheduler's pollers keep their interval.
 */
import type { Clock } from "../../core/clock.ts";
import type { StructuredLogger } from "../../delivery/structured-logger.ts";
import type { Store } from "../../store/store.ts";
import { type ChangePoller, createChangePoller } from "./change-poller.ts";
import { createMasterDataCache, type MasterDataCache } from "./master-data-cache.ts";
import { odooChangeFeeds } from "./odoo-change-feeds.ts";
import { createOdooClient, type OdooClient } from "./odoo-client.ts";
import type { OdooConnectionConfig } from "./odoo-connection.ts";
import { createOdooTarget, type OdooTarget } from "./odoo-target.ts";
import { createOdooWebhookHint, type OdooWebhookHint, type Wakeable } from "./odoo-webhook-hint.ts";

export interface OdooRuntime {
  readonly name: string;
  readonly client: OdooClient;
  readonly target: OdooTarget;
  readonly cache: MasterDataCache;
  readonly pollers: readonly ChangePoller[];
  /** Set when the gateway runs in this process. */
  readonly hint: OdooWebhookHint | undefined;
  readonly hintToken: { reveal(): string } | undefined;
  /** Resolves once the master data cache has loaded (retrying while Odoo is unreachable). */
  cacheReady(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

export interface OdooRuntimeOptions {
  name: string;
  config: OdooConnectionConfig;
  store: Store;
  clock: Clock;
  logger: StructuredLogger;
  roles: ReadonlySet<string>;
}

export function createOdooRuntime(options: OdooRuntimeOptions): OdooRuntime {
  const { name, config, store, clock, logger, roles } = options;
  const client = createOdooClient(config.client);
  const target = createOdooTarget({ client, maxBatch: config.maxBatch });
  const cache = createMasterDataCache({
    client,
    clock,
    overlapMs: config.poll.overlapMs,
    logger,
    ...(config.client.context === undefined ? {} : { context: config.client.context }),
  });
  const pollers =
    roles.has("scheduler") && config.poll.enabled
      ? odooChangeFeeds({ productCode: (id) => cache.productById(id)?.default_code ?? undefined })
          .filter((feed) => config.poll.feeds.includes(feed.name))
          .map((feed) =>
            createChangePoller({
              client,
              store,
              clock,
              connection: name,
              feed,
              overlapMs: config.poll.overlapMs,
              since: config.poll.since,
              logger,
              onStopped: (error) =>
                logger.error({ connection: name, feed: feed.name, error }, "Odoo change feed stopped"),
            }),
          )
      : [];
  const byModel: Record<string, Wakeable[]> = {};
  for (const poller of pollers) {
    const model = poller.key.split("/")[1] as string;
    const list = byModel[model] ?? [];
    list.push(poller);
    byModel[model] = list;
  }
  const hint = roles.has("gateway") ? createOdooWebhookHint({ feedsByModel: byModel, clock }) : undefined;
  let refreshTimer: ReturnType<typeof setInterval> | undefined;
  let stopped = false;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  return {
    name,
    client,
    target,
    cache,
    pollers,
    hint,
    hintToken: config.hintToken,
    start() {
      if (!roles.has("worker") && pollers.length === 0) return;
      // The cache serves lookups in flows; load it in the background so start is not held by Odoo,
      // and keep trying while Odoo is unreachable (flows wait on cacheReady()).
      void (async () => {
        while (!stopped) {
          try {
            await cache.load();
            markReady();
            // Pollers start once the cache is loaded: their events name products by SKU from it, and
            // a first poll from the beginning (an initial stock load) must not name them by Odoo id.
            for (const poller of pollers) poller.start({ intervalMs: config.poll.intervalMs });
            refreshTimer = setInterval(() => {
              cache
                .refresh()
                .catch((error: unknown) =>
                  logger.warn({ connection: name, error }, "Odoo cache refresh failed"),
                );
            }, config.cacheRefreshMs);
            refreshTimer.unref();
            return;
          } catch (error) {
            logger.warn({ connection: name, error }, "Odoo master data cache did not load; retrying in 5 s");
            await new Promise((resolve) => setTimeout(resolve, 5_000).unref());
          }
        }
      })();
    },
    cacheReady: () => ready,
    async stop() {
      stopped = true;
      if (refreshTimer) clearInterval(refreshTimer);
      hint?.close();
      await Promise.all(pollers.map((poller) => poller.stop()));
      await target.close();
    },
  };
}
