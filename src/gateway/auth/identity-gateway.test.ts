import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { ManualClock } from "../../core/clock.ts";
import { createIdGenerator } from "../../core/ids.ts";
import { createSilentLogger } from "../../observability/logger.ts";
import { createHubMetrics } from "../../observability/metrics.ts";
import { createSqliteStore } from "../../store/sqlite/sqlite-store.ts";
import type { Store } from "../../store/store.ts";
import { createApiPlugin } from "../api/api-plugin.ts";
import { buildServer } from "../build-server.ts";
import { createIdentityGateway, type IdentityGateway } from "./identity-gateway.ts";

const ADMIN = "/api/v1/admin/identities";
const MINUTE = 60_000;

let dir: string;
let store: Store;
let clock: ManualClock;
let gateway: IdentityGateway;
let app: FastifyInstance;
let adminKey: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "crossdock-idgw-"));
  clock = new ManualClock(Date.parse("2026-12-02T08:00:00Z"));
  const ids = createIdGenerator(clock);
  store = await createSqliteStore({ path: join(dir, "hub.db"), clock, ids });
  await store.migrate();
  gateway = createIdentityGateway({ store, clock, ids, logger: createSilentLogger(), cacheTtlMs: 5_000 });
  app = buildServer({
    store,
    logger: createSilentLogger(),
    metrics: createHubMetrics(store, { defaultMetrics: false }),
    inboundConnections: new Map(),
    maxBodyBytes: 1024 * 1024,
    maxEventLoopDelayMs: 0,
    plugins: [
      gateway.auditPlugin,
      createApiPlugin({
        store,
        clock,
        authenticator: gateway.authenticator,
        version: "test",
        documented: [gateway.adminRoutes],
      }),
    ],
  });
  await app.ready();
  adminKey = (await gateway.service.create({ name: "ops", scopes: ["admin:identities"] }, "cli:test")).apiKey;
});
afterEach(async () => {
  await app.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function createPartner(body: Record<string, unknown> = {}) {
  const response = await app.inject({
    method: "POST",
    url: ADMIN,
    headers: bearer(adminKey),
    payload: { name: "shop", scopes: ["stock:read"], ...body },
  });
  assert.equal(response.statusCode, 201, response.body);
  return response.json() as {
    identity: { id: string; keys: { keyId: string }[] };
    apiKey: string;
    keyId: string;
  };
}

/** A call that needs `stock:read` (the REST API's stock route). */
const stock = (headers: Record<string, string>) =>
  app.inject({ method: "GET", url: "/api/v1/stock?sku=SKU1", headers });

describe("authentication", () => {
  test("no key, a malformed key, an unknown key or a wrong secret: 401 with WWW-Authenticate", async () => {
    const partner = await createPartner();
    const wrongSecret = `${partner.apiKey.slice(0, -4)}AAAA`;
    const cases: [Record<string, string>, string, string][] = [
      [{}, "CDK_AUTH_REQUIRED", 'Bearer realm="crossdock"'],
      [bearer("not-a-key"), "CDK_AUTH_INVALID", 'Bearer realm="crossdock", error="invalid_token"'],
      [
        { authorization: "Basic dXNlcjpwYXNz" },
        "CDK_AUTH_INVALID",
        'Bearer realm="crossdock", error="invalid_token"',
      ],
      [
        bearer(`cdk_0000000000000000_${"a".repeat(43)}`),
        "CDK_AUTH_INVALID",
        'Bearer realm="crossdock", error="invalid_token"',
      ],
      [bearer(wrongSecret), "CDK_AUTH_INVALID", 'Bearer realm="crossdock", error="invalid_token"'],
      [
        { "x-api-key": "x".repeat(8_000) },
        "CDK_AUTH_INVALID",
        'Bearer realm="crossdock", error="invalid_token"',
      ],
    ];
    for (const [headers, code, challenge] of cases) {
      const response = await stock(headers);
      assert.equal(response.statusCode, 401);
      assert.equal(response.json().code, code);
      assert.equal(response.headers["www-authenticate"], challenge);
      assert.equal(response.headers["content-type"], "application/problem+json; charset=utf-8");
    }
    assert.equal((await stock({ "x-api-key": partner.apiKey })).statusCode, 200, "X-Api-Key works too");
    assert.equal((await stock(bearer(partner.apiKey))).statusCode, 200, "authenticated");
  });

  test("an identity without the scope gets 403", async () => {
    const response = await stock(bearer(adminKey));
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().code, "CDK_AUTH_FORBIDDEN");
    const partner = await createPartner();
    const admin = await app.inject({ method: "GET", url: ADMIN, headers: bearer(partner.apiKey) });
    assert.equal(admin.statusCode, 403);
  });

  test("expired, revoked, disabled and deleted keys stop working", async () => {
    const expiring = await createPartner({ keyExpiresAt: new Date(clock.now() + MINUTE).toISOString() });
    assert.equal((await stock(bearer(expiring.apiKey))).statusCode, 200);
    clock.advance(MINUTE);
    const expired = await stock(bearer(expiring.apiKey));
    assert.equal(expired.statusCode, 401);
    assert.match(expired.json().detail, /expired/);

    const revoked = await createPartner();
    const revoke = await app.inject({
      method: "DELETE",
      url: `${ADMIN}/${revoked.identity.id}/keys/${revoked.keyId}`,
      headers: bearer(adminKey),
    });
    assert.equal(revoke.statusCode, 200);
    assert.equal(revoke.json().keys[0].status, "revoked");
    assert.match((await stock(bearer(revoked.apiKey))).json().detail, /revoked/);

    const disabled = await createPartner();
    await stock(bearer(disabled.apiKey));
    await app.inject({
      method: "PATCH",
      url: `${ADMIN}/${disabled.identity.id}`,
      headers: bearer(adminKey),
      payload: { disabled: true },
    });
    assert.match(
      (await stock(bearer(disabled.apiKey))).json().detail,
      /disabled/,
      "the cache was invalidated",
    );

    const deleted = await createPartner();
    await stock(bearer(deleted.apiKey));
    const del = await app.inject({
      method: "DELETE",
      url: `${ADMIN}/${deleted.identity.id}`,
      headers: bearer(adminKey),
    });
    assert.equal(del.statusCode, 204);
    assert.equal((await stock(bearer(deleted.apiKey))).statusCode, 401);
  });

  test("changes by another process apply once the cache TTL has passed", async () => {
    const partner = await createPartner();
    assert.equal((await stock(bearer(partner.apiKey))).statusCode, 200);
    // Another process (the CLI) revokes the key straight in the store: no invalidation here.
    const other = createIdentityGateway({
      store,
      clock,
      ids: createIdGenerator(clock),
      logger: createSilentLogger(),
    });
    await other.service.revokeKey(partner.identity.id, partner.keyId, "cli:other");
    clock.advance(4_999);
    assert.equal((await stock(bearer(partner.apiKey))).statusCode, 200, "cached for up to the TTL");
    clock.advance(1);
    assert.equal((await stock(bearer(partner.apiKey))).statusCode, 401, "reloaded after the TTL");
    const scoped = await createPartner();
    await stock(bearer(scoped.apiKey));
    await other.service.update(scoped.identity.id, { scopes: [] }, "cli:other");
    assert.equal((await stock(bearer(scoped.apiKey))).statusCode, 200, "cached for up to the TTL");
    clock.advance(5_000);
    assert.equal((await stock(bearer(scoped.apiKey))).statusCode, 403, "after the TTL the new scopes apply");
  });

  test("rotation: both keys work during the window, only the new one after it", async () => {
    const partner = await createPartner();
    const rotate = await app.inject({
      method: "POST",
      url: `${ADMIN}/${partner.identity.id}/keys`,
      headers: bearer(adminKey),
      payload: { windowSeconds: 3_600 },
    });
    assert.equal(rotate.statusCode, 201, rotate.body);
    const rotated = rotate.json();
    assert.equal(rotated.previousKeysValidUntil, new Date(clock.now() + 3_600_000).toISOString());
    assert.notEqual(rotated.apiKey, partner.apiKey);
    clock.advance(3_600_000 - 1);
    assert.equal((await stock(bearer(partner.apiKey))).statusCode, 200);
    assert.equal((await stock(bearer(rotated.apiKey))).statusCode, 200);
    clock.advance(1);
    assert.equal((await stock(bearer(partner.apiKey))).statusCode, 401);
    assert.equal((await stock(bearer(rotated.apiKey))).statusCode, 200);
    const rotateDefault = await app.inject({
      method: "POST",
      url: `${ADMIN}/${partner.identity.id}/keys`,
      headers: bearer(adminKey),
    });
    assert.equal(rotateDefault.statusCode, 201, "the body is optional: default window 24 h");
    assert.equal(
      rotateDefault.json().previousKeysValidUntil,
      new Date(clock.now() + 86_400_000).toISOString(),
    );
  });
});

describe("rate limits", () => {
  test("over the limit: 429 with Retry-After and RateLimit headers, then recovery", async () => {
    const partner = await createPartner({ rateLimitPerMinute: 3 });
    const first = await stock(bearer(partner.apiKey));
    assert.equal(first.headers["ratelimit-limit"], "3");
    assert.equal(first.headers["ratelimit-remaining"], "2");
    await stock(bearer(partner.apiKey));
    await stock(bearer(partner.apiKey));
    const limited = await stock(bearer(partner.apiKey));
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json().code, "CDK_RATE_LIMITED");
    assert.equal(limited.headers["retry-after"], "20");
    assert.equal(limited.headers["ratelimit-remaining"], "0");
    assert.equal(limited.headers["ratelimit-reset"], "60");
    clock.advance(19_999);
    assert.equal((await stock(bearer(partner.apiKey))).statusCode, 429);
    clock.advance(20_001);
    assert.equal((await stock(bearer(partner.apiKey))).statusCode, 200, "a token is back after 20 s");
    const other = await createPartner({ rateLimitPerMinute: 3 });
    assert.equal((await stock(bearer(other.apiKey))).statusCode, 200, "limits are per identity");
  });
});

