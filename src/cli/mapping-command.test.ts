import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { systemClock } from "../core/clock.ts";
import { createIdGenerator } from "../core/ids.ts";
import { createSqliteStore } from "../store/sqlite/sqlite-store.ts";
import { runCli } from "./main.ts";

const FIXTURE = new URL("../mapping/builtin/fixtures/shopify-orders-create.json", import.meta.url).pathname;
const HEADER =
  "/* crossdock-mapping\n  source: shopify orders/create\n  target: order/v1\n  key: /channelOrderId\n*/\n";
let dir: string;

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t), env: {}, cwd: dir });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "crossdock-mapping-cli-"));
  await mkdir(join(dir, "mappings"));
  await writeFile(
    join(dir, "crossdock.yaml"),
    "version: 1\nstore:\n  url: sqlite:hub.db\nconnections:\n  shop: { type: webhook-json }\n",
  );
  // v2 forgets the unit of measure: its output fails order/v1 at /lines/<n>/uom
  const builtinLike = `${HEADER}{ "schemaVersion": 1, "channel": "shop", "channelOrderId": $string(id), "status": "pending",
  "placedAt": created_at, "customer": { "kind": "person", "name": customer.first_name },
  "currency": currency, "pricesIncludeTax": false,
  "lines": [line_items.{ "sku": sku, "quantity": $string(quantity), "unitPrice": price, "total": price }],
  "totals": { "subtotal": "0", "discountTotal": "0", "shippingTotal": "0", "taxTotal": "0", "grandTotal": "0" } }`;
  await writeFile(join(dir, "mappings", "shopify-order.v2.jsonata"), builtinLike);
  await writeFile(join(dir, "mappings", "broken.v1.jsonata"), `${HEADER}{\n  "a": $.b.\n}`);
  await writeFile(
    join(dir, "mappings", "runaway.v1.jsonata"),
    `${HEADER}($f := function($x) { 1 + $f($x) }; $f(0))`,
  );
  await writeFile(join(dir, "bad.json"), '{\n  "id": 1,\n  "line_items": [\n}');
  await writeFile(join(dir, "big.json"), Buffer.alloc(6 * 1024 * 1024, 32));
});
after(() => rm(dir, { recursive: true, force: true }));

