/**
 * The built-in flows the configuration turns on, wired to their connections: for `flows.order-to-cash`,
 * the workflow with its Odoo, warehouse and channel ports, and the intake that starts a run per order.
 * Connection names were checked when the configuration loaded; what each connection must hold for the
 * flow (a warehouse's `url` and `callbackUrl`, a shop's `shopUrl` and `accessToken`) is checked here.
 */

import type { X12PartnerEnvelope } from "../connectors/edi-x12/x12-writer.ts";
import type { EdifactEnvelopeConfig } from "../connectors/edifact/edifact-writer.ts";
import type { OdooRuntime } from "../connectors/odoo/odoo-runtime.ts";
import { createEdiCustomerChannel, type EdiCustomerChannel } from "../connectors/sftp/edi-customer.ts";
import { createEdiSupplierPort } from "../connectors/sftp/edi-supplier.ts";
import { createEdiWarehouse } from "../connectors/sftp/edi-warehouse.ts";
import { createEdifactCustomerChannel } from "../connectors/sftp/edifact-customer.ts";
import { createShopifyChannel } from "../connectors/shopify/shopify-fulfillment.ts";
import { createHttpWarehouse } from "../connectors/warehouse3pl/http-warehouse.ts";
import type { Clock } from "../core/clock.ts";
import { CrossdockError } from "../core/errors.ts";
import type { StructuredLogger } from "../delivery/structured-logger.ts";
import { createOdooOrderPort } from "../flows/order-to-cash/odoo-order-port.ts";
import { createOrderIntake } from "../flows/order-to-cash/order-intake.ts";
import { createOrderToCash } from "../flows/order-to-cash/order-to-cash.ts";
import type { ChannelPort, WarehousePort } from "../flows/order-to-cash/order-to-cash-ports.ts";
import { createStoreAlerts } from "../flows/order-to-cash/store-alerts.ts";
import { createEventSupplierPort } from "../flows/procure-to-pay/event-supplier-port.ts";
import { createOdooPurchasePort } from "../flows/procure-to-pay/odoo-purchase-port.ts";
import { createProcureToPay } from "../flows/procure-to-pay/procure-to-pay.ts";
import type { SupplierPort } from "../flows/procure-to-pay/procure-to-pay-ports.ts";
import { createPurchaseIntake } from "../flows/procure-to-pay/purchase-intake.ts";
import { createOdooReturnPort } from "../flows/returns/odoo-return-port.ts";
import { createReturnIntake } from "../flows/returns/return-intake.ts";
import { createReturns } from "../flows/returns/returns.ts";
import { createStoreReturnEvents } from "../flows/returns/store-return-events.ts";
import { createEventRouter } from "../flows/routes/event-router.ts";
import type { SubscriptionLoop } from "../flows/subscription-loop.ts";
import type { WorkflowDefinition } from "../flows/workflow.ts";
import { isSecret } from "../security/secret-ref.ts";
import type { Store } from "../store/store.ts";
import type { SftpRuntime } from "./build-sftp.ts";
import type { ConnectionConfig, CrossdockConfig } from "./config-schema.ts";

export interface BuiltFlows {
  workflows: WorkflowDefinition[];
  /** The durable consumers that start runs (order.received, return.requested, purchase.requested). */
  intakes: SubscriptionLoop[];
  close(): Promise<void>;
}

interface FlowsOptions {
  config: CrossdockConfig;
  store: Store;
  clock: Clock;
  logger: StructuredLogger;
  odoo: ReadonlyMap<string, OdooRuntime>;
  sftp: ReadonlyMap<string, SftpRuntime>;
  onStarted: () => void;
}

/** The built-in flows the configuration turns on: order-to-cash, returns, procure-to-pay. */
export function buildFlows(options: FlowsOptions): BuiltFlows {
  const parts = [orderToCash(options), returns(options), procureToPay(options), routes(options)];
  return {
    workflows: parts.flatMap((p) => p.workflows),
    intakes: parts.flatMap((p) => p.intakes),
    async close() {
      await Promise.all(parts.map((p) => p.close()));
    },
  };
}

const NONE: BuiltFlows = { workflows: [], intakes: [], close: async () => {} };

function routes(options: FlowsOptions): BuiltFlows {
  const configured = Object.entries(options.config.flows.routes ?? {});
  if (configured.length === 0) return NONE;
  const router = createEventRouter({
    store: options.store,
    clock: options.clock,
    logger: options.logger,
    onEnqueued: options.onStarted,
    routes: configured.map(([name, r]) => ({
      name,
      on: r.on,
      deliver: r.deliver,
      mode: r.mode ?? "real-time",
      ...(r.when ? { when: r.when } : {}),
      ...(r.batch
        ? { batch: { everyMinutes: r.batch.everyMinutes, maxItems: r.batch.maxItems ?? 500 } }
        : {}),
      ...(r.slaMinutes === undefined ? {} : { slaMinutes: r.slaMinutes }),
    })),
  });
  const loop = {
    catchUp: () => router.consumer.catchUp(),
    start: (ms: number) => router.start(ms),
    wake: () => router.consumer.wake(),
    stop: () => router.stop(),
  };
  return { workflows: [], intakes: [loop], close: async () => {} };
}
const HOUR = 3_600_000;

