/**
 * `POST /hooks/<connection>` with signed connections of every scheme: refusals are 401 with a reason
 * and store nothing (asserted on the store), valid deliveries are stored once per provider id, the
 * Standard Webhooks replay window works as documented, and limits, media types and invalid JSON behave
 * as the route's contract says. Mostly in-process (`inject`), a few over a real socket, and once
 * through `buildApp` from a configuration file's text.
 */
import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { Webhook } from "standardwebhooks";
import { request } from "undici";
import { buildApp } from "../app/build-app.ts";
import { parseConfig } from "../app/load-config.ts";
import { webhookJsonConnector } from "../connectors/json/webhook-json-connector.ts";
import { ManualClock } from "../core/clock.ts";
import { createSequentialIds } from "../core/ids.ts";
import { createSilentLogger } from "../observability/logger.ts";
import { createHubMetrics } from "../observability/metrics.ts";
import { createSqliteStore } from "../store/sqlite/sqlite-store.ts";
import type { Store } from "../store/store.ts";
import { buildServer } from "./build-server.ts";
import { type HookEndpoint, JSON_MEDIA_TYPES } from "./hooks-routes.ts";
import { createWebhookVerifier } from "./signatures/create-webhook-verifier.ts";
import type { SignatureConfig } from "./signatures/signature-config.ts";

const LIMIT = 16_384;
const NOW = Date.UTC(2026, 0, 1);
const WHSEC = `whsec_${randomBytes(32).toString("base64")}`;
const secret = (value: string) => ({ reveal: () => value });

let dir: string;
let store: Store;
let app: FastifyInstance;
const clock = new ManualClock(NOW);