describe("crossdock mapping", () => {
  test("ls lists built-ins and mapping files", async () => {
    const { code, out } = await cli("mapping", "ls");
    assert.equal(code, 0);
    assert.match(out, /shopify-order@1\s+builtin\s+built-in/);
    assert.match(out, /shopify-order@2\s+jsonata\s+.*mappings\/shopify-order\.v2\.jsonata/);
    const listed = JSON.parse((await cli("--json", "mapping", "ls")).out) as Array<{ name: string }>;
    assert.deepEqual(
      [...new Set(listed.map((m) => m.name))],
      ["broken", "runaway", "shopify-order", "shopify-product", "woocommerce-order"],
    );
  });

  test("test prints input, output, events and validation; exit 0 when valid", async () => {
    const { code, out, err } = await cli(
      "mapping",
      "test",
      "shopify-order@1",
      FIXTURE,
      "--connection",
      "shopify-eu",
    );
    assert.equal(code, 0, err);
    assert.match(out, /^mapping {2}shopify-order@1 \(built-in; shopify orders\/create -> order\/v1\)/);
    assert.match(out, /input:\n\{\n {2}"id": "5550934128715123456"/);
    assert.match(out, /output: 1 record\(s\)\norder\/v1 shopify-eu:5550934128715123456/);
    assert.match(out, /event order\.received on order:shopify-eu:5550934128715123456/);
    assert.match(out, /validation: ok$/);
  });

  test("an invalid output lists every problem with its path and exits 1", async () => {
    const { code, out, err } = await cli("mapping", "test", "shopify-order@2", FIXTURE);
    assert.equal(code, 1);
    assert.match(out, /validation: \d+ problem\(s\)/);
    assert.match(out, /record 0 \/lines\/0\/uom: is required/);
    assert.match(out, /record 0 \/lines\/1\/unitPrice: must be a money amount as a decimal string/);
    assert.match(
      err,
      /error CDK_MAPPING_OUTPUT_INVALID: mapping shopify-order@2: output does not match order\/v1/,
    );
  });

  test("--json gives the whole run as one document", async () => {
    const { code, out } = await cli("--json", "mapping", "test", "shopify-order@2", FIXTURE);
    assert.equal(code, 1);
    const report = JSON.parse(out) as {
      ok: boolean;
      problems: Array<{ path: string }>;
      error: { code: string };
    };
    assert.equal(report.ok, false);
    assert.equal(report.error.code, "CDK_MAPPING_OUTPUT_INVALID");
    assert.ok(report.problems.some((p) => p.path === "/lines/0/uom"));
  });

  test("a mapping file by path, a syntax error located, a runaway stopped", async () => {
    const byPath = await cli("mapping", "test", "mappings/shopify-order.v2.jsonata", FIXTURE);
    assert.match(byPath.out, /^mapping {2}shopify-order@2 \(.*shopify-order\.v2\.jsonata;/);
    const broken = await cli("mapping", "test", "broken@1", FIXTURE);
    assert.equal(broken.code, 1);
    assert.match(broken.err, /error CDK_MAPPING_SYNTAX: .*mappings\/broken\.v1\.jsonata:8:1: JSONata S0211/);
    const runaway = await cli("mapping", "test", "runaway", FIXTURE);
    assert.equal(runaway.code, 1);
    assert.match(
      runaway.err,
      /error CDK_MAPPING_LIMIT: mapping runaway@1: .*runaway\.v1\.jsonata:6:\d+: JSONata D1011/,
    );
  });

  test("bad references and bad fixtures are clear errors", async () => {
    const unknown = await cli("mapping", "test", "nope@1", FIXTURE);
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /CDK_MAPPING_NOT_FOUND: no mapping nope@1/);
    const missing = await cli("mapping", "test", "shopify-order@1", "missing.json");
    assert.equal(missing.code, 2);
    assert.match(missing.err, /cannot read fixture .*missing\.json/);
    const bad = await cli("mapping", "test", "shopify-order@1", "bad.json");
    assert.equal(bad.code, 1);
    assert.match(bad.err, /CDK_DECODE_FAILED: .*bad\.json line 4 column \d+: invalid JSON/);
    const big = await cli("mapping", "test", "shopify-order@1", "big.json");
    assert.equal(big.code, 2);
    assert.match(big.err, /has 6291456 bytes; the limit is 5242880/);
    const hostile = await cli("mapping", "test", "../../etc/passwd@1", FIXTURE);
    assert.match(hostile.err, /is not a mapping reference/);
  });

  test("diff replays a connection's recorded messages through two versions, read-only", async () => {
    const store = await createSqliteStore({
      path: join(dir, "hub.db"),
      clock: systemClock,
      ids: createIdGenerator(systemClock),
    });
    await store.migrate();
    const fixture = readFileSync(FIXTURE);
    for (const key of ["a", "b", "c"]) {
      await store.inbox.append({ source: "webhook", connection: "shop", dedupeKey: key, body: fixture });
    }
    const statusBefore = await store.status();
    await store.close();
    const text = await cli(
      "mapping",
      "diff",
      "shopify-order@1",
      "shopify-order@1",
      "--messages",
      "shop",
      "--limit",
      "2",
    );
    assert.equal(text.code, 0, text.err);
    assert.match(text.out, /diff shopify-order@1 -> shopify-order@1 over 2 messages of connection shop/);
    assert.match(text.out, /summary: 2 same, 0 changed, 0 failed, 0 skipped/);
    const changed = await cli(
      "--json",
      "mapping",
      "diff",
      "shopify-order@1",
      "shopify-order@2",
      "--messages",
      "shop",
    );
    const report = JSON.parse(changed.out) as {
      summary: Record<string, number>;
      messages: Array<{ after?: { code: string } }>;
    };
    assert.deepEqual(report.summary, { same: 0, changed: 0, failed: 3, skipped: 0 });
    assert.equal(report.messages[0]?.after?.code, "CDK_MAPPING_OUTPUT_INVALID");
    const reopened = await createSqliteStore({
      path: join(dir, "hub.db"),
      clock: systemClock,
      ids: createIdGenerator(systemClock),
    });
    const statusAfter = await reopened.status();
    await reopened.close();
    assert.equal(statusAfter.inboxMessages, statusBefore.inboxMessages);
    assert.equal(statusAfter.events, statusBefore.events);
    const depth = (s: typeof statusBefore) => s.queue.map((q) => ({ ...q, oldestAgeMs: 0 }));
    assert.deepEqual(depth(statusAfter), depth(statusBefore), "no job was added or claimed");
    const badLimit = await cli(
      "mapping",
      "diff",
      "shopify-order@1",
      "shopify-order@2",
      "--messages",
      "shop",
      "--limit",
      "0",
    );
    assert.equal(badLimit.code, 2);
    const noMessages = await cli("mapping", "diff", "shopify-order@1", "shopify-order@2");
    assert.equal(noMessages.code, 2);
  });
});
