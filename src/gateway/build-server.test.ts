import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { ManualClock } from "../core/clock.ts";
import { createSequentialIds } from "../core/ids.ts";
import { createSilentLogger } from "../observability/logger.ts";
import { createHubMetrics } from "../observability/metrics.ts";
import { createSqliteStore } from "../store/sqlite/sqlite-store.ts";
import type { Store } from "../store/store.ts";
import { buildServer } from "./build-server.ts";
import { createHmacVerifier } from "./signatures/hmac-verifier.ts";

let dir: string;
let store: Store;
let app: FastifyInstance;
let appended = 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "crossdock-gateway-"));
  store = await createSqliteStore({
    path: join(dir, "hub.db"),
    clock: new ManualClock(),
    ids: createSequentialIds(),
    config: { maxMessageBytes: 2_048 },
  });
  await store.migrate();
  app = buildServer({
    store,
    logger: createSilentLogger(),
    metrics: createHubMetrics(store, { defaultMetrics: false }),
    inboundConnections: new Map([
      ["shop", undefined],
      ["signed", { verifier: createHmacVerifier({ secrets: [{ reveal: () => "s3cret" }] }) }],
    ]),
    maxBodyBytes: 2_048,
    onAppended: () => appended++,
  });
});
after(async () => {
  await app.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

function hook(body: string | Buffer, headers: Record<string, string> = {}) {
  return app.inject({
    method: "POST",
    url: "/hooks/shop",
    headers: { "content-type": "application/json", ...headers },
    payload: body,
  });
}

test("a webhook is acknowledged 202 after it is stored, with its raw bytes and no credentials", async () => {
  const body = '{"name":"#1001",  "note":"spacing kept"}';
  const res = await hook(body, { "webhook-id": "evt-1", authorization: "Bearer secret-token" });
  assert.equal(res.statusCode, 202);
  const receipt = res.json() as { id: string; duplicate: boolean };
  assert.equal(receipt.duplicate, false);
  const stored = await store.inbox.get(receipt.id);
  assert.equal(Buffer.from(stored!.body).toString(), body);
  assert.equal(stored!.dedupeKey, "evt-1");
  assert.equal(stored!.headers.authorization, undefined);
  assert.equal(appended, 1);
});

test("the same webhook delivered again gets 200 with the first receipt and stores nothing", async () => {
  const first = (await hook('{"a":1}', { "webhook-id": "evt-dup" })).json() as { id: string };
  const again = await hook('{"a":1}', { "webhook-id": "evt-dup" });
  assert.equal(again.statusCode, 200);
  assert.deepEqual((again.json() as { id: string }).id, first.id);
  const all = await store.inbox.list({ connection: "shop" });
  assert.equal(all.filter((m) => m.dedupeKey === "evt-dup").length, 1);
});

test("without a sender id the body hash deduplicates", async () => {
  const a = await hook('{"same":true}');
  const b = await hook('{"same":true}');
  assert.equal(a.statusCode, 202);
  assert.equal(b.statusCode, 200);
});

test("a body over the limit is refused 413 with a problem document and not stored", async () => {
  const before = (await store.inbox.list()).length;
  const res = await hook(`{"big":"${"x".repeat(4_000)}"}`, { "webhook-id": "big-1" });
  assert.equal(res.statusCode, 413);
  assert.equal(res.headers["content-type"], "application/problem+json; charset=utf-8");
  const problem = res.json() as { code: string; detail: string };
  assert.equal(problem.code, "CDK_HTTP_BODY_TOO_LARGE");
  assert.match(problem.detail, /2048 bytes/);
  assert.equal((await store.inbox.list()).length, before);
});

test("an unknown connection is 404 and an empty body is 400, both with catalogue codes", async () => {
  const unknown = await app.inject({
    method: "POST",
    url: "/hooks/nope",
    payload: "{}",
    headers: { "content-type": "application/json" },
  });
  assert.equal(unknown.statusCode, 404);
  assert.equal((unknown.json() as { code: string }).code, "CDK_HTTP_NOT_FOUND");
  const empty = await app.inject({
    method: "POST",
    url: "/hooks/shop",
    headers: { "content-type": "application/json" },
  });
  assert.equal(empty.statusCode, 400);
  assert.equal((empty.json() as { code: string }).code, "CDK_INBOX_INVALID_MESSAGE");
});

test("binary and odd content types are stored as bytes: decoding is the connector's job", async () => {
  const bytes = Buffer.from([0, 255, 1, 254, 10]);
  const res = await hook(bytes, { "content-type": "application/octet-stream", "webhook-id": "bin-1" });
  assert.equal(res.statusCode, 202);
  const stored = await store.inbox.get((res.json() as { id: string }).id);
  assert.deepEqual(Buffer.from(stored!.body), bytes);
});

test("health, readiness and metrics answer", async () => {
  assert.equal((await app.inject({ url: "/healthz" })).statusCode, 200);
  const ready = await app.inject({ url: "/readyz" });
  assert.equal(ready.statusCode, 200);
  const metrics = await app.inject({ url: "/metrics" });
  assert.match(metrics.body, /crossdock_inbox_appends_total\{connection="shop",result="stored"\} \d+/);
  assert.match(metrics.body, /crossdock_queue_depth\{target="crossdock.inbox",status="ready"\} \d+/);
});

test("a signed connection stores only bodies whose HMAC matches; forged and missing ones are 401", async () => {
  const body = '{"name":"#S1"}';
  const good = createHmac("sha256", "s3cret").update(body).digest("hex");
  const send = (headers: Record<string, string>) =>
    app.inject({
      method: "POST",
      url: "/hooks/signed",
      payload: body,
      headers: { "content-type": "application/json", ...headers },
    });
  const before = (await store.inbox.list({ connection: "signed" })).length;
  const missing = await send({ "webhook-id": "s-1" });
  assert.equal(missing.statusCode, 401);
  assert.equal((missing.json() as { code: string }).code, "CDK_HTTP_SIGNATURE_INVALID");
  const forged = await send({ "webhook-id": "s-1", "x-crossdock-signature": `sha256=${"0".repeat(64)}` });
  assert.equal(forged.statusCode, 401);
  const short = await send({ "webhook-id": "s-1", "x-crossdock-signature": "abc" });
  assert.equal(short.statusCode, 401);
  assert.equal(
    (await store.inbox.list({ connection: "signed" })).length,
    before,
    "refused requests stored nothing",
  );
  const ok = await send({ "webhook-id": "s-1", "x-crossdock-signature": `sha256=${good}` });
  assert.equal(ok.statusCode, 202);
});