describe("audit", () => {
  test("allowed and refused calls are audited with route patterns, never secrets", async () => {
    const partner = await createPartner();
    await stock({
      ...bearer(partner.apiKey),
      traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    });
    await stock(bearer(`cdk_0000000000000000_${"s".repeat(43)}`));
    await stock({});
    await stock(bearer(adminKey));
    await app.inject({ method: "GET", url: "/healthz" });
    await gateway.auditQueue.drain();
    const calls = (await store.audit.list()).filter((e) => e.action.includes(" "));
    const summary = calls.map((e) => [e.actor, e.action, e.outcome, e.status]);
    const adminId = (await gateway.service.list()).find((i) => i.name === "ops")!.id;
    assert.deepEqual(summary, [
      [adminId, `POST ${ADMIN}`, "ok", 201],
      [partner.identity.id, "GET /api/v1/stock", "ok", 200],
      ["anonymous", "GET /api/v1/stock", "denied", 401],
      ["anonymous", "GET /api/v1/stock", "denied", 401],
      [adminId, "GET /api/v1/stock", "denied", 403],
    ]);
    assert.deepEqual(calls[1]!.trace, {
      traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    });
    assert.equal((calls[2]!.details as { keyId?: string }).keyId, "0000000000000000");
    assert.equal((calls[2]!.details as { failure?: string }).failure, "unknown");
    assert.equal((calls[3]!.details as { failure?: string }).failure, "missing");
    const everything = JSON.stringify(await store.audit.list({ limit: 1_000 }));
    assert.ok(!everything.includes("s".repeat(43)));
    assert.ok(!everything.includes(partner.apiKey.slice(21)));
    assert.ok(!everything.includes(adminKey.slice(21)));
    const changes = (await store.audit.list()).filter((e) => e.action.startsWith("identity."));
    assert.deepEqual(
      changes.map((e) => [e.action, e.actor]),
      [
        ["identity.create", "cli:test"],
        ["identity.create", adminId],
      ],
    );
  });

  test("a full queue drops entries and counts them instead of growing", async () => {
    const { AuditQueue } = await import("./audit-queue.ts");
    const warnings: unknown[] = [];
    let release: () => void = () => {};
    const slowStore = {
      audit: {
        append: async () => {
          await new Promise<void>((resolve) => {
            release = resolve;
          });
          return [];
        },
        list: async () => [],
      },
    };
    const queue = new AuditQueue({
      store: slowStore,
      logger: { warn: (o: unknown) => warnings.push(o), error: () => {} } as never,
      maxQueued: 3,
      maxBatch: 2,
    });
    const entry = { actor: "a", action: "b", outcome: "ok" as const };
    assert.deepEqual(
      [1, 2, 3, 4, 5].map(() => queue.push(entry)),
      [true, true, true, false, false],
    );
    assert.equal(queue.dropped, 2);
    assert.equal(warnings.length, 1, "one warning, not one per entry");
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await queue.drain();
    assert.equal(queue.written, 3);
  });
});