const signed: Record<string, SignatureConfig> = {
  shopify: { scheme: "shopify", secrets: [secret("shpss_new"), secret("shpss_old")] },
  woo: { scheme: "woocommerce", secrets: [secret("wc_secret")] },
  standard: { scheme: "standard-webhooks", secrets: [secret(WHSEC)] },
  easypost: { scheme: "easypost", secrets: [secret("sécret")] },
  github: { scheme: "hmac", secrets: [secret("gh")], header: "x-hub-signature-256", prefix: "sha256=" },
};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "crossdock-hooks-"));
  store = await createSqliteStore({
    path: join(dir, "hub.db"),
    clock,
    ids: createSequentialIds(),
    config: { maxMessageBytes: LIMIT },
  });
  await store.migrate();
  const endpoints = new Map<string, HookEndpoint>(
    Object.entries(signed).map(([name, config]) => [
      name,
      { verifier: createWebhookVerifier(config, clock), mediaTypes: JSON_MEDIA_TYPES },
    ]),
  );
  endpoints.set("open", { mediaTypes: JSON_MEDIA_TYPES });
  app = buildServer({
    store,
    logger: createSilentLogger(),
    metrics: createHubMetrics(store, { defaultMetrics: false }),
    inboundConnections: endpoints,
    maxBodyBytes: LIMIT,
  });
});
after(async () => {
  await app.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const b64 = (key: string, body: string) => createHmac("sha256", key).update(body).digest("base64");
const hex = (key: string, body: string) => createHmac("sha256", key).update(body).digest("hex");
const stored = async () => (await store.inbox.list()).length;

function post(connection: string, body: string | Buffer, headers: Record<string, string> = {}) {
  return app.inject({
    method: "POST",
    url: `/hooks/${connection}`,
    headers: { "content-type": "application/json", ...headers },
    payload: body,
  });
}

function swHeaders(id: string, body: string, atMs = clock.now()): Record<string, string> {
  const signature = new Webhook(WHSEC).sign(id, new Date(atMs), body);
  return {
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(atMs / 1_000)),
    "webhook-signature": signature,
  };
}

/** Sends and expects 401 with CDK_HTTP_SIGNATURE_INVALID, a reason matching `why`, and nothing stored. */
async function refused(
  connection: string,
  body: string | Buffer,
  headers: Record<string, string>,
  why: RegExp,
) {
  const before = await stored();
  const res = await post(connection, body, headers);
  assert.equal(res.statusCode, 401, res.body);
  assert.equal(res.headers["content-type"], "application/problem+json; charset=utf-8");
  const problem = res.json() as { code: string; detail: string };
  assert.equal(problem.code, "CDK_HTTP_SIGNATURE_INVALID");
  assert.match(problem.detail, why);
  assert.equal(await stored(), before, `nothing stored for ${connection}: ${problem.detail}`);
  return problem.detail;
}

describe("refusals: 401, a reason, nothing stored", () => {
  const body = '{"id":1,"name":"#1001"}';

  test("missing signatures, for every scheme", async () => {
    await refused("shopify", body, { "x-shopify-webhook-id": "m-1" }, /x-shopify-hmac-sha256 is missing/);
    await refused("woo", body, {}, /x-wc-webhook-signature is missing/);
    await refused(
      "standard",
      body,
      { "webhook-id": "m", "webhook-timestamp": String(NOW / 1_000) },
      /webhook-signature is missing/,
    );
    await refused("easypost", body, {}, /x-hmac-signature is missing/);
    await refused("github", body, {}, /x-hub-signature-256 is missing/);
  });

  test("forged signatures (wrong secret, other body), and the expected one is never disclosed", async () => {
    const detail = await refused(
      "shopify",
      body,
      { "x-shopify-hmac-sha256": b64("guess", body) },
      /does not match the body/,
    );
    assert.ok(!detail.includes(b64("shpss_new", body)) && !detail.includes(b64("shpss_old", body)));
    await refused("woo", body, { "x-wc-webhook-signature": b64("wc_secret", `${body} `) }, /does not match/);
    await refused(
      "easypost",
      body,
      { "x-hmac-signature": `hmac-sha256-hex=${hex("secret", body)}` },
      /does not match/,
    );
    await refused("github", body, { "x-hub-signature-256": `sha256=${hex("gh", "{}")}` }, /does not match/);
    const other = new Webhook(`whsec_${randomBytes(32).toString("base64")}`).sign("m", new Date(NOW), body);
    await refused(
      "standard",
      body,
      { ...swHeaders("m", body), "webhook-signature": other },
      /none of the 1 v1 signatures/,
    );
  });

  test("malformed and hostile headers and bodies", async () => {
    await refused("shopify", body, { "x-shopify-hmac-sha256": "%%%" }, /is not the base64/);
    await refused("shopify", body, { "x-shopify-hmac-sha256": "A".repeat(3_000) }, /longer than 2048/);
    await refused("github", body, { "x-hub-signature-256": "sha256=\u00ff\u00fe" }, /is not/);
    await refused(
      "standard",
      body,
      { ...swHeaders("m", body), "webhook-timestamp": "soon" },
      /whole seconds/,
    );
    await refused(
      "standard",
      body,
      { ...swHeaders("m", body), "webhook-signature": "v1a,xyz" },
      /no well-formed v1/,
    );
    const garbage = randomBytes(4_096);
    await refused(
      "shopify",
      garbage,
      { "x-shopify-hmac-sha256": b64("x", "y"), "content-type": "application/octet-stream" },
      /does not match/,
    );
  });

  test("expired and future Standard Webhooks messages", async () => {
    const old = swHeaders("m-old", body, NOW - 301_000);
    await refused("standard", body, old, /301 s old, beyond the 300 s tolerance/);
    await refused("standard", body, swHeaders("m-new", body, NOW + 400_000), /400 s in the future/);
  });

  test("a refused request is counted in the metrics as rejected", async () => {
    const metrics = await app.inject({ url: "/metrics" });
    assert.match(
      metrics.body,
      /crossdock_inbox_appends_total\{connection="shopify",result="rejected"\} [1-9]/,
    );
  });
});

describe("valid deliveries: stored once per provider id", () => {
  test("each scheme is acknowledged 202 with its provider id as the dedupe key, and 200 for the same delivery again", async () => {
    const cases: [string, string, Record<string, string>, string][] = [
      [
        "shopify",
        '{"id":11}',
        {
          "x-shopify-hmac-sha256": b64("shpss_old", '{"id":11}'),
          "x-shopify-webhook-id": "sh-11",
          "x-request-id": "r",
        },
        "sh-11",
      ],
      [
        "woo",
        '{"id":12}',
        { "x-wc-webhook-signature": b64("wc_secret", '{"id":12}'), "x-wc-webhook-delivery-id": "wc-12" },
        "wc-12",
      ],
      ["standard", '{"id":13}', swHeaders("msg_13", '{"id":13}'), "msg_13"],
      [
        "easypost",
        '{"id":"evt_14","object":"Event"}',
        {
          "x-hmac-signature": `hmac-sha256-hex=${hex("sécret".normalize("NFKD"), '{"id":"evt_14","object":"Event"}')}`,
        },
        "evt_14",
      ],
      [
        "github",
        '{"id":15}',
        { "x-hub-signature-256": `sha256=${hex("gh", '{"id":15}')}`, "idempotency-key": "gh-15" },
        "gh-15",
      ],
    ];
    for (const [connection, body, headers, key] of cases) {
      const first = await post(connection, body, headers);
      assert.equal(first.statusCode, 202, `${connection}: ${first.body}`);
      const receipt = first.json() as { id: string; duplicate: boolean };
      const message = await store.inbox.get(receipt.id);
      assert.equal(message?.dedupeKey, key);
      assert.equal(Buffer.from(message?.body ?? []).toString(), body, "raw bytes kept");
      const again = await post(connection, body, headers);
      assert.equal(again.statusCode, 200);
      assert.deepEqual(again.json(), { ...receipt, duplicate: true });
      assert.equal((await store.inbox.list({ connection })).filter((m) => m.dedupeKey === key).length, 1);
    }
  });

  test("Shopify without a webhook id falls back to the event id, then to the body hash", async () => {
    const body = '{"id":21}';
    const res = await post("shopify", body, {
      "x-shopify-hmac-sha256": b64("shpss_new", body),
      "x-shopify-event-id": "ev-21",
    });
    assert.equal((await store.inbox.get((res.json() as { id: string }).id))?.dedupeKey, "ev-21");
    const bare = '{"id":22}';
    const res2 = await post("shopify", bare, { "x-shopify-hmac-sha256": b64("shpss_new", bare) });
    assert.match(
      (await store.inbox.get((res2.json() as { id: string }).id))?.dedupeKey ?? "",
      /^sha256:[0-9a-f]{64}$/,
    );
  });

  test("twenty concurrent deliveries of one webhook make one inbox record", async () => {
    const body = '{"id":31,"name":"#1031"}';
    const headers = { "x-shopify-hmac-sha256": b64("shpss_new", body), "x-shopify-webhook-id": "sh-31" };
    const answers = await Promise.all(Array.from({ length: 20 }, () => post("shopify", body, headers)));
    const statuses = answers.map((r) => r.statusCode);
    assert.deepEqual(
      [statuses.filter((s) => s === 202).length, statuses.filter((s) => s === 200).length],
      [1, 19],
    );
    assert.equal(new Set(answers.map((r) => (r.json() as { id: string }).id)).size, 1);
    assert.equal(
      (await store.inbox.list({ connection: "shopify" })).filter((m) => m.dedupeKey === "sh-31").length,
      1,
    );
  });

  test("Standard Webhooks replay: inside the tolerance a duplicate (200, nothing stored), beyond it 401", async () => {
    const body = '{"id":41}';
    const headers = swHeaders("msg_41", body);
    assert.equal((await post("standard", body, headers)).statusCode, 202);
    const count = await stored();
    clock.advance(299_000);
    const replay = await post("standard", body, headers);
    assert.equal(replay.statusCode, 200);
    assert.equal((replay.json() as { duplicate: boolean }).duplicate, true);
    assert.equal(await stored(), count);
    clock.advance(2_000);
    await refused("standard", body, headers, /301 s old/);
    clock.set(NOW);
  });

  test("WooCommerce's unsigned setup ping is answered exactly 200 and stores nothing", async () => {
    const before = await stored();
    const res = await post("woo", "webhook_id=17", { "content-type": "application/x-www-form-urlencoded" });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { ping: true });
    assert.equal(await stored(), before);
  });
});

