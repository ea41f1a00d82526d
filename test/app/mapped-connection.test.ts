/**
 * A user's JSONata mapping activated on a connection (`connections.<name>.mapping`): a JSON webhook
 * goes through the mapping file in `mappings/` beside the configuration, the output is checked against
 * the canonical model, and the order becomes `order.received` on its stream like any channel's; a body
 * the model refuses becomes an exception with the mapping's located reason; a mapping that does not
 * exist stops the hub at start with the connection named.
 */
import assert from "node:assert/strict";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { request } from "undici";
import { buildApp } from "../../src/app/build-app.ts";
import { loadConfig } from "../../src/app/load-config.ts";
import type { CrossdockError } from "../../src/core/errors.ts";
import { createSilentLogger } from "../../src/observability/logger.ts";
import { until } from "../support/until.ts";

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../src/mapping/fixtures/${name}`, import.meta.url));

test("a connection's JSONata mapping turns its webhooks into canonical orders", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "crossdock-mapped-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, "mappings"));
  await copyFile(fixture("webshop-order.v1.jsonata"), join(dir, "mappings", "webshop-order.v1.jsonata"));
  const write = (mapping: string) =>
    writeFile(
      join(dir, "crossdock.yaml"),
      `version: 1
store: { url: "sqlite:hub.db" }
server: { port: 0 }
workers: { pollIntervalMs: 10 }
connections:
  webshop: { type: webhook-json, mapping: ${mapping} }
`,
    );
  await write("webshop-order@7");
  await assert.rejects(
    buildApp({
      config: await loadConfig({ path: join(dir, "crossdock.yaml"), env: {} }),
      logger: createSilentLogger(),
    }),
    (error: CrossdockError) => {
      assert.equal(error.code, "CDK_CONFIG_INVALID");
      assert.match(error.message, /connections\.webshop\.mapping: .*webshop-order@7/);
      return true;
    },
  );
  await write("webshop-order@1");
  const app = await buildApp({
    config: await loadConfig({ path: join(dir, "crossdock.yaml"), env: {} }),
    logger: createSilentLogger(),
  });
  try {
    const { url } = await app.start();
    const body = await readFile(fixture("webshop-order.json"), "utf8");
    const post = async (text: string, id: string) => {
      const res = await request(`${url}/hooks/webshop`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-request-id": id },
        body: text,
      });
      await res.body.dump();
      return res.statusCode;
    };
    assert.equal(await post(body, "w-1"), 202);
    const bad = JSON.parse(body) as Record<string, unknown>;
    bad.currency = "euros";
    assert.equal(await post(JSON.stringify({ ...bad, id: 999 }), "w-2"), 202);
    await until("both processed", async () => {
      const status = await app.store.status();
      return status.queue.every((q) => q.ready + q.running === 0) && status.openExceptions === 1;
    });
    await app.store.events.subscribe("t.mapped", { types: ["order.received"], from: "beginning" });
    const [event] = await app.store.events.poll("t.mapped", 10);
    const data = event?.data as
      | { order?: { channel: string; lines: unknown[] }; mapping?: string }
      | undefined;
    assert.equal(data?.mapping, "webshop-order@1");
    assert.equal(data?.order?.channel, "webshop");
    assert.match(event?.stream ?? "", /^order:webshop:/);
    const [exception] = await app.store.exceptions.list({ status: "open" });
    assert.equal(exception?.error.code, "CDK_MAPPING_OUTPUT_INVALID");
    assert.match(exception?.error.message ?? "", /currency/);
  } finally {
    await app.stop();
  }
});
