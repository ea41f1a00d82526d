import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, beforeEach, describe, test } from "node:test";
import { ManualClock } from "../../core/clock.ts";
import { createIdGenerator } from "../../core/ids.ts";
import { createSqliteStore } from "../../store/sqlite/sqlite-store.ts";
import type { Store } from "../../store/store.ts";
import { generateApiKey, hashSecret, parseApiKey, secretMatches } from "./api-key.ts";
import { API_KEY_KIND, IDENTITY_KIND } from "./identity-records.ts";
import { IdentityService } from "./identity-service.ts";

const HOUR = 3_600_000;

describe("API keys", () => {
  test("a generated key parses back to its id and a 256-bit secret whose hash matches", () => {
    const { keyId, key, secretHash } = generateApiKey();
    assert.match(key, /^cdk_[0-9a-z]{16}_[A-Za-z0-9_-]{43}$/);
    const parsed = parseApiKey(key);
    assert.equal(parsed?.keyId, keyId);
    assert.equal(Buffer.from(parsed!.secret, "base64url").length, 32);
    assert.equal(secretHash, hashSecret(parsed!.secret));
    assert.equal(secretMatches(parsed!.secret, secretHash), true);
    // Another secret (the last character changed; a random secret ends in "A" one time in 64).
    const other = parsed!.secret.endsWith("A") ? "B" : "A";
    assert.equal(secretMatches(`${parsed!.secret.slice(0, -1)}${other}`, secretHash), false);
    assert.equal(secretMatches(parsed!.secret, "abcd"), false, "a damaged stored hash never matches");
  });

  test("anything else is not a key", () => {
    const good = generateApiKey().key;
    for (const bad of [
      "",
      "cdk_",
      good.slice(0, -1),
      `${good}x`,
      good.replace("cdk_", "CDK_"),
      `x${good}`,
      `cdk_ABCDEFGHIJKLMNOP_${"a".repeat(43)}`,
      "a".repeat(100_000),
    ]) {
      assert.equal(parseApiKey(bad), undefined, bad.slice(0, 40));
    }
  });
});

