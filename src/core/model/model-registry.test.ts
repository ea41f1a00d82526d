import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MODEL_EXAMPLES } from "./model-examples.ts";
import type { ModelProblem } from "./model-problem.ts";
import {
  entityOfSchemaId,
  MODEL_ENTITIES,
  type ModelEntityName,
  schemas,
  validateModel,
} from "./model-registry.ts";

const names = Object.keys(MODEL_ENTITIES) as ModelEntityName[];
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const example = (name: ModelEntityName): Record<string, unknown> =>
  clone(MODEL_EXAMPLES[name]) as Record<string, unknown>;

function problemsOf(name: ModelEntityName, value: unknown): readonly ModelProblem[] {
  const result = validateModel(name, value);
  assert.equal(result.ok, false, `${name} should be refused`);
  return result.ok ? [] : result.problems;
}

/** Sets values by JSON pointer on a cloned document (tests only: plain keys, existing parents). */
function withChanges(
  document: Record<string, unknown>,
  changes: Record<string, unknown>,
): Record<string, unknown> {
  for (const [pointer, value] of Object.entries(changes)) {
    const keys = pointer.slice(1).split("/");
    const last = keys.pop() as string;
    let parent = document as Record<string, unknown>;
    for (const key of keys) parent = parent[key] as Record<string, unknown>;
    parent[last] = value;
  }
  return document;
}

function assertProblemAt(problems: readonly ModelProblem[], path: string, pattern?: RegExp): void {
  const found = problems.find((problem) => problem.path === path);
  assert.ok(found, `expected a problem at ${path}, got ${JSON.stringify(problems)}`);
  if (pattern) assert.match(found.message, pattern);
}

describe("schemas()", () => {
  test("every entity by $id, versioned, closed, with schemaVersion (address is embedded, so it has none)", () => {
    const all = schemas();
    assert.equal(Object.keys(all).length, names.length);
    for (const [id, schema] of Object.entries(all)) {
      assert.match(id, /^https:\/\/crossdock\.dev\/model\/[a-z-]+\/v1$/);
      const name = entityOfSchemaId(id);
      assert.ok(name, id);
      assert.equal(id.split("/").at(-2), name);
      const object = schema as {
        additionalProperties?: unknown;
        properties: Record<string, unknown>;
        required: string[];
      };
      assert.equal(object.additionalProperties, false, id);
      if (name !== "address") {
        assert.deepEqual(object.properties.schemaVersion, {
          type: "integer",
          const: 1,
          description: "the version of this entity's schema",
        });
        assert.ok(object.required.includes("schemaVersion"));
        assert.ok("extensions" in object.properties, `${id} has extensions`);
      }
    }
    assert.equal(entityOfSchemaId("https://crossdock.dev/model/order/v2"), undefined);
  });

  test("schemas are frozen, JSON-serialisable and the same objects on every call", () => {
    const all = schemas();
    assert.equal(schemas(), all);
    assert.ok(Object.isFrozen(all));
    const order = all["https://crossdock.dev/model/order/v1"] as { properties: object };
    assert.ok(Object.isFrozen(order.properties));
    assert.throws(() => {
      (order as { title?: string }).title = "changed";
    }, TypeError);
    const text = JSON.stringify(all);
    assert.ok(text.length > 10_000);
    assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(all)));
  });

  test("every money and quantity field in every schema is a pattern-checked string", () => {
    const visit = (node: unknown, path: string): void => {
      if (node === null || typeof node !== "object") return;
      const schema = node as Record<string, unknown>;
      if (typeof schema.description === "string" && /decimal string/.test(schema.description)) {
        assert.equal(schema.type, "string", path);
        assert.equal(typeof schema.pattern, "string", path);
      }
      assert.notEqual(schema.type, "number", `${path} must not be a float`);
      for (const [key, child] of Object.entries(schema)) visit(child, `${path}/${key}`);
    };
    visit(schemas(), "");
  });
});

describe("validateModel: valid documents", () => {
  for (const name of names) {
    test(`${name}: the example is valid and survives a JSON round trip unchanged`, () => {
      const value = MODEL_EXAMPLES[name];
      const result = validateModel(name, value);
      assert.deepEqual(result, { ok: true, value });
      const again = JSON.parse(JSON.stringify(value));
      assert.deepEqual(again, value);
      assert.equal(validateModel(name, again).ok, true);
    });
  }

  test("the validator does not modify the document (no defaults, no coercion, no removal)", () => {
    const value = example("order");
    const before = JSON.stringify(value);
    validateModel("order", value);
    assert.equal(JSON.stringify(value), before);
  });
});

