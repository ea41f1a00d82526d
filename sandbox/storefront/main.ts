import { parseArgs } from "node:util";
import { startSandboxStorefront } from "./sandbox-storefront.ts";
import { isShopTopic } from "./shop-webhooks.ts";

/**
 * CLI: `node sandbox/storefront/main.ts --port 8081 --webhook orders/create=http://127.0.0.1:3000/hooks/shop`
 * starts the sandbox storefront on the system clock and prints its URL and credentials; `--orders N`
 * places N orders once started. Stops on SIGINT/SIGTERM.
 */
const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8081" },
    host: { type: "string", default: "127.0.0.1" },
    webhook: { type: "string", multiple: true },
    orders: { type: "string", default: "0" },
    "cancel-share": { type: "string", default: "0" },
    malformed: { type: "boolean", default: false },
    "duplicate-rate": { type: "string", default: "0" },
    "reorder-window-ms": { type: "string", default: "0" },
    seed: { type: "string", default: "1" },
    help: { type: "boolean", short: "h" },
  },
});

if (values.help) {
  console.log(
    "usage: node sandbox/storefront/main.ts [--port 8081] [--host 127.0.0.1] [--webhook topic=url]... " +
      "[--orders N] [--cancel-share 0.1] [--malformed] [--duplicate-rate 0.05] [--reorder-window-ms 2000] [--seed 1]",
  );
  process.exit(0);
}

const subscriptions: { topic: "orders/create"; address: string }[] = [];
for (const spec of values.webhook ?? []) {
  const [topic, address] = [spec.slice(0, spec.indexOf("=")), spec.slice(spec.indexOf("=") + 1)];
  if (!isShopTopic(topic) || !address) {
    console.error(`--webhook must be topic=url with a known topic (got ${spec})`);
    process.exit(2);
  }
  subscriptions.push({ topic: topic as "orders/create", address });
}
const store = await startSandboxStorefront({
  port: Number(values.port),
  host: values.host,
  webhooks: subscriptions,
  seed: Number(values.seed),
  webhookFaults: {
    duplicateRate: Number(values["duplicate-rate"]),
    reorderWindowMs: Number(values["reorder-window-ms"]),
  },
});
console.log(`sandbox storefront (a Shopify simulator) listening on ${store.url}`);
console.log(`admin API: ${store.adminUrl}  X-Shopify-Access-Token: ${store.accessToken}`);
console.log(`webhook secret: ${store.apiSecret}  shop: ${store.shopDomain}`);
const n = Number(values.orders);
if (n > 0) {
  const placed = store.placeOrders(n, {
    cancelShare: Number(values["cancel-share"]),
    malformed: values.malformed,
  });
  console.log(
    `placed ${placed.orders.length} orders, ${placed.cancelled.length} cancelled${placed.malformed ? ", 1 malformed" : ""}`,
  );
}
const stop = () => {
  store.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