describe("admin API", () => {
  test("round trip: create, list, show, update, rotate, revoke, delete; secrets only once", async () => {
    const created = await createPartner({
      name: "Acme B2B",
      scopes: ["orders:write", "orders:read"],
      rateLimitPerMinute: 120,
    });
    assert.match(created.apiKey, /^cdk_/);
    const id = created.identity.id;
    const list = await app.inject({ method: "GET", url: `${ADMIN}?limit=1`, headers: bearer(adminKey) });
    assert.equal(list.statusCode, 200);
    assert.equal(list.json().items.length, 1);
    const next = await app.inject({
      method: "GET",
      url: `${ADMIN}?limit=1&cursor=${list.json().nextCursor}`,
      headers: bearer(adminKey),
    });
    const both = [list.json().items[0].id, next.json().items[0].id];
    assert.ok(both.includes(id) && both[0] < both[1], "keyset pages in id order");
    const show = await app.inject({ method: "GET", url: `${ADMIN}/${id}`, headers: bearer(adminKey) });
    assert.equal(show.statusCode, 200);
    assert.deepEqual(show.json().scopes, ["orders:read", "orders:write"]);
    assert.equal(show.json().keys[0].prefix, `cdk_${created.keyId}_`);
    assert.ok(!show.body.includes(created.apiKey.slice(21)), "no secret");
    assert.ok(!show.body.includes("secretHash"));
    const patch = await app.inject({
      method: "PATCH",
      url: `${ADMIN}/${id}`,
      headers: bearer(adminKey),
      payload: { scopes: ["stock:read"], rateLimitPerMinute: 60 },
    });
    assert.equal(patch.statusCode, 200, patch.body);
    assert.deepEqual(patch.json().scopes, ["stock:read"]);
    const rotate = await app.inject({
      method: "POST",
      url: `${ADMIN}/${id}/keys`,
      headers: bearer(adminKey),
      payload: { windowSeconds: 0 },
    });
    assert.equal(rotate.json().identity.keys.length, 2);
    assert.equal(rotate.headers["cache-control"], "no-store");
    const revoke = await app.inject({
      method: "DELETE",
      url: `${ADMIN}/${id}/keys/${rotate.json().keyId}`,
      headers: bearer(adminKey),
    });
    assert.deepEqual(
      revoke.json().keys.map((k: { status: string }) => k.status),
      ["expired", "revoked"],
    );
    const del = await app.inject({ method: "DELETE", url: `${ADMIN}/${id}`, headers: bearer(adminKey) });
    assert.equal(del.statusCode, 204);
    const gone = await app.inject({ method: "GET", url: `${ADMIN}/${id}`, headers: bearer(adminKey) });
    assert.equal(gone.statusCode, 404);
    assert.equal(gone.json().code, "CDK_IDENTITY_NOT_FOUND");
  });

  test("hostile input is refused with located 400s and nothing is stored", async () => {
    const post = (payload: unknown, headers: Record<string, string> = {}) =>
      app.inject({
        method: "POST",
        url: ADMIN,
        headers: { ...bearer(adminKey), "content-type": "application/json", ...headers },
        payload: typeof payload === "string" ? payload : JSON.stringify(payload),
      });
    const cases: unknown[] = [
      { name: "x".repeat(10_000), scopes: [] },
      { name: "x", scopes: ["orders:write", "root:everything"] },
      { name: "x", scopes: ["orders:write", "orders:write"] },
      { name: "x", scopes: [], admin: true },
      { name: "x", scopes: [], rateLimitPerMinute: "600" },
      { name: "x", scopes: [], rateLimitPerMinute: 1e12 },
      { name: "x", scopes: [], keyExpiresAt: "tomorrow" },
      { name: "x", scopes: [], keyExpiresAt: "2020-01-01T00:00:00Z" },
      { name: "line\nbreak", scopes: [] },
      { name: 42, scopes: [] },
      { scopes: [] },
      [],
      "{not json",
      "null",
    ];
    for (const payload of cases) {
      const response = await post(payload);
      assert.equal(response.statusCode, 400, `${JSON.stringify(payload).slice(0, 60)}: ${response.body}`);
      assert.equal(response.json().code, "CDK_API_INVALID_REQUEST");
    }
    const proto = await post('{"name":"x","scopes":[],"__proto__":{"admin":true}}');
    assert.equal(proto.statusCode, 400);
    assert.equal((await post({ name: "x", scopes: [] }, { "content-type": "text/plain" })).statusCode, 415);
    for (const url of [`${ADMIN}/not-an-id`, `${ADMIN}/idn_${"a".repeat(200)}`, `${ADMIN}/..%2F..%2Fetc`]) {
      const response = await app.inject({ method: "GET", url, headers: bearer(adminKey) });
      assert.ok([400, 404, 414].includes(response.statusCode), `${url}: ${response.statusCode}`);
    }
    const unknown = await app.inject({
      method: "GET",
      url: `${ADMIN}/idn_doesnotexist`,
      headers: bearer(adminKey),
    });
    assert.equal(unknown.statusCode, 404);
    const emptyPatch = await app.inject({
      method: "PATCH",
      url: `${ADMIN}/idn_x`,
      headers: bearer(adminKey),
      payload: {},
    });
    assert.equal(emptyPatch.statusCode, 400);
    const badCursor = await app.inject({
      method: "GET",
      url: `${ADMIN}?cursor=%00%ff`,
      headers: bearer(adminKey),
    });
    assert.equal(badCursor.statusCode, 400);
    assert.equal((await gateway.service.list()).length, 1, "only the admin identity exists");
  });

  test("a 10 MB body is refused with 413 (and with 401 before it is read when there is no key)", async () => {
    const huge = JSON.stringify({ name: "x", scopes: [], pad: "p".repeat(10 * 1024 * 1024) });
    const withKey = await app.inject({
      method: "POST",
      url: ADMIN,
      headers: { ...bearer(adminKey), "content-type": "application/json" },
      payload: huge,
    });
    assert.equal(withKey.statusCode, 413);
    assert.equal(withKey.json().code, "CDK_HTTP_BODY_TOO_LARGE");
    const anonymous = await app.inject({
      method: "POST",
      url: ADMIN,
      headers: { "content-type": "application/json" },
      payload: huge,
    });
    assert.equal(anonymous.statusCode, 401);
  });

  test("the OpenAPI document describes the admin routes with their schemas", async () => {
    const doc = (await app.inject({ method: "GET", url: "/api/v1/openapi.json" })).json();
    const paths = doc.paths as Record<
      string,
      Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>
    >;
    assert.ok(paths[ADMIN]?.post?.requestBody);
    assert.ok(paths[ADMIN]?.get?.responses["200"]);
    assert.ok(paths[`${ADMIN}/{id}`]?.patch?.requestBody);
    assert.ok(paths[`${ADMIN}/{id}/keys`]?.post);
    assert.ok(paths[`${ADMIN}/{id}/keys/{keyId}`]?.delete);
  });

  test("over a real socket: create with the bootstrap key, then call with the new one", async () => {
    const address = await app.listen({ port: 0, host: "127.0.0.1" });
    const created = await fetch(`${address}${ADMIN}`, {
      method: "POST",
      headers: { ...bearer(adminKey), "content-type": "application/json" },
      body: JSON.stringify({ name: "socket", scopes: ["stock:read"] }),
    });
    assert.equal(created.status, 201);
    const { apiKey } = (await created.json()) as { apiKey: string };
    const call = await fetch(`${address}/api/v1/stock?sku=SKU1`, { headers: { "x-api-key": apiKey } });
    assert.equal(call.status, 200);
    assert.equal(call.headers.get("ratelimit-limit"), "600");
    const refused = await fetch(`${address}/api/v1/stock?sku=SKU1`);
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get("www-authenticate"), 'Bearer realm="crossdock"');
  });
});
