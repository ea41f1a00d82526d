import { parseArgs } from "node:util";
import { startSandboxMarketplace } from "./sandbox-marketplace.ts";

/**
 * CLI: `node sandbox/marketplace/main.ts --port 8084 --orders 50` starts the sandbox marketplace (a
 * simulator) on the system clock and prints its URL and credentials. Stops on SIGINT/SIGTERM.
 */
const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8084" },
    host: { type: "string", default: "127.0.0.1" },
    orders: { type: "string", default: "20" },
    "requests-per-second": { type: "string", default: "10" },
    burst: { type: "string", default: "20" },
    help: { type: "boolean", short: "h" },
  },
});

if (values.help) {
  console.log(
    "usage: node sandbox/marketplace/main.ts [--port 8084] [--host 127.0.0.1] [--orders 20] " +
      "[--requests-per-second 10] [--burst 20]",
  );
  process.exit(0);
}

const market = await startSandboxMarketplace({
  port: Number(values.port),
  host: values.host,
  orders: Number(values.orders),
  rateLimit: { requestsPerSecond: Number(values["requests-per-second"]), burst: Number(values.burst) },
});
const { oauth2, apiKey, basic } = market.credentials;
console.log(`sandbox marketplace (a simulator) listening on ${market.url}`);
console.log(
  `OAuth2 client credentials: POST ${market.tokenUrl} client_id=${oauth2?.clientId} client_secret=${oauth2?.clientSecret}`,
);
console.log(`or ${apiKey?.header}: ${apiKey?.value}, or Basic ${basic?.username}:${basic?.password}`);
const stop = () => {
  market.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