describe("validateModel: malformed documents give located problems", () => {
  test("floats where decimals belong, ids as numbers above 2^53, missing and unknown fields", () => {
    const order = example("order");
    // as a channel's JSON arrives: numbers, one beyond 2^53 (already rounded by JSON.parse)
    const raw = JSON.stringify(order)
      .replace('"quantity":"2"', '"quantity":2')
      .replace('"unitPrice":"19.90"', '"unitPrice":19.9');
    const parsed = JSON.parse(
      raw.replace('"channelOrderId":"5550934128715123456"', '"channelOrderId":5550934128715123456'),
    );
    delete parsed.currency;
    parsed.lines[0].colour = "oak";
    const problems = problemsOf("order", parsed);
    assertProblemAt(problems, "/lines/0/quantity", /must be a quantity as a decimal string.*got 2$/);
    assertProblemAt(problems, "/lines/1/unitPrice", /decimal string.*got 19\.9$/);
    assertProblemAt(
      problems,
      "/channelOrderId",
      /identifier as a string.*never a number\).*got 555093412871512\d{4}$/,
    );
    assertProblemAt(problems, "/currency", /is required/);
    assertProblemAt(problems, "/lines/0/colour", /extensions/);
    for (const problem of problems) assert.ok(problem.rule.length > 0 && problem.message.length > 0);
  });

  test("decimal, code, timestamp and enum rules", () => {
    const order = withChanges(example("order"), {
      "/lines/0/total": "1e3",
      "/lines/1/total": "01.00",
      "/totals/grandTotal": "398.1234567",
      "/currency": "eur",
      "/placedAt": "2026-02-30T10:00:00Z",
      "/status": "shipping",
      "/customer/kind": "robot",
      "/schemaVersion": 2,
      "/lines/0/uom": "pieces",
      "/shipTo/countryCode": "Germany",
    });
    const problems = problemsOf("order", order);
    for (const path of [
      "/lines/0/total",
      "/lines/1/total",
      "/totals/grandTotal",
      "/currency",
      "/lines/0/uom",
      "/shipTo/countryCode",
    ]) {
      assertProblemAt(problems, path);
    }
    assertProblemAt(problems, "/placedAt", /RFC 3339/);
    assertProblemAt(problems, "/status", /must be one of pending, confirmed/);
    assertProblemAt(problems, "/customer/kind", /person, company/);
    assertProblemAt(problems, "/schemaVersion", /must be 1, got 2/);
  });

  test("timestamps need an offset and a real date; calendar dates are dates", () => {
    for (const placedAt of [
      "2026-03-01T09:30:00",
      "2026-03-01 09:30:00Z",
      "2026-13-01T00:00:00Z",
      "2025-02-29T00:00:00Z",
      "2026-03-01T24:00:00Z",
    ]) {
      const order = example("order");
      order.placedAt = placedAt;
      assertProblemAt(problemsOf("order", order), "/placedAt");
    }
    const leap = example("order");
    leap.placedAt = "2024-02-29T23:59:60.123456789-05:30";
    assert.equal(validateModel("order", leap).ok, true);
    const invoice = example("invoice");
    invoice.dueDate = "2026-04-31";
    assertProblemAt(problemsOf("invoice", invoice), "/dueDate", /calendar date/);
  });

  test("not an object, wrong entity name, empty and null", () => {
    for (const value of [null, 42, "order", [], true])
      assertProblemAt(problemsOf("order", value), "", /must be/);
    assert.ok(problemsOf("order", {}).length >= 5);
    const wrong = validateModel("orders" as ModelEntityName, {});
    assert.deepEqual(wrong.ok ? [] : wrong.problems.map((problem) => problem.rule), ["entity"]);
    const proto = validateModel("toString" as ModelEntityName, {});
    assert.equal(proto.ok, false);
  });

  test("channel-specific extras are allowed only under extensions, keyed by connection name", () => {
    const order = example("order");
    order.extensions = { "shopify-eu": { anything: [1, "two", { three: null }] }, woo: "x" };
    assert.equal(validateModel("order", order).ok, true);
    order.extensions = { "Shopify EU": 1 };
    assertProblemAt(problemsOf("order", order), "/extensions/Shopify EU", /connection name/);
    order.extensions = Object.fromEntries(Array.from({ length: 33 }, (_, index) => [`c${index}`, index]));
    assertProblemAt(problemsOf("order", order), "/extensions", /at most 32 keys, got 33/);
  });
});