describe("IdentityService", () => {
  let dir: string;
  let store: Store;
  let clock: ManualClock;
  let service: IdentityService;
  const changes: string[][] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "crossdock-identities-"));
    clock = new ManualClock();
    store = await createSqliteStore({ path: join(dir, "hub.db"), clock, ids: createIdGenerator(clock) });
    await store.migrate();
    changes.length = 0;
    service = new IdentityService({
      store,
      clock,
      ids: createIdGenerator(clock),
      onChange: (_id, keyIds) => changes.push([...keyIds]),
    });
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  after(() => {});

  test("create stores only the hash, shows the key once, and audits the change", async () => {
    const issued = await service.create(
      { name: "  Shop  ", scopes: ["orders:write", "orders:read", "orders:write"] },
      "cli:ops",
    );
    assert.equal(issued.identity.name, "Shop");
    assert.deepEqual(issued.identity.scopes, ["orders:read", "orders:write"]);
    assert.equal(issued.identity.rateLimitPerMinute, 600);
    assert.equal(issued.identity.keys[0]?.status, "active");
    const stored = await store.records.get(API_KEY_KIND, issued.keyId);
    const text =
      JSON.stringify(stored) + JSON.stringify(await store.records.get(IDENTITY_KIND, issued.identity.id));
    assert.ok(!text.includes(parseApiKey(issued.apiKey)!.secret), "the secret is nowhere in the store");
    assert.ok(!JSON.stringify(await service.get(issued.identity.id)).includes("secretHash"));
    const [entry] = await store.audit.list();
    assert.equal(entry?.action, "identity.create");
    assert.equal(entry?.actor, "cli:ops");
    assert.equal(entry?.resource, issued.identity.id);
    assert.ok(!JSON.stringify(entry).includes(parseApiKey(issued.apiKey)!.secret));
    assert.deepEqual(changes, [[issued.keyId]]);
  });

  test("unknown scopes, huge or control-character names and bad limits are refused, storing nothing", async () => {
    const bad = [
      { name: "x", scopes: ["orders:write", "root"] },
      { name: "x", scopes: ["__proto__"] },
      { name: "x", scopes: "orders:write" as unknown as string[] },
      { name: "x".repeat(101), scopes: [] },
      { name: "   ", scopes: [] },
      { name: "line\nbreak", scopes: [] },
      { name: "x", scopes: [], rateLimitPerMinute: 0 },
      { name: "x", scopes: [], rateLimitPerMinute: 1.5 },
      { name: "x", scopes: [], keyExpiresAt: clock.now() - 1 },
    ];
    for (const input of bad) {
      await assert.rejects(
        service.create(input, "t"),
        (e: { code?: string }) => e.code === "CDK_API_INVALID_REQUEST",
      );
    }
    assert.deepEqual(await service.list(), []);
    assert.deepEqual(await store.audit.list(), []);
  });

  test("unknown and malformed ids are not found", async () => {
    for (const id of ["idn_missing", "../etc", "", `idn_${"a".repeat(500)}`, "idn_X"]) {
      await assert.rejects(service.get(id), (e: { code?: string }) => e.code === "CDK_IDENTITY_NOT_FOUND");
      await assert.rejects(
        service.update(id, { disabled: true }, "t"),
        (e: { code?: string }) => e.code === "CDK_IDENTITY_NOT_FOUND",
      );
      await assert.rejects(
        service.delete(id, "t"),
        (e: { code?: string }) => e.code === "CDK_IDENTITY_NOT_FOUND",
      );
    }
    const { identity } = await service.create({ name: "a", scopes: [] }, "t");
    await assert.rejects(
      service.revokeKey(identity.id, "0000000000000000", "t"),
      (e: { code?: string }) => e.code === "CDK_IDENTITY_NOT_FOUND",
    );
    await assert.rejects(
      service.revokeKey(identity.id, "bad key", "t"),
      (e: { code?: string }) => e.code === "CDK_IDENTITY_NOT_FOUND",
    );
  });

  test("rotation keeps the old key until the window ends; revoke ends a key at once", async () => {
    const first = await service.create({ name: "partner", scopes: ["stock:read"] }, "t");
    clock.advance(1_000);
    const rotated = await service.rotateKey(first.identity.id, { windowMs: HOUR }, "t");
    assert.equal(rotated.previousKeysValidUntil, clock.now() + HOUR);
    const old = await service.loadKey(first.keyId);
    assert.equal(old?.key.expiresAt, clock.now() + HOUR);
    const view = await service.get(first.identity.id);
    assert.deepEqual(
      view.keys.map((k) => k.status),
      ["active", "active"],
    );
    clock.advance(HOUR);
    assert.deepEqual(
      (await service.get(first.identity.id)).keys.map((k) => k.status),
      ["expired", "active"],
    );
    await service.revokeKey(first.identity.id, rotated.keyId, "t");
    assert.deepEqual(
      (await service.get(first.identity.id)).keys.map((k) => k.status),
      ["expired", "revoked"],
    );
    assert.deepEqual(
      (await store.audit.list()).map((e) => e.action),
      ["identity.create", "identity.rotate-key", "identity.revoke-key"],
    );
  });

  test("an identity keeps at most 10 keys, forgetting dead ones first", async () => {
    const { identity } = await service.create({ name: "p", scopes: [] }, "t");
    for (let i = 0; i < 14; i++) await service.rotateKey(identity.id, { windowMs: 0 }, "t");
    const view = await service.get(identity.id);
    assert.equal(view.keys.length, 10);
    assert.equal(view.keys.filter((k) => k.status === "active").length, 1);
  });

  test("update changes scopes and flags; delete removes the identity and its keys", async () => {
    const { identity, keyId } = await service.create({ name: "p", scopes: ["orders:read"] }, "t");
    const updated = await service.update(
      identity.id,
      { scopes: ["stock:read"], rateLimitPerMinute: 5, disabled: true },
      "t",
    );
    assert.deepEqual(updated.scopes, ["stock:read"]);
    assert.equal(updated.rateLimitPerMinute, 5);
    assert.equal(updated.disabled, true);
    await assert.rejects(service.update(identity.id, { scopes: ["nope"] }, "t"));
    await service.delete(identity.id, "t");
    assert.equal(await service.loadKey(keyId), undefined);
    assert.equal(await store.records.get(API_KEY_KIND, keyId), undefined);
    assert.deepEqual(await service.list(), []);
  });

  test("list pages in id order", async () => {
    for (let i = 0; i < 5; i++) {
      await service.create({ name: `p${i}`, scopes: [] }, "t");
      clock.advance(1);
    }
    const page1 = await service.list({ limit: 3 });
    const page2 = await service.list({ limit: 3, afterId: page1.at(-1)!.id });
    assert.deepEqual(
      [...page1, ...page2].map((v) => v.name),
      ["p0", "p1", "p2", "p3", "p4"],
    );
  });
});
