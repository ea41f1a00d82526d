/**
 * The built-in flows the configuration turns on, wired to their connections: for `flows.order-to-cash`,
 * the workflow with its Odoo, warehouse and channel ports, and the intake that starts a run per order.
 * Connection names were checked when the configuration loaded; what each connection must hold for the
 * flow (a warehouse's `url` and `callbackUrl`, a shop's `shopUrl` and `accessToken`) is checked here.
 */

import type { X12PartnerEnvelope } from "../connectors/edi-x12/x12-writer.ts";
import type { OdooRuntime } from "../connectors/odoo/odoo-runtime.ts";
import { createEdiWarehouse } from "../connectors/sftp/edi-warehouse.ts";
import { createShopifyChannel } from "../connectors/shopify/shopify-fulfillment.ts";
import { createHttpWarehouse } from "../connectors/warehouse3pl/http-warehouse.ts";
import type { Clock } from "../core/clock.ts";
import { CrossdockError } from "../core/errors.ts";
import type { StructuredLogger } from "../delivery/structured-logger.ts";
import { createOdooOrderPort } from "../flows/order-to-cash/odoo-order-port.ts";
import { createOrderIntake } from "../flows/order-to-cash/order-intake.ts";
import { createOrderToCash } from "../flows/order-to-cash/order-to-cash.ts";
import type { ChannelPort, WarehousePort } from "../flows/order-to-cash/order-to-cash-ports.ts";
import type { SubscriptionLoop } from "../flows/subscription-loop.ts";
import type { WorkflowDefinition } from "../flows/workflow.ts";
import { isSecret } from "../security/secret-ref.ts";
import type { Store } from "../store/store.ts";
import type { SftpRuntime } from "./build-sftp.ts";
import type { ConnectionConfig, CrossdockConfig } from "./config-schema.ts";

export interface BuiltFlows {
  workflows: WorkflowDefinition[];
  intake: SubscriptionLoop | undefined;
  close(): Promise<void>;
}

export function buildFlows(options: {
  config: CrossdockConfig;
  store: Store;
  clock: Clock;
  logger: StructuredLogger;
  odoo: ReadonlyMap<string, OdooRuntime>;
  sftp: ReadonlyMap<string, SftpRuntime>;
  onStarted: () => void;
}): BuiltFlows {
  const o2c = options.config.flows["order-to-cash"];
  if (!o2c) return { workflows: [], intake: undefined, close: async () => {} };
  const runtime = options.odoo.get(o2c.odoo) as OdooRuntime;
  const closers: (() => Promise<void>)[] = [];
  const edi = options.sftp.get(o2c.warehouse);
  let warehouse: WarehousePort;
  if (edi) {
    warehouse = createEdiWarehouse({
      name: o2c.warehouse,
      store: options.store,
      clock: options.clock,
      client: edi.client,
      outbound: edi.settings.outbound?.folder as string,
      envelope: edi.settings.x12 as X12PartnerEnvelope,
      ...(edi.settings.warehouse ? { warehouse: edi.settings.warehouse } : {}),
    });
  } else {
    const http = httpWarehouse(o2c.warehouse, options.config.connections[o2c.warehouse] as ConnectionConfig);
    closers.push(() => http.close());
    warehouse = http;
  }
  const shops = new Map<string, ChannelPort>();
  for (const [channel, policy] of Object.entries(o2c.channels)) {
    if (!policy.tracking) continue;
    const shop = shopifyChannel(
      policy.tracking,
      options.config.connections[policy.tracking] as ConnectionConfig,
    );
    closers.push(() => shop.close());
    shops.set(channel, shop);
  }
  const workflow = createOrderToCash({
    odoo: createOdooOrderPort({
      client: runtime.client,
      lookups: runtime.cache,
      ready: () => runtime.cacheReady(),
      batches: runtime.target.batches,
      ...(o2c.shippingProduct ? { plan: { shippingProductSku: o2c.shippingProduct } } : {}),
    }),
    warehouse,
    channel: {
      async pushTracking(update, idempotencyKey) {
        await shops.get(update.order.channel)?.pushTracking(update, idempotencyKey);
      },
    },
    shipmentTimeoutMs: (o2c.shipmentTimeoutHours ?? 48) * 3_600_000,
  });
  const intake = createOrderIntake({
    store: options.store,
    logger: options.logger,
    channels: o2c.channels,
    onStarted: options.onStarted,
  });
  return {
    workflows: [workflow as WorkflowDefinition],
    intake,
    async close() {
      await Promise.all(closers.map((close) => close()));
    },
  };
}

function text(connection: ConnectionConfig, name: string, field: string): string {
  const value = connection[field];
  if (typeof value === "string" && value !== "") return value;
  throw new CrossdockError(
    "CDK_CONFIG_INVALID",
    `connection ${name}: ${field} is required by flows.order-to-cash (got ${value === undefined ? "nothing" : typeof value})`,
    { details: { connection: name, field } },
  );
}

function httpWarehouse(name: string, connection: ConnectionConfig) {
  const token = connection.token;
  return createHttpWarehouse({
    name,
    url: text(connection, name, "url"),
    callbackUrl: text(connection, name, "callbackUrl"),
    ...(isSecret(token) ? { token } : {}),
    ...(typeof connection.carrier === "string" ? { carrier: connection.carrier } : {}),
    ...(typeof connection.service === "string" ? { service: connection.service } : {}),
  });
}

function shopifyChannel(name: string, connection: ConnectionConfig) {
  const accessToken = connection.accessToken;
  if (!isSecret(accessToken)) {
    throw new CrossdockError(
      "CDK_CONFIG_INVALID",
      `connection ${name}: accessToken must be a secret reference`,
      {
        details: { connection: name, field: "accessToken" },
      },
    );
  }
  return createShopifyChannel({
    name,
    shopUrl: text(connection, name, "shopUrl"),
    accessToken,
    apiVersion: typeof connection.apiVersion === "string" ? connection.apiVersion : "2024-10",
  });
}
