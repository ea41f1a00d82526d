import { parseArgs } from "node:util";
import { startSandboxCarrier } from "./sandbox-carrier.ts";

/**
 * CLI: `node sandbox/carrier/main.ts --port 8083 --webhook http://127.0.0.1:3000/hooks/carrier --secret s`
 * starts the sandbox carrier on the system clock; `--step-ms` shortens every tracking step (default:
 * hours, as for a real parcel). Stops on SIGINT/SIGTERM.
 */
const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8083" },
    host: { type: "string", default: "127.0.0.1" },
    webhook: { type: "string" },
    secret: { type: "string" },
    "step-ms": { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});

if (values.help) {
  console.log(
    "usage: node sandbox/carrier/main.ts [--port 8083] [--host 127.0.0.1] [--webhook url] [--secret s] [--step-ms 10000]",
  );
  process.exit(0);
}

const step = values["step-ms"] === undefined ? undefined : Number(values["step-ms"]);
if (step !== undefined && !(step > 0)) {
  console.error(`--step-ms must be a positive number (got ${values["step-ms"]})`);
  process.exit(2);
}
const carrier = await startSandboxCarrier({
  port: Number(values.port),
  host: values.host,
  ...(values.webhook
    ? { webhooks: [{ url: values.webhook, ...(values.secret ? { secret: values.secret } : {}) }] }
    : {}),
  ...(step ? { timings: { pre_transit: step, in_transit: step, out_for_delivery: step } } : {}),
});
console.log(`sandbox carrier (an EasyPost-like simulator) listening on ${carrier.url}`);
console.log(`API key: ${carrier.apiKey} (HTTP Basic user name or Bearer)`);
const stop = () => {
  carrier.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