describe("limits, media types and invalid JSON", () => {
  test("a body over the limit is 413 before any signature work, and not stored", async () => {
    const before = await stored();
    const big = `{"x":"${"a".repeat(LIMIT)}"}`;
    const res = await post("shopify", big, { "x-shopify-hmac-sha256": b64("shpss_new", big) });
    assert.equal(res.statusCode, 413);
    assert.equal((res.json() as { code: string }).code, "CDK_HTTP_BODY_TOO_LARGE");
    assert.equal(await stored(), before);
  });

  test("a webhook-json connection refuses non-JSON media types with 415; JSON types and no type pass", async () => {
    const before = await stored();
    for (const type of [
      "text/xml",
      "application/x-www-form-urlencoded",
      "text/plain; charset=utf-8",
      "multipart/form-data; boundary=x",
    ]) {
      const res = await post("open", '{"a":1}', { "content-type": type, "webhook-id": `ct-${type}` });
      assert.equal(res.statusCode, 415, type);
      const problem = res.json() as { code: string; detail: string };
      assert.equal(problem.code, "CDK_HTTP_UNSUPPORTED_MEDIA_TYPE");
      assert.match(problem.detail, /expected application\/json or a \+json type/);
    }
    assert.equal(await stored(), before);
    for (const type of [
      "application/json; charset=utf-8",
      "Application/JSON",
      "application/cloudevents+json",
    ]) {
      assert.equal(
        (await post("open", '{"a":2}', { "content-type": type, "webhook-id": `ok-${type}` })).statusCode,
        202,
        type,
      );
    }
    const untyped = await app.inject({
      method: "POST",
      url: "/hooks/open",
      payload: '{"a":3}',
      headers: { "webhook-id": "no-type" },
    });
    assert.equal(untyped.statusCode, 202);
  });

  test("a signed body that is not valid JSON is stored raw; decoding reports where it breaks", async () => {
    const body = '{"name": "#77", "lines": [ {"sku": "A", } ]}';
    const res = await post("shopify", body, {
      "x-shopify-hmac-sha256": b64("shpss_new", body),
      "x-shopify-webhook-id": "bad-json",
    });
    assert.equal(res.statusCode, 202);
    const message = await store.inbox.get((res.json() as { id: string }).id);
    assert.ok(message);
    const outcome = webhookJsonConnector.decode(message, "shopify", { type: "webhook-json" });
    assert.equal(outcome.ok, false);
    assert.match(outcome.ok ? "" : outcome.error.message, /body line 1 column 41: invalid JSON/);
  });
});

