import { hostname } from "node:os";
import { dirname, join } from "node:path";
import type { FastifyInstance } from "fastify";
import { API_ORDERS_TYPE, apiOrdersConnector } from "../connectors/api/api-orders-connector.ts";
import { EASYPOST_TYPE, easypostConnector } from "../connectors/carrier/easypost-connector.ts";
import type { ConnectionSettings, DeliveryTarget, InboundConnector } from "../connectors/connector.ts";
import { createHttpTarget, HTTP_TARGET_TYPE } from "../connectors/http/http-target.ts";
import { createInboxProcessor } from "../connectors/inbox-processor.ts";
import { createMappedJsonConnector } from "../connectors/json/mapped-json-connector.ts";
import { WEBHOOK_JSON_TYPE } from "../connectors/json/webhook-json-connector.ts";
import { ODOO_CONNECTION_TYPE, parseOdooConnection } from "../connectors/odoo/odoo-connection.ts";
import { createOdooRuntime, type OdooRuntime } from "../connectors/odoo/odoo-runtime.ts";
import { REST_CONNECTION_TYPE } from "../connectors/rest/rest-connection.ts";
import { createRestInboundConnector } from "../connectors/rest/rest-inbound-connector.ts";
import { partnerFileConnector } from "../connectors/sftp/partner-file-connector.ts";
import { SFTP_CONNECTION_TYPE } from "../connectors/sftp/sftp-connection.ts";
import { SHOPIFY_TYPE, shopifyWebhookConnector } from "../connectors/shopify/shopify-webhook-connector.ts";
import {
  WAREHOUSE_3PL_TYPE,
  warehouseShipmentConnector,
} from "../connectors/warehouse3pl/warehouse-shipment-connector.ts";
import {
  WOOCOMMERCE_TYPE,
  woocommerceWebhookConnector,
} from "../connectors/woocommerce/woocommerce-webhook-connector.ts";
import { type Clock, systemClock } from "../core/clock.ts";
import { CrossdockError } from "../core/errors.ts";
import { createIdGenerator, type IdGenerator } from "../core/ids.ts";
import { deliveryHandler, type JobHandler } from "../delivery/job-handler.ts";
import { createWorker, type Worker } from "../delivery/worker.ts";
import { hubWorkerMetrics } from "../delivery/worker-metrics.ts";
import {
  createWorkflowEngine,
  type WorkflowDefinition,
  type WorkflowEngine,
} from "../flows/workflow-engine.ts";
import { createApiPlugin } from "../gateway/api/api-plugin.ts";
import { createIdempotencySweeper } from "../gateway/api/idempotency-sweeper.ts";
import { API_ORDERS_CONNECTION } from "../gateway/api/order-routes.ts";
import { createStockLevelsProjection } from "../gateway/api/stock-levels-projection.ts";
import { createIdentityGateway, type IdentityGateway } from "../gateway/auth/identity-gateway.ts";
import { buildServer } from "../gateway/build-server.ts";
import { type HookEndpoint, JSON_MEDIA_TYPES } from "../gateway/hooks-routes.ts";
import { connectionVerifier } from "../gateway/signatures/create-webhook-verifier.ts";
import { resolveConnectionMappings } from "../mapping/connection-mappings.ts";
import { createMappingCatalog } from "../mapping/mapping-catalog.ts";
import { createLogger, type Logger } from "../observability/logger.ts";
import { createHubMetrics, type HubMetrics } from "../observability/metrics.ts";
import { isSecret } from "../security/secret-ref.ts";
import { INBOX_TARGET, type Store, WORKFLOW_TARGET } from "../store/store.ts";
import { createWebhooksOut, WEBHOOK_HANDLER_KEY, type WebhooksOut } from "../webhooks-out/webhooks-out.ts";
import { buildFlows } from "./build-flows.ts";
import { buildInventory, type InventoryRuntime } from "./build-inventory.ts";
import { buildProductSync } from "./build-product-sync.ts";
import { buildRest } from "./build-rest.ts";
import { buildSftp } from "./build-sftp.ts";
import type { CrossdockConfig } from "./config-schema.ts";
import { openStore } from "./open-store.ts";

