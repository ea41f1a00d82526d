import { parseArgs } from "node:util";
import { startSandboxWarehouse3pl } from "./sandbox-warehouse3pl.ts";

/**
 * CLI: `node sandbox/warehouse3pl/main.ts --port 8082 --callback http://127.0.0.1:3000/hooks/3pl` starts
 * the sandbox 3PL on the system clock and prints its URL, API key and callback secret. Stops on
 * SIGINT/SIGTERM.
 */
const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8082" },
    host: { type: "string", default: "127.0.0.1" },
    callback: { type: "string" },
    "ship-delay-ms": { type: "string", default: "60000" },
    stock: { type: "string", multiple: true },
    help: { type: "boolean", short: "h" },
  },
});

if (values.help) {
  console.log(
    "usage: node sandbox/warehouse3pl/main.ts [--port 8082] [--host 127.0.0.1] [--callback url] " +
      "[--ship-delay-ms 60000] [--stock SKU=qty]...",
  );
  process.exit(0);
}

const stock: Record<string, number> = {};
for (const spec of values.stock ?? []) {
  const [sku, qty] = spec.split("=");
  if (!sku || !/^\d+$/.test(qty ?? "")) {
    console.error(`--stock must be SKU=quantity (got ${spec})`);
    process.exit(2);
  }
  stock[sku] = Number(qty);
}
const wh = await startSandboxWarehouse3pl({
  port: Number(values.port),
  host: values.host,
  ...(values.callback ? { callbackUrl: values.callback } : {}),
  shipDelayMs: Number(values["ship-delay-ms"]),
  stock,
});
console.log(`sandbox 3PL (a warehouse simulator) listening on ${wh.url}`);
console.log(`Authorization: Bearer ${wh.apiKey}  callback secret: ${wh.callbackSecret}`);
const stop = () => {
  wh.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
