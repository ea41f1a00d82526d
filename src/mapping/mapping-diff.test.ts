import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ManualClock } from "../core/clock.ts";
import { isCrossdockError } from "../core/errors.ts";
import { createIdGenerator } from "../core/ids.ts";
import { createSqliteStore } from "../store/sqlite/sqlite-store.ts";
import type { Store } from "../store/store.ts";
import { diffJson } from "./json-diff.ts";
import { createMappingCatalog } from "./mapping-catalog.ts";
import { diffMappingsOverInbox } from "./mapping-diff.ts";
import { validateCanonical } from "./model-validator.ts";

const fixture = readFileSync(
  new URL("./builtin/fixtures/shopify-orders-create.json", import.meta.url),
  "utf8",
);
const clock = new ManualClock();
let dir: string;
let store: Store;

/** shopify-order@2 as a user JSONata file: upper-cases SKUs, otherwise passes the v1 output through. */
const V2 = `/* crossdock-mapping
   source: shopify orders/create
   target: order/v1
   emits: order.received
   key: /channelOrderId
*/
$ ~> | lines | { "sku": $uppercase(sku) } |
`;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "crossdock-mapping-"));
  store = await createSqliteStore({ path: join(dir, "hub.db"), clock, ids: createIdGenerator(clock) });
  await store.migrate();
  const append = (key: string, body: string, topic = "orders/create") =>
    store.inbox.append({
      source: "webhook",
      connection: "shop",
      dedupeKey: key,
      body: Buffer.from(body),
      headers: { "x-shopify-topic": topic },
      contentType: "application/json",
    });
  await append("w-1", fixture.replace(/"CHAIR-OAK-01"/, '"chair-oak-01"'));
  await append("w-2", fixture);
  await append("w-3", '{"id": 1, "line_items": ');
  await append("w-4", fixture, "products/update");
  await append("w-5", fixture.replace('"sku": "CUSHION-GREY"', '"sku": null'));
  await store.inbox.append({
    source: "webhook",
    connection: "other",
    dedupeKey: "x",
    body: Buffer.from(fixture),
  });
});
after(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe("diff before activation", () => {
  test("replays recorded messages through two versions and reports per message and in sum", async () => {
    // a v2 written as JSONata over the v1 output would need v1's output as input; here v2 maps the
    // Shopify body itself through the built-in first, by writing the built-in's result into the input
    const v2 = join(dir, "mappings");
    await import("node:fs/promises").then((fs) => fs.mkdir(v2, { recursive: true }));
    const catalog = createMappingCatalog({ dir: v2, clock });
    const v1 = await catalog.resolve("shopify-order@1");
    const upper = {
      ...v1,
      version: 2,
      async map(document: unknown, context: Parameters<typeof v1.map>[1]) {
        const outcome = await v1.map(document, context);
        if (!outcome.ok) return outcome;
        const values = outcome.values.map((v) => {
          const value = structuredClone(v.value) as { lines: Array<{ sku: string }> };
          for (const line of value.lines) line.sku = line.sku.toUpperCase();
          return { key: v.key, value: value as never };
        });
        return { ok: true as const, values };
      },
    };
    const statusBefore = await store.status();
    const report = await diffMappingsOverInbox({
      inbox: { list: (filter) => store.inbox.list(filter) },
      connection: "shop",
      before: v1,
      after: upper,
      validate: validateCanonical,
    });
    assert.deepEqual(report.summary, { same: 1, changed: 1, failed: 2, skipped: 1 });
    assert.deepEqual(
      report.messages.map((m) => [m.dedupeKey, m.status]),
      [
        ["w-1", "changed"],
        ["w-2", "same"],
        ["w-3", "failed"],
        ["w-4", "skipped"],
        ["w-5", "failed"],
      ],
    );
    assert.deepEqual(report.messages[0]?.changes, [
      { path: "/0/value/lines/0/sku", kind: "changed", before: "chair-oak-01", after: "CHAIR-OAK-01" },
    ]);
    assert.match(report.messages[2]?.before?.message ?? "", /line 1 column \d+: invalid JSON/);
    assert.match(report.messages[4]?.after?.message ?? "", /\/line_items\/1\/sku: is missing/);
    assert.deepEqual(await store.status(), statusBefore, "the diff wrote nothing");
  });

  test("the limit bounds how many messages are replayed, across pages", async () => {
    const v1 = await createMappingCatalog({ dir: undefined, clock }).resolve("shopify-order");
    const report = await diffMappingsOverInbox({
      inbox: store.inbox,
      connection: "shop",
      before: v1,
      after: v1,
      validate: validateCanonical,
      limit: 2,
    });
    assert.equal(report.messages.length, 2);
    assert.deepEqual(report.summary, { same: 2, changed: 0, failed: 0, skipped: 0 });
  });
});

describe("mapping catalog", () => {
  test("built-ins and files by name@version; bare name is the highest; files compile once until changed", async () => {
    const folder = join(dir, "catalog");
    await import("node:fs/promises").then((fs) => fs.mkdir(folder, { recursive: true }));
    await writeFile(join(folder, "shopify-order.v2.jsonata"), V2);
    await writeFile(join(folder, "README.md"), "not a mapping");
    await writeFile(join(folder, "Bad Name.v1.jsonata"), "ignored");
    const catalog = createMappingCatalog({ dir: folder, clock });
    assert.deepEqual(
      (await catalog.list()).map((m) => `${m.name}@${m.version} ${m.kind}`),
      [
        "shopify-order@1 builtin",
        "shopify-order@2 jsonata",
        "shopify-product@1 builtin",
        "woocommerce-order@1 builtin",
      ],
    );
    const latest = await catalog.resolve("shopify-order");
    assert.equal(latest.version, 2);
    assert.equal(latest.kind, "jsonata");
    assert.equal(await catalog.resolve("shopify-order@2"), latest, "compiled once, then cached");
    const file = join(folder, "shopify-order.v2.jsonata");
    await writeFile(file, V2.replace("$uppercase", "$lowercase"));
    const { mtimeMs } = await stat(file);
    await utimes(file, new Date(), new Date(mtimeMs + 5_000));
    assert.notEqual(await catalog.resolve("shopify-order@2"), latest, "recompiled after a change");
    assert.equal((await catalog.resolve("shopify-order@1")).kind, "builtin");
  });

  test("unknown, malformed and shadowing references are clear errors", async () => {
    const folder = join(dir, "catalog-errors");
    await import("node:fs/promises").then((fs) => fs.mkdir(folder, { recursive: true }));
    await writeFile(join(folder, "shopify-order.v1.jsonata"), V2);
    await writeFile(join(folder, "broken.v3.jsonata"), `${V2.split("*/")[0]}*/\n{ "a": }`);
    const catalog = createMappingCatalog({ dir: folder, clock });
    const fails = async (ref: string, code: string, message: RegExp) => {
      await assert.rejects(catalog.resolve(ref), (e: unknown) => {
        assert.ok(isCrossdockError(e));
        assert.equal(e.code, code);
        assert.match(e.message, message);
        return true;
      });
    };
    await fails("shopify-order@7", "CDK_MAPPING_NOT_FOUND", /known versions: shopify-order@1$/);
    await fails(
      "nothing@1",
      "CDK_MAPPING_NOT_FOUND",
      /no built-in mapping of that name and no .*nothing\.v1\.jsonata/,
    );
    await fails("../etc/passwd", "CDK_MAPPING_NOT_FOUND", /is not a mapping reference/);
    await fails("a@0", "CDK_MAPPING_NOT_FOUND", /is not a mapping reference/);
    await fails(`${"a".repeat(5_000)}@1`, "CDK_MAPPING_NOT_FOUND", /is not a mapping reference/);
    await fails(
      "shopify-order@1",
      "CDK_MAPPING_SYNTAX",
      /shopify-order\.v1\.jsonata: shopify-order@1 is a built-in/,
    );
    await fails("broken@3", "CDK_MAPPING_SYNTAX", /broken\.v3\.jsonata:7:8: JSONata S0211/);
  });
});

describe("diffJson", () => {
  test("paths for changed, added and removed members; key order does not count; bounded", () => {
    assert.deepEqual(
      diffJson({ a: 1, b: [1, 2], c: { "x/y": true } }, { b: [1], c: { "x/y": false }, a: 1 }),
      [
        { path: "/b/1", kind: "removed", before: 2 },
        { path: "/c/x~1y", kind: "changed", before: true, after: false },
      ],
    );
    assert.deepEqual(diffJson({ a: 1 }, { a: 1, n: null }), [{ path: "/n", kind: "added", after: null }]);
    assert.deepEqual(diffJson([1], { 0: 1 }), [{ path: "", kind: "changed", before: [1], after: { 0: 1 } }]);
    const big = Array.from({ length: 10_000 }, (_, i) => i);
    assert.equal(
      diffJson(
        big,
        big.map((i) => i + 1),
      ).length,
      200,
    );
  });
});
