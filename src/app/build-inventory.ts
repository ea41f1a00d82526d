/**
 * The `inventory` section, running: the availability engine loaded from the store (its options saved
 * for `crossdock stock explain`), the stock feed fed by the event log, and the publisher telling each
 * channel its numbers through the channel's connection (Shopify at the channel's `location`: by
 * default one GraphQL `inventorySetQuantities` per batch of up to 250 SKUs, or with `api: rest` one
 * `inventory_levels/set` per SKU; WooCommerce stock by SKU). See docs/stock.md.
 *
 * One loop, every `publishIntervalMs` (default 1 s): the feed catches up with the log and takes the
 * Odoo sources' heartbeats, then the publisher makes one pass; every `fullEveryHours` (default 24; 0
 * off) the pass re-publishes everything. Feed and publisher share the in-memory inventory, so they run
 * one after the other, never at once.
 *
 * Roles: the scheduler only. The engine's state lives in memory, fed by one shared subscription: two
 * processes would each see part of the events and publish wrong numbers. Run one scheduler.
 *
 * Heartbeats: the stock feed takes an Odoo source's heartbeat from the quant poller's stored cursor,
 * which the poller writes only when a poll finds a change. With the poller in this process (scheduler
 * role), a poll that ended without error also counts: a quiet warehouse stays fresh.
 */
import type { ChangePoller } from "../connectors/odoo/change-poller.ts";
import { createShopifyChannelStock } from "../connectors/shopify/shopify-channel-stock.ts";
import { createShopifyGraphqlChannelStock } from "../connectors/shopify/shopify-graphql-channel-stock.ts";
import {
  createShopifyGraphqlClient,
  type ShopifyGraphqlClient,
} from "../connectors/shopify/shopify-graphql-client.ts";
import { createShopifyInventoryClient } from "../connectors/shopify/shopify-inventory-client.ts";
import { createShopifySkuIndex } from "../connectors/shopify/shopify-sku-index.ts";
import { createWooCommerceChannelStock } from "../connectors/woocommerce/woocommerce-channel-stock.ts";
import { createWooCommerceClient } from "../connectors/woocommerce/woocommerce-client.ts";
import type { Clock } from "../core/clock.ts";
import { CrossdockError } from "../core/errors.ts";
import { systemTimers, type Timers } from "../core/timers.ts";
import type { StructuredLogger } from "../delivery/structured-logger.ts";
import type { ChannelStockPort } from "../inventory/channel-stock-port.ts";
import type { Inventory } from "../inventory/inventory.ts";
import { loadInventory, persistInventory, saveInventoryOptions } from "../inventory/inventory-persistence.ts";
import { createStockFeed, type StockFeed } from "../inventory/stock-feed.ts";
import {
  type ChannelPassOutcome,
  createStockPublisher,
  type StockPublisher,
} from "../inventory/stock-publisher.ts";
import type { Store } from "../store/store.ts";
import type { CrossdockConfig } from "./config-schema.ts";

import { inventoryConfigProblems, inventoryOptionsOf } from "./inventory-config-problems.ts";

export {
  type InventoryProblem,
  inventoryConfigProblems,
  inventoryOptionsOf,
} from "./inventory-config-problems.ts";

export interface InventoryRuntime {
  readonly inventory: Inventory;
  readonly feed: StockFeed;
  readonly publisher: StockPublisher;
  /** Catch up, take heartbeats, publish: what the loop does each interval (waits for a running one). */
  tick(): Promise<ChannelPassOutcome[]>;
  start(): void;
  stop(): Promise<void>;
}

export interface BuildInventoryOptions {
  config: CrossdockConfig;
  store: Store;
  clock: Clock;
  logger: StructuredLogger;
  roles: ReadonlySet<string>;
  /** The Odoo runtimes by connection: their quant pollers give heartbeats. */
  odoo: ReadonlyMap<string, { readonly pollers: readonly ChangePoller[] }>;
  timers?: Timers;
}

const secret = (value: unknown) => value as { reveal(): string };