const VERSION = "0.1.0";

export type Role = "gateway" | "worker" | "scheduler";
export const ALL_ROLES: readonly Role[] = ["gateway", "worker", "scheduler"];

export interface AppOptions {
  config: CrossdockConfig;
  roles?: readonly Role[];
  logger?: Logger;
  clock?: Clock;
  ids?: IdGenerator;
  /** Workflows this process can run (the flows issue registers the built-ins). */
  workflows?: readonly WorkflowDefinition[];
  /** Extra job handlers by target, e.g. a test target. They win over configured connections. */
  handlers?: Readonly<Record<string, JobHandler>>;
  /** Extra inbound connectors by type. */
  inboundConnectors?: readonly InboundConnector[];
}

export interface App {
  readonly config: CrossdockConfig;
  readonly store: Store;
  readonly logger: Logger;
  readonly metrics: HubMetrics;
  readonly engine: WorkflowEngine;
  readonly server: FastifyInstance | undefined;
  readonly worker: Worker | undefined;
  /** Machine identities, API keys and the audit queue (gateway role). */
  readonly identities: IdentityGateway | undefined;
  /** Outbound webhook subscriptions, dispatcher and delivery. */
  readonly webhooks: WebhooksOut;
  /** Each `odoo` connection's client, target, cache and pollers, by connection name. */
  readonly odoo: ReadonlyMap<string, OdooRuntime>;
  /** Stock availability published to channels (`inventory` configured, scheduler role). */
  readonly inventory: InventoryRuntime | undefined;
  /** Starts listening and working; resolves with the bound HTTP address (if the gateway role runs). */
  start(): Promise<{ url: string | undefined }>;
  /** Stops intake first, then lets in-flight jobs finish (up to `graceMs`), then closes the store. */
  stop(graceMs?: number): Promise<void>;
}

function outboundTargets(config: CrossdockConfig, clock: Clock): Map<string, DeliveryTarget> {
  const targets = new Map<string, DeliveryTarget>();
  for (const [name, connection] of Object.entries(config.connections)) {
    if (connection.type !== HTTP_TARGET_TYPE) continue;
    const token = connection.token;
    targets.set(
      name,
      createHttpTarget(
        {
          name,
          url: String(connection.url),
          token: isSecret(token) ? token : undefined,
          connections: config.targets[name]?.concurrency ?? 8,
        },
        () => clock.now(),
      ),
    );
  }
  return targets;
}

/**
 * The composition root: configuration in, a running hub out. Everything is wired here by hand
 * (no container), so each dependency is visible and replaceable in tests.
 */
