import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ManualClock } from "../core/clock.ts";
import { createSequentialIds } from "../core/ids.ts";
import { createSilentLogger } from "../observability/logger.ts";
import { createHubMetrics } from "../observability/metrics.ts";
import { createSqliteStore } from "../store/sqlite/sqlite-store.ts";
import { buildServer } from "./build-server.ts";

test("an overloaded event loop sheds webhooks with 503 + Retry-After before reading them; health still answers", async () => {
  const dir = await mkdtemp(join(tmpdir(), "crossdock-shed-"));
  const store = await createSqliteStore({
    path: join(dir, "hub.db"),
    clock: new ManualClock(),
    ids: createSequentialIds(),
  });
  await store.migrate();
  const app = buildServer({
    store,
    logger: createSilentLogger(),
    metrics: createHubMetrics(store, { defaultMetrics: false }),
    inboundConnections: new Map([["shop", {}]]),
    maxBodyBytes: 4_096,
    maxEventLoopDelayMs: 100,
    loadSampleIntervalMs: 200,
  });
  try {
    await app.ready();
    // Block the loop well past the limit, then let one sample see it.
    const until = Date.now() + 400;
    while (Date.now() < until) {}
    await new Promise((resolve) => setTimeout(resolve, 20));
    const shed = await app.inject({
      method: "POST",
      url: "/hooks/shop",
      headers: { "content-type": "application/json" },
      payload: "{}",
    });
    assert.equal(shed.statusCode, 503);
    assert.equal(shed.headers["retry-after"], "1");
    assert.equal(shed.json().code, "CDK_INBOX_OVERLOADED");
    assert.equal((await store.inbox.list({})).length, 0, "nothing stored");
    const health = await app.inject({ method: "GET", url: "/healthz" });
    assert.equal(health.statusCode, 200);
    // Once the loop is calm again, intake resumes.
    await new Promise((resolve) => setTimeout(resolve, 600));
    const ok = await app.inject({
      method: "POST",
      url: "/hooks/shop",
      headers: { "content-type": "application/json", "webhook-id": "after" },
      payload: "{}",
    });
    assert.equal(ok.statusCode, 202);
  } finally {
    await app.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