describe("validateModel: hostile and oversized input never throws", () => {
  test("prototype pollution keys anywhere, including inside extensions", () => {
    const attacks = [
      '{"__proto__":{"polluted":true}}',
      '{"extensions":{"shop":{"a":{"__proto__":{"polluted":true}}}}}',
      '{"lines":[{"constructor":{"prototype":{"polluted":true}}}]}',
      '{"extensions":{"prototype":1}}',
    ];
    for (const attack of attacks) {
      const order = { ...example("order"), ...JSON.parse(attack) };
      const problems = problemsOf("order", order);
      assert.ok(
        problems.some((problem) => problem.rule === "forbidden-key"),
        attack,
      );
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const [first] = problemsOf("order", { ...example("order"), ...JSON.parse(attacks[1] as string) });
    assert.deepEqual(first, {
      path: "/extensions/shop/a/__proto__",
      message: 'the key "__proto__" is not allowed anywhere',
      rule: "forbidden-key",
    });
  });

  test("deep nesting: 100,000 levels in extensions, refused at the depth limit without recursion", () => {
    let deep: unknown = "bottom";
    for (let level = 0; level < 100_000; level += 1) deep = { x: deep };
    const order = { ...example("order"), extensions: { shop: deep } };
    const problems = problemsOf("order", order);
    assert.equal(problems[0]?.rule, "limit-depth");
    assert.match(problems[0]?.path ?? "", /^\/extensions\/shop(\/x)+$/);
    const arrays = JSON.parse(`${"[".repeat(5_000)}${"]".repeat(5_000)}`);
    assert.equal(problemsOf("party", arrays)[0]?.rule, "limit-depth");
  });

  test("a 10 MB string in a field, and in extensions", () => {
    const huge = "x".repeat(10 * 1024 * 1024);
    const order = example("order");
    (order.customer as Record<string, unknown>).name = huge;
    const started = performance.now();
    const problems = problemsOf("order", order);
    assert.ok(performance.now() - started < 1_000, "bounded time");
    assertProblemAt(problems, "/customer/name", /10485760 characters/);
    assert.ok(
      problems.every((problem) => problem.message.length < 300),
      "messages never echo the value",
    );
    const decimals = example("order");
    decimals.totals = { ...(decimals.totals as object), grandTotal: `1${"0".repeat(500)}` };
    assertProblemAt(problemsOf("order", decimals), "/totals/grandTotal", /at most 23 characters/);
  });

  test("oversized: 20,000 lines of garbage give at most MAX_PROBLEMS problems, quickly", () => {
    const order = example("order");
    order.lines = Array.from({ length: 20_000 }, () => ({ sku: "", quantity: 1.5, bogus: true }));
    const started = performance.now();
    const problems = problemsOf("order", order);
    const elapsed = performance.now() - started;
    assert.equal(problems.length, 100);
    assert.equal(problems.at(-1)?.rule, "truncated");
    assertProblemAt(problems, "/lines", /at most 10000 items, got 20000/);
    assert.ok(elapsed < 5_000, `took ${elapsed} ms`);
  });

  test("too many values and too much text in all are refused before the schema runs", () => {
    const many = { ...example("order"), extensions: { shop: new Array(600_000).fill(0) } };
    assert.equal(problemsOf("order", many)[0]?.rule, "limit-values");
    const sparse = { ...example("order"), extensions: { shop: new Array(1e9) } };
    assert.equal(problemsOf("order", sparse)[0]?.rule, "limit-values");
    const text = {
      ...example("order"),
      extensions: { shop: Array.from({ length: 20 }, () => "y".repeat(900_000)) },
    };
    assert.equal(problemsOf("order", text)[0]?.rule, "limit-size");
  });

  test("values JSON cannot carry, cycles, throwing getters and proxies", () => {
    const cases: [string, unknown][] = [
      ["NaN", Number.NaN],
      ["Infinity", Number.POSITIVE_INFINITY],
      ["bigint", 2n ** 64n],
      ["undefined", undefined],
      ["function", () => 1],
      ["symbol", Symbol("s")],
      ["Date", new Date(0)],
      ["Map", new Map()],
      ["hole", new Array(3)],
    ];
    for (const [label, value] of cases) {
      const problems = problemsOf("order", { ...example("order"), extensions: { shop: value } });
      assert.equal(problems[0]?.rule, "not-json", label);
      assert.match(problems[0]?.path ?? "", /^\/extensions\/shop/, label);
    }
    const cyclic: Record<string, unknown> = example("order");
    cyclic.extensions = { shop: cyclic };
    assert.equal(problemsOf("order", cyclic)[0]?.rule, "limit-depth");
    const getter = example("order");
    Object.defineProperty(getter, "notes", {
      enumerable: true,
      get() {
        throw new Error("boom");
      },
    });
    assertProblemAt(problemsOf("order", getter), "", /could not be read as JSON: boom/);
    const proxy = new Proxy(example("order"), {
      ownKeys() {
        throw new Error("trap");
      },
    });
    assertProblemAt(problemsOf("order", proxy), "", /trap/);
  });

  test("ReDoS-shaped strings against every pattern finish quickly", () => {
    const evil = `${"a".repeat(50_000)}\u0000`;
    const spaces = `a${" ".repeat(50_000)}`;
    for (const name of names) {
      for (const value of [evil, spaces]) {
        const document = Object.fromEntries(
          Object.keys((MODEL_ENTITIES[name] as { properties: object }).properties).map((key) => [key, value]),
        );
        const started = performance.now();
        validateModel(name, document);
        assert.ok(performance.now() - started < 500, name);
      }
    }
  });
});