function returns(options: FlowsOptions): BuiltFlows {
  const flow = options.config.flows.returns;
  if (!flow) return NONE;
  const runtime = options.odoo.get(flow.odoo) as OdooRuntime;
  const workflow = createReturns({
    odoo: createOdooReturnPort({ client: runtime.client }),
    events: createStoreReturnEvents(options.store),
    receiptTimeoutMs: (flow.receiptTimeoutHours ?? 14 * 24) * HOUR,
    ...(flow.approvalTimeoutHours === undefined
      ? {}
      : { approvalTimeoutMs: flow.approvalTimeoutHours * HOUR }),
  });
  const intake = createReturnIntake({
    store: options.store,
    logger: options.logger,
    channels: flow.channels,
    onStarted: options.onStarted,
  });
  return { workflows: [workflow as WorkflowDefinition], intakes: [intake], close: async () => {} };
}

/**
 * How each supplier gets its purchase orders: an X12 850 on its SFTP connection when it names one, else
 * a `purchase.ordered` event for its webhook subscription. The run key is `<supplier code>:<poNumber>`.
 */
function supplierPort(
  options: FlowsOptions,
  suppliers: Readonly<Record<string, { connection?: string }>>,
): SupplierPort {
  const events = createEventSupplierPort(options.store);
  const edi = new Map<string, SupplierPort>();
  for (const [code, supplier] of Object.entries(suppliers)) {
    const runtime = supplier.connection ? options.sftp.get(supplier.connection) : undefined;
    if (!runtime) continue;
    edi.set(
      code,
      createEdiSupplierPort({
        name: runtime.name,
        store: options.store,
        clock: options.clock,
        client: runtime.client,
        outbound: runtime.settings.outbound?.folder as string,
        envelope: runtime.settings.x12 as X12PartnerEnvelope,
      }),
    );
  }
  return {
    send(request, idempotencyKey) {
      const code = request.key.slice(0, request.key.indexOf(":"));
      return (edi.get(code) ?? events).send(request, idempotencyKey);
    },
  };
}

function procureToPay(options: FlowsOptions): BuiltFlows {
  const flow = options.config.flows["procure-to-pay"];
  if (!flow) return NONE;
  const runtime = options.odoo.get(flow.odoo) as OdooRuntime;
  const workflow = createProcureToPay({
    odoo: createOdooPurchasePort({ client: runtime.client }),
    supplier: supplierPort(options, flow.suppliers),
    ackTimeoutMs: (flow.ackTimeoutHours ?? 48) * HOUR,
    receiptTimeoutMs: (flow.receiptTimeoutHours ?? 30 * 24) * HOUR,
    ...(flow.approvalTimeoutHours === undefined
      ? {}
      : { approvalTimeoutMs: flow.approvalTimeoutHours * HOUR }),
  });
  const intake = createPurchaseIntake({
    store: options.store,
    logger: options.logger,
    suppliers: flow.suppliers,
    onStarted: options.onStarted,
  });
  return { workflows: [workflow as WorkflowDefinition], intakes: [intake], close: async () => {} };
}

function orderToCash(options: FlowsOptions): BuiltFlows {
  const o2c = options.config.flows["order-to-cash"];
  if (!o2c) return NONE;
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
  const customers = new Map<string, EdiCustomerChannel>();
  for (const [channel, policy] of Object.entries(o2c.channels)) {
    const edi = policy.edi ? options.sftp.get(policy.edi.connection) : undefined;
    if (policy.edi && edi) {
      const common = {
        name: policy.edi.connection,
        store: options.store,
        clock: options.clock,
        client: edi.client,
        outbound: edi.settings.outbound?.folder as string,
        ...(policy.edi.documents ? { documents: policy.edi.documents } : {}),
        ...(policy.edi.ackDeadlineHours === undefined
          ? {}
          : { ackDeadlineMs: policy.edi.ackDeadlineHours * 3_600_000 }),
      };
      // The connection's format decides the syntax: ORDRSP/DESADV/INVOIC or 855/856/810.
      customers.set(
        channel,
        edi.settings.format === "edifact"
          ? createEdifactCustomerChannel({
              ...common,
              envelope: edi.settings.edifact as EdifactEnvelopeConfig,
            })
          : createEdiCustomerChannel({ ...common, envelope: edi.settings.x12 as X12PartnerEnvelope }),
      );
    }
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
      connection: o2c.odoo,
      now: () => options.clock.now(),
      ...(o2c.shippingProduct ? { plan: { shippingProductSku: o2c.shippingProduct } } : {}),
    }),
    warehouse,
    channel: {
      async pushTracking(update, idempotencyKey) {
        await shops.get(update.order.channel)?.pushTracking(update, idempotencyKey);
        await customers.get(update.order.channel)?.pushTracking(update, idempotencyKey);
      },
      sends(order) {
        const documents = customers.get(order.channel)?.documents;
        return { acknowledgement: documents?.has("855") ?? false, invoice: documents?.has("810") ?? false };
      },
      async acknowledge(update, idempotencyKey) {
        await customers.get(update.order.channel)?.acknowledge(update, idempotencyKey);
      },
      async sendInvoices(update, idempotencyKey) {
        await customers.get(update.order.channel)?.sendInvoices(update, idempotencyKey);
      },
    },
    alerts: createStoreAlerts(options.store),
    shipmentTimeoutMs: (o2c.shipmentTimeoutHours ?? 48) * 3_600_000,
    ...(o2c.shipmentWarnHours === undefined ? {} : { shipmentWarnMs: o2c.shipmentWarnHours * 3_600_000 }),
  });
  const intake = createOrderIntake({
    store: options.store,
    logger: options.logger,
    channels: o2c.channels,
    onStarted: options.onStarted,
  });
  return {
    workflows: [workflow as WorkflowDefinition],
    intakes: [intake],
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