export async function buildApp(options: AppOptions): Promise<App> {
  const { config } = options;
  const roles = new Set(options.roles ?? ALL_ROLES);
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? createIdGenerator(clock);
  const logger =
    options.logger ?? createLogger({ level: config.log.level, base: { env: config.environment } });
  const store = await openStore(config, { clock, ids, logger });
  const metrics = createHubMetrics(store);

  // `connections.<name>.mapping`: the pinned mapping each JSON connection's bodies go through.
  const mapped = await resolveConnectionMappings(
    config.connections,
    createMappingCatalog({ dir: join(dirname(config.file), "mappings"), clock }),
  );
  if (mapped.problems.length > 0) {
    throw new CrossdockError(
      "CDK_CONFIG_INVALID",
      `${config.file}: ${mapped.problems.map((p) => `${p.path.join(".")}: ${p.message}`).join("; ")}`,
      { details: { problems: mapped.problems } },
    );
  }
  const inbound = new Map<string, InboundConnector>([
    [WEBHOOK_JSON_TYPE, createMappedJsonConnector(mapped.mappings)],
    [API_ORDERS_TYPE, apiOrdersConnector],
    [WAREHOUSE_3PL_TYPE, warehouseShipmentConnector],
    [SHOPIFY_TYPE, shopifyWebhookConnector],
    [EASYPOST_TYPE, easypostConnector],
    [partnerFileConnector.type, partnerFileConnector],
    [REST_CONNECTION_TYPE, createRestInboundConnector(mapped.mappings)],
    [WOOCOMMERCE_TYPE, woocommerceWebhookConnector],
  ]);
  for (const connector of options.inboundConnectors ?? []) inbound.set(connector.type, connector);
  // Orders submitted through the REST API arrive on their own built-in connection.
  const connections: Readonly<Record<string, ConnectionSettings>> = {
    [API_ORDERS_CONNECTION]: { type: API_ORDERS_TYPE },
    ...(config.connections as Readonly<Record<string, ConnectionSettings>>),
  };
  const processInbox = createInboxProcessor({
    store,
    connectors: inbound,
    connections,
    retryFor: (target) => config.targets[target]?.retry,
  });
  const targets = outboundTargets(config, clock);

  const handlers: Record<string, JobHandler> = {
    [INBOX_TARGET]: async (job) => processInbox(job),
  };
  for (const [name, target] of targets) handlers[name] = deliveryHandler(target);
  const odoo = new Map<string, OdooRuntime>();
  const targetConfigs = { ...config.targets };
  for (const [name, connection] of Object.entries(config.connections)) {
    if (connection.type !== ODOO_CONNECTION_TYPE) continue;
    const settings = parseOdooConnection(name, connection);
    const runtime = createOdooRuntime({ name, config: settings, store, clock, logger, roles });
    odoo.set(name, runtime);
    handlers[name] = runtime.target.handler;
    // Jobs wait in the batcher, not at Odoo: let a batch's worth be in flight so batches can form.
    // The client's own budget (maxInFlight) is what limits calls to Odoo.
    targetConfigs[name] ??= {
      concurrency: settings.maxBatch * 2,
      timeoutMs: (settings.client.timeoutMs ?? 60_000) * 4,
      retry: config.retry,
    };
  }
  // Outbound webhooks: the dispatcher turns events into deliveries; the worker sends them.
  let wakeWorker = () => {};
  // Built-in flows the configuration turns on (order-to-cash), over the Odoo runtimes above.
  // SFTP partners: their inbound folders are polled by the scheduler (or a single all-roles process).
  const sftp = buildSftp({ config, store, clock, logger });
  for (const [name, handler] of sftp.handlers) handlers[name] = handler;
  // REST channels without a built-in connector: their orders endpoints are polled by the scheduler.
  const rest = buildRest({ config, store, clock, logger });
  const productSync = buildProductSync({ config, store, clock, logger });
  const flows = buildFlows({
    config,
    store,
    clock,
    logger,
    odoo,
    sftp: sftp.runtimes,
    onStarted: () => wakeWorker(),
  });
  // Stock availability: feed, engine and publisher to the channels (scheduler role).
  const inventory = await buildInventory({ config, store, clock, logger, roles, odoo });
  const engine = createWorkflowEngine({
    store,
    clock,
    logger,
    workflows: [...flows.workflows, ...(options.workflows ?? [])],
  });
  handlers[WORKFLOW_TARGET] = engine.handler;
  const webhooks: WebhooksOut = createWebhooksOut({
    store,
    clock,
    ids,
    logger,
    urlPolicy: { allowPrivateNetworks: config.webhooks.allowPrivateNetworks },
    onEnqueued: () => wakeWorker(),
  });
  handlers[WEBHOOK_HANDLER_KEY] = webhooks.delivery.handler;
  Object.assign(handlers, options.handlers);

  const worker = roles.has("worker")
    ? createWorker({
        store,
        clock,
        logger,
        workerId: `${hostname()}:${process.pid}`,
        handlers,
        targets: targetConfigs,
        concurrency: config.workers.concurrency,
        leaseMs: config.workers.leaseMs,
        pollIntervalMs: config.workers.pollIntervalMs,
        metrics: hubWorkerMetrics(metrics),
      })
    : undefined;

  const inboundConnections = new Map<string, HookEndpoint>();
  for (const [name, c] of Object.entries(connections)) {
    // Files from SFTP and orders from REST channels come through their pollers only: no webhook endpoint.
    if (!inbound.has(c.type) || c.type === SFTP_CONNECTION_TYPE || c.type === REST_CONNECTION_TYPE) continue;
    const verifier = connectionVerifier(name, c, clock);
    inboundConnections.set(name, {
      ...(verifier ? { verifier } : {}),
      ...(c.type === WEBHOOK_JSON_TYPE ? { mediaTypes: JSON_MEDIA_TYPES } : {}),
    });
  }
  const identities: IdentityGateway | undefined = roles.has("gateway")
    ? createIdentityGateway({ store, clock, ids, logger })
    : undefined;
  const stockLevels = roles.has("worker") ? createStockLevelsProjection({ store, clock, logger }) : undefined;
  const idempotencySweeper = roles.has("scheduler")
    ? createIdempotencySweeper({ store, clock, logger })
    : undefined;
  const server = identities
    ? buildServer({
        store,
        plugins: [
          identities.auditPlugin,
          createApiPlugin({
            store,
            clock,
            authenticator: identities.authenticator,
            documented: [identities.adminRoutes, webhooks.adminRoutes(identities.authenticator)],
            onAppended: () => worker?.wake(),
            version: VERSION,
          }),
        ],
        wakeHints: new Map(
          [...odoo.values()]
            .filter((runtime) => runtime.hint !== undefined)
            .map((runtime) => [
              runtime.name,
              { hint: runtime.hint as NonNullable<OdooRuntime["hint"]>, token: runtime.hintToken },
            ]),
        ),
        logger,
        metrics,
        inboundConnections,
        maxBodyBytes: config.store.maxMessageBytes,
        isReady: () => worker === undefined || worker.running,
        onAppended: () => worker?.wake(),
      })
    : undefined;

  return {
    config,
    store,
    logger,
    metrics,
    engine,
    server,
    worker,
    odoo,
    inventory,
    identities,
    webhooks,
    async start() {
      worker?.start();
      if (worker) wakeWorker = () => worker.wake();
      stockLevels?.start(1_000);
      idempotencySweeper?.start();
      if (roles.has("worker") || roles.has("scheduler")) await webhooks.dispatcher.start();
      if (roles.has("worker") || roles.has("scheduler"))
        for (const intake of flows.intakes) intake.start(500);
      for (const runtime of odoo.values()) runtime.start();
      if (roles.has("scheduler")) sftp.start();
      inventory?.start();
      if (roles.has("scheduler")) rest.start();
      if (roles.has("scheduler")) productSync.start();
      if (roles.has("worker") || roles.has("scheduler")) sftp.startRouting();
      if (!server) return { url: undefined };
      const address = await server.listen({ host: config.server.host, port: config.server.port });
      logger.info({ url: address, store: config.store.displayUrl, roles: [...roles] }, "crossdock started");
      return { url: address };
    },
    async stop(graceMs = 10_000) {
      await server?.close();
      await sftp.stop();
      await inventory?.stop();
      await rest.stop();
      await productSync.stop();
      await identities?.auditQueue.drain();
      await webhooks.dispatcher.stop();
      await Promise.all(flows.intakes.map((intake) => intake.stop()));
      await worker?.stop({ graceful: true, timeoutMs: graceMs });
      await webhooks.delivery.close();
      await flows.close();
      await stockLevels?.stop();
      await idempotencySweeper?.stop();
      await Promise.all([...targets.values()].map((t) => t.close?.()));
      await Promise.all([...odoo.values()].map((runtime) => runtime.stop()));
      await store.close();
      logger.info({}, "crossdock stopped");
    },
  };
}