test("over a real socket: signed, forged and duplicate deliveries", async () => {
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  const send = async (headers: Record<string, string>, body: string) => {
    const res = await request(`${url}/hooks/shopify`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });
    return {
      status: res.statusCode,
      json: (await res.body.json()) as { code?: string; duplicate?: boolean },
    };
  };
  const body = JSON.stringify({ id: 51, note: "ünïcödé" });
  const good = { "x-shopify-hmac-sha256": b64("shpss_new", body), "x-shopify-webhook-id": "sock-51" };
  const before = await stored();
  assert.equal((await send({ ...good, "x-shopify-hmac-sha256": b64("nope", body) }, body)).status, 401);
  assert.equal(await stored(), before);
  assert.equal((await send(good, body)).status, 202);
  const again = await send(good, body);
  assert.deepEqual([again.status, again.json.duplicate], [200, true]);
  assert.equal(await stored(), before + 1);
});

test("buildApp wires the signature settings from the configuration", async () => {
  const appDir = await mkdtemp(join(tmpdir(), "crossdock-hooks-app-"));
  const config = parseConfig(
    `version: 1
store: { url: "sqlite:${join(appDir, "hub.db")}" }
connections:
  shop: { type: webhook-json, signature: { scheme: shopify, secrets: [env:SHOP_NEW, env:SHOP_OLD] } }
  legacy: { type: webhook-json, secret: env:SHOP_OLD, signatureEncoding: base64 }
  open: { type: webhook-json }
`,
    { file: join(appDir, "crossdock.yaml"), env: { SHOP_NEW: "n3w", SHOP_OLD: "0ld" }, environment: "test" },
  );
  const hub = await buildApp({ config, roles: ["gateway"], logger: createSilentLogger() });
  try {
    const server = hub.server as FastifyInstance;
    const inject = (connection: string, headers: Record<string, string>, body = '{"id":61}') =>
      server.inject({
        method: "POST",
        url: `/hooks/${connection}`,
        payload: body,
        headers: { "content-type": "application/json", ...headers },
      });
    assert.equal(
      (await inject("shop", { "x-shopify-hmac-sha256": b64("0ld", '{"id":61}') })).statusCode,
      202,
    );
    assert.equal(
      (await inject("shop", { "x-shopify-hmac-sha256": b64("other", '{"id":61}') })).statusCode,
      401,
    );
    assert.equal(
      (await inject("legacy", { "x-crossdock-signature": `sha256=${b64("0ld", '{"id":61}')}` })).statusCode,
      202,
    );
    assert.equal((await inject("legacy", {})).statusCode, 401);
    assert.equal((await inject("open", { "content-type": "text/csv" })).statusCode, 415);
    assert.equal((await inject("open", {})).statusCode, 202);
  } finally {
    await hub.stop(0);
    await rm(appDir, { recursive: true, force: true });
  }
});
