import { parseArgs } from "node:util";
import { startSandboxOdoo } from "./sandbox-odoo.ts";

/**
 * CLI: `node sandbox/odoo/main.ts --port 8069 --version 17` starts the sandbox Odoo and prints its URL,
 * databases and the admin API key. Stops on SIGINT/SIGTERM.
 */
const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8069" },
    host: { type: "string", default: "127.0.0.1" },
    version: { type: "string", default: "17" },
    db: { type: "string", multiple: true },
    "db-path": { type: "string" },
    seed: { type: "string", default: "demo" },
    products: { type: "string", default: "0" },
    workers: { type: "string", default: "4" },
    "latency-ms": { type: "string", default: "0" },
    help: { type: "boolean", short: "h" },
  },
});

if (values.help) {
  console.log(
    "usage: node sandbox/odoo/main.ts [--port 8069] [--host 127.0.0.1] [--version 16|17|18|19] [--db name]... " +
      "[--db-path file.sqlite] [--seed demo|empty] [--products N] [--workers 4] [--latency-ms 0]",
  );
  process.exit(0);
}

const version = Number(values.version);
if (![16, 17, 18, 19].includes(version)) {
  console.error(`--version must be 16, 17, 18 or 19 (got ${values.version})`);
  process.exit(2);
}
const databases = (values.db ?? ["crossdock"]).flatMap((d) => d.split(",")).filter(Boolean);
const odoo = await startSandboxOdoo({
  version: version as 16 | 17 | 18 | 19,
  port: Number(values.port),
  host: values.host,
  databases,
  ...(values["db-path"] ? { dbPath: values["db-path"] } : {}),
  seed: values.seed === "empty" ? "empty" : "demo",
  products: Number(values.products),
  workers: Number(values.workers),
  latency: { perCallMs: Number(values["latency-ms"]) },
});
console.log(`sandbox Odoo ${version}.0 listening on ${odoo.url}`);
console.log(`databases: ${databases.join(", ")}`);
console.log("login: admin / admin (uid 2), API key: sandbox-admin-key; demo / demo (uid 6, read-only)");
const stop = () => {
  odoo.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
