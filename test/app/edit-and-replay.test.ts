/**
 * The operator's loop, end to end on a running hub: a malformed webhook becomes an exception with a
 * located reason; `crossdock exceptions show` shows the received body; `crossdock exceptions retry
 * --body-file` replays it with a corrected body (the received bytes stay as they arrived); the order
 * then reaches the warehouse once. The CLI runs against the same SQLite file while the hub runs.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { request } from "undici";
import { startRecorder } from "../../sandbox/recorder/recorder-server.ts";
import { buildApp } from "../../src/app/build-app.ts";
import { loadConfig } from "../../src/app/load-config.ts";
import { runCli } from "../../src/cli/main.ts";
import { createSilentLogger } from "../../src/observability/logger.ts";
import { until } from "../support/until.ts";

test("a malformed webhook is shown, corrected and replayed by a person, and delivered once", async () => {
  const dir = await mkdtemp(join(tmpdir(), "crossdock-replay-"));
  const warehouse = await startRecorder();
  const configFile = join(dir, "crossdock.yaml");
  await writeFile(
    configFile,
    `version: 1
store: { url: "sqlite:hub.db" }
server: { port: 0 }
workers: { pollIntervalMs: 10 }
connections:
  shop: { type: webhook-json, keyPointer: /name, deliverTo: [wms] }
  wms: { type: http, url: "${warehouse.url}" }
`,
  );
  const app = await buildApp({
    config: await loadConfig({ path: configFile, env: {} }),
    logger: createSilentLogger(),
  });
  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(["--config", configFile, ...argv], {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      env: {},
      cwd: dir,
    });
    return { code, out: out.join("\n"), err: err.join("\n") };
  };
  try {
    const { url } = await app.start();
    const malformed = '{"name": "#77", "lines": [ {"sku": "A", } ]}';
    const post = async (id: string, body: string) => {
      const res = await request(`${url}/hooks/shop`, {
        method: "POST",
        headers: { "content-type": "application/json", "webhook-id": id },
        body,
      });
      await res.body.dump();
      return res.statusCode;
    };
    assert.equal(await post("w-1", '{"name":"#76"}'), 202);
    assert.equal(await post("w-2", malformed), 202);
    await until(
      "the exception",
      async () => (await app.store.exceptions.list({ status: "open" })).length === 1,
    );
    const [record] = await app.store.exceptions.list({ status: "open" });
    assert.equal(record!.error.code, "CDK_DECODE_FAILED");
    assert.match(record!.error.message, /body line 1 column 41: invalid JSON/);

    const show = await cli("exceptions", "show", record!.id);
    assert.equal(show.code, 0, show.err);
    assert.ok(show.out.includes(malformed), "show prints the received body");

    const fixed = join(dir, "fixed.json");
    await writeFile(fixed, '{"name": "#77", "lines": [ {"sku": "A"} ]}');
    const wrongTarget = await cli("exceptions", "retry", record!.id, "--body-file", fixed, "--payload", "{}");
    assert.equal(wrongTarget.code, 2, "one edit option at a time");
    const retry = await cli("exceptions", "retry", record!.id, "--body-file", fixed, "--by", "ana");
    assert.equal(retry.code, 0, retry.err);
    app.worker?.wake();

    await until("the corrected order at the warehouse", () => warehouse.effects.has("shop:w-2:wms"));
    assert.deepEqual((warehouse.effects.get("shop:w-2:wms")!.body as { lines: unknown[] }).lines, [
      { sku: "A" },
    ]);
    assert.equal(warehouse.effects.size, 2);
    const message = (await app.store.inbox.list({ connection: "shop" })).find((m) => m.dedupeKey === "w-2");
    assert.equal(
      Buffer.from(message!.body).toString(),
      malformed,
      "the received bytes are kept as they arrived",
    );
    const after = await app.store.exceptions.get(record!.id);
    assert.equal(after!.status, "retried");
    assert.equal(after!.resolvedBy, "ana");
  } finally {
    await app.stop();
    await warehouse.close();
    await rm(dir, { recursive: true, force: true });
  }
});
