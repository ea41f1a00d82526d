/**
 * The demo's sandbox landscape, started in-process on the real clock: the sandbox Odoo (with a small
 * per-call latency, so batching is visible), the sandbox storefront (Shopify-like, its order webhooks
 * signed and sent to the hub's `/hooks/shop`), the sandbox 3PL (shipment callbacks to `/hooks/wms`,
 * Standard Webhooks signature), and the `crossdock.yaml` that wires the hub to them with
 * `flows.order-to-cash` on. The config and the sandbox credentials are written next to the store so a
 * person can read them and point other commands at the running demo.
 */
import { randomBytes } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { type SandboxOdoo, startSandboxOdoo } from "../../sandbox/odoo/sandbox-odoo.ts";
import {
  type SandboxStorefront,
  startSandboxStorefront,
} from "../../sandbox/storefront/sandbox-storefront.ts";
import {
  type SandboxWarehouse3pl,
  startSandboxWarehouse3pl,
} from "../../sandbox/warehouse3pl/sandbox-warehouse3pl.ts";
import { freePort } from "../core/free-port.ts";

/** Connection names in the generated config; the shop's name is also the orders' channel. */
export const DEMO_SHOP = "shop";
export const DEMO_ODOO = "erp";
export const DEMO_WMS = "wms";
/** The sandbox Odoo's admin API key (a simulator's published default, not a credential). */
const ODOO_KEY = "sandbox-admin-key";

export interface DemoLandscape {
  readonly hubUrl: string;
  readonly port: number;
  readonly configFile: string;
  readonly configText: string;
  readonly odoo: SandboxOdoo;
  readonly storefront: SandboxStorefront;
  readonly warehouse: SandboxWarehouse3pl;
  close(): Promise<void>;
}

export interface LandscapeOptions {
  dir: string;
  /** The hub's port; 0 picks a free one now (the simulators need the hub's address up front). */
  port: number;
  odooLatencyMs: number;
  /** Delay from a fulfilment request to its first shipment confirmation. */
  shipDelayMs: number;
  /** Retry schedule of the storefront's and the 3PL's webhooks (Shopify's own starts at 10 s). */
  webhookRetryMs: number;
  /** Share of webhooks the storefront and the 3PL deliver twice. */
  duplicateRate: number;
}

function configText(dir: string, port: number, odoo: string, shop: string, wms: string, hub: string): string {
  const secret = (name: string) => `file:${resolve(dir, "secrets", name)}`;
  return `# Written by \`crossdock demo\`: the hub on SQLite with the sandbox landscape, order-to-cash on.
# Orders placed in the sandbox storefront arrive as Shopify webhooks on /hooks/${DEMO_SHOP}, run through
# Odoo (${DEMO_ODOO}) and the 3PL (${DEMO_WMS}), whose shipment callbacks arrive on /hooks/${DEMO_WMS}.
# The secrets are the simulators' own, in files beside this one.
version: 1
environment: dev
store:
  url: sqlite:${resolve(dir, "crossdock.db")}
server:
  port: ${port}
log:
  level: info
workers:
  concurrency: 32
  leaseMs: 60000
  pollIntervalMs: 20
retry:
  initialIntervalMs: 500
  backoffCoefficient: 2
  maximumIntervalMs: 5000
  maximumAttempts: 12
connections:
  ${DEMO_ODOO}:
    type: odoo
    url: ${odoo}
    database: crossdock
    login: admin
    apiKey: ${secret("odoo-api-key")}
    poll: { enabled: false }
  ${DEMO_WMS}:
    type: warehouse-3pl
    url: ${wms}
    token: ${secret("wms-token")}
    callbackUrl: ${hub}/hooks/${DEMO_WMS}
    signature: { scheme: standard-webhooks, secret: ${secret("wms-callback-secret")} }
  ${DEMO_SHOP}:
    type: shopify
    shopUrl: ${shop}
    accessToken: ${secret("shop-access-token")}
    signature: { scheme: shopify, secret: ${secret("shop-webhook-secret")} }
flows:
  order-to-cash:
    odoo: ${DEMO_ODOO}
    warehouse: ${DEMO_WMS}
    channels:
      ${DEMO_SHOP}: { prepaid: true, tracking: ${DEMO_SHOP} }
    shippingProduct: DELIVERY_STD
    shipmentTimeoutHours: 48
    owner: demo@example.com
    criticality: high
`;
}

/**
 * Starts the simulators, writes `crossdock.yaml` and its secret files under `dir` (the store from a
 * previous run is removed first, so the counts are this run's). Everything started is closed by
 * `close()`, also when a later start fails.
 */
export async function startDemoLandscape(options: LandscapeOptions): Promise<DemoLandscape> {
  const { dir } = options;
  await mkdir(resolve(dir, "secrets"), { recursive: true, mode: 0o700 });
  for (const suffix of ["", "-wal", "-shm"]) await rm(resolve(dir, `crossdock.db${suffix}`), { force: true });
  const port = options.port === 0 ? await freePort() : options.port;
  const hubUrl = `http://127.0.0.1:${port}`;
  const retry = {
    initialIntervalMs: options.webhookRetryMs,
    backoffCoefficient: 2,
    maximumIntervalMs: options.webhookRetryMs * 8,
    maximumAttempts: 12,
  };
  const faults = { duplicateRate: options.duplicateRate, duplicateDelayMs: 500 };
  const started: { close(): Promise<void> }[] = [];
  try {
    const odoo = await startSandboxOdoo({ version: 17, latency: { perCallMs: options.odooLatencyMs } });
    started.push(odoo);
    const storefront = await startSandboxStorefront({
      rateLimit: false,
      webhooks: [
        { topic: "orders/create", address: `${hubUrl}/hooks/${DEMO_SHOP}` },
        { topic: "orders/cancelled", address: `${hubUrl}/hooks/${DEMO_SHOP}` },
      ],
      webhookRetry: retry,
      webhookFaults: faults,
      seed: 7,
    });
    started.push(storefront);
    const callbackSecret = `whsec_${randomBytes(32).toString("base64")}`;
    const warehouse = await startSandboxWarehouse3pl({
      callbackUrl: `${hubUrl}/hooks/${DEMO_WMS}`,
      callbackSecret,
      shipDelayMs: options.shipDelayMs,
      callbackRetry: retry,
      callbackFaults: faults,
      seed: 7,
    });
    started.push(warehouse);
    const secrets: Record<string, string> = {
      "odoo-api-key": ODOO_KEY,
      "wms-token": warehouse.apiKey,
      "wms-callback-secret": callbackSecret,
      "shop-access-token": storefront.accessToken,
      "shop-webhook-secret": storefront.apiSecret,
    };
    for (const [name, value] of Object.entries(secrets))
      await writeFile(resolve(dir, "secrets", name), value, { mode: 0o600 });
    const configFile = resolve(dir, "crossdock.yaml");
    const text = configText(dir, port, odoo.url, storefront.url, warehouse.url, hubUrl);
    await writeFile(configFile, text);
    return {
      hubUrl,
      port,
      configFile,
      configText: text,
      odoo,
      storefront,
      warehouse,
      async close() {
        for (const s of started.reverse()) await s.close().catch(() => {});
      },
    };
  } catch (error) {
    for (const s of started.reverse()) await s.close().catch(() => {});
    throw error;
  }
}
