/**
 * Crossdock for the intake benchmark, in its own process (so its RSS is its own and it can be killed):
 * the real composition root on a SQLite store (synchronous=FULL), with one `webhook-json` connection
 * verifying Shopify's signature. Roles come from the parent: `gateway` alone measures intake; all roles
 * add the workers that process what arrives, as the embedded mode runs it.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildApp } from "../../src/app/build-app.ts";
import { loadConfig } from "../../src/app/load-config.ts";
import { createSilentLogger } from "../../src/observability/logger.ts";
import { BENCH_SECRET } from "./shopify-order-body.ts";

process.once(
  "message",
  async (spec: {
    dir: string;
    roles: string[];
    port?: number;
    synchronous?: string;
    checkpoints?: string;
  }) => {
    const file = join(spec.dir, "crossdock.yaml");
    writeFileSync(
      file,
      `version: 1
store: { url: "sqlite:hub.db", synchronous: ${spec.synchronous ?? "full"}, checkpoints: ${spec.checkpoints ?? "background"} }
server: { port: ${spec.port ?? 0} }
connections:
  shop:
    type: webhook-json
    signature: { scheme: shopify, secret: env:SHOP_SECRET }
`,
    );
    const config = await loadConfig({ path: file, env: { SHOP_SECRET: BENCH_SECRET } });
    const app = await buildApp({
      config,
      logger: createSilentLogger(),
      roles: spec.roles as ("gateway" | "worker" | "scheduler")[],
    });
    const { url } = await app.start();
    process.send?.({ url });
    process.on("message", async (m) => {
      if (m === "stop") {
        await app.stop();
        process.exit(0);
      }
    });
  },
);