function channelPorts(config: CrossdockConfig, clock: Clock) {
  const section = config.inventory;
  const ports = new Map<string, ChannelStockPort>();
  const closers: (() => Promise<void>)[] = [];
  const shops = new Map<
    string,
    Parameters<typeof createShopifyChannelStock>[0] & { graphql: () => ShopifyGraphqlClient }
  >();
  for (const [channel, c] of Object.entries(section?.channels ?? {})) {
    const settings = config.connections[c.connection] as Record<string, unknown>;
    if (settings.type === "woocommerce") {
      const client = createWooCommerceClient({
        name: c.connection,
        storeUrl: String(settings.storeUrl),
        consumerKey: secret(settings.consumerKey),
        consumerSecret: secret(settings.consumerSecret),
        allowInsecureHttp: settings.allowInsecureHttp === true,
      });
      closers.push(() => client.close());
      ports.set(channel, createWooCommerceChannelStock({ client, clock }));
      continue;
    }
    let shop = shops.get(c.connection);
    if (!shop) {
      // One client and one index per shop: channels on one shop share its rate limit.
      const limits = (settings.inventory ?? {}) as Record<string, number | undefined>;
      const common = {
        name: c.connection,
        shopUrl: String(settings.shopUrl),
        accessToken: secret(settings.accessToken),
        apiVersion: typeof settings.apiVersion === "string" ? settings.apiVersion : "2024-10",
        clock,
        ...(limits.leakPerSecond === undefined ? {} : { leakPerSecond: limits.leakPerSecond }),
        ...(limits.headroom === undefined ? {} : { headroom: limits.headroom }),
      };
      const client = createShopifyInventoryClient({
        ...common,
        ...(limits.max429Retries === undefined ? {} : { max429Retries: limits.max429Retries }),
      });
      const index = createShopifySkuIndex({ ...common, sharedBucket: () => client.bucket() });
      closers.push(
        () => client.close(),
        () => index.close(),
      );
      // GraphQL has its own cost bucket per shop, apart from REST's; made for the first channel using it.
      let graphql: ShopifyGraphqlClient | undefined;
      const graphqlClient = () => {
        if (!graphql) {
          const made = createShopifyGraphqlClient(common);
          closers.push(() => made.close());
          graphql = made;
        }
        return graphql;
      };
      shop = { client, index, locationId: "", graphql: graphqlClient };
      shops.set(c.connection, shop);
    }
    const rest = createShopifyChannelStock({ ...shop, locationId: String(c.location) });
    ports.set(
      channel,
      c.api === "rest"
        ? rest
        : createShopifyGraphqlChannelStock({
            index: shop.index,
            client: shop.graphql(),
            locationId: String(c.location),
            fallback: rest, // items not yet stocked at the location: REST connects them
          }),
    );
  }
  const port: ChannelStockPort = {
    publish: (channel, updates) => (ports.get(channel) as ChannelStockPort).publish(channel, updates),
  };
  return { port, close: () => Promise.all(closers.map((close) => close())) };
}

/** The inventory runtime, or undefined when `inventory` is not configured or not this process's role. */
export async function buildInventory(options: BuildInventoryOptions): Promise<InventoryRuntime | undefined> {
  const { config, store, clock, logger } = options;
  const section = config.inventory;
  if (!section || !options.roles.has("scheduler")) return undefined;
  const problems = inventoryConfigProblems(section, config.connections);
  if (problems.length > 0) {
    const lines = problems.map((p) => `inventory.${p.path.join(".")}: ${p.message}`);
    throw new CrossdockError("CDK_CONFIG_INVALID", `${config.file}: ${lines.join("; ")}`, {
      details: { problems: lines },
    });
  }
  const inventoryOptions = inventoryOptionsOf(section);
  const inventory = (await loadInventory(store, inventoryOptions)) as Inventory;
  await store.transaction((tx) => saveInventoryOptions(tx, inventoryOptions));
  const odooSources = Object.entries(section.sources).filter(([, s]) => s.connection !== undefined);
  const feed = createStockFeed({
    store,
    inventory,
    clock,
    logger,
    odoo: Object.fromEntries(
      odooSources.map(([source, s]) => [s.connection as string, { source, locations: { ...s.locations } }]),
    ),
  });
  const channels = channelPorts(config, clock);
  const publisher = createStockPublisher({
    store,
    inventory,
    port: channels.port,
    clock,
    logger,
    fullEveryMs: (section.fullEveryHours ?? 24) * 3_600_000,
  });
  const timers = options.timers ?? systemTimers;
  const intervalMs = section.publishIntervalMs ?? 1_000;

  /** Sources whose quant poller (in this process) last ended a poll without error, and when it began. */
  const pollerBeats = (): [string, number][] =>
    odooSources.flatMap(([source, s]) => {
      const key = `${s.connection}/stock.quant/stock-quants`;
      const status = options.odoo
        .get(s.connection as string)
        ?.pollers.find((p) => p.key === key)
        ?.status();
      const ok = status?.state === "idle" && status.consecutiveFailures === 0;
      return ok && status.lastPollAt !== undefined ? [[source, status.lastPollAt] as [string, number]] : [];
    });

  async function once(): Promise<ChannelPassOutcome[]> {
    const beats = pollerBeats(); // read before catching up: the events of those polls are committed
    await feed.syncHeartbeats();
    for (const [source, at] of beats) inventory.state.setHeartbeat(source, Math.min(at, clock.now()));
    if (beats.length > 0) await persistInventory(store, inventory);
    return publisher.pass();
  }

  let chain: Promise<unknown> = Promise.resolve();
  let timer: unknown;
  let stopped = true;
  const tick = () => {
    const next = chain.then(once, once);
    chain = next.catch(() => undefined);
    return next;
  };
  const loop = () => {
    timer = timers.setTimeout(() => {
      timer = undefined;
      tick()
        .catch((error: unknown) => logger.warn({ error }, "inventory pass failed; next one in the interval"))
        .finally(() => {
          if (!stopped) loop();
        });
    }, intervalMs);
  };

  return {
    inventory,
    feed,
    publisher,
    tick,
    start() {
      if (!stopped) return;
      stopped = false;
      loop();
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) timers.clearTimeout(timer);
      await chain;
      await channels.close();
    },
  };
}
