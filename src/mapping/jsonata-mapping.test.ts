import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import type { Clock } from "../core/clock.ts";
import { ManualClock } from "../core/clock.ts";
import { isCrossdockError } from "../core/errors.ts";
import { decodeJsonDocument } from "./decode-json.ts";
import { compileJsonataMapping } from "./jsonata-mapping.ts";
import type { MapOutcome } from "./mapping.ts";
import { validateCanonical } from "./model-validator.ts";
import { runMapping } from "./run-mapping.ts";

const FIXTURES = new URL("./fixtures/", import.meta.url);
const orderText = readFileSync(new URL("webshop-order.v1.jsonata", FIXTURES), "utf8");
const orderBody = readFileSync(new URL("webshop-order.json", FIXTURES));
const context = { connection: "webshop", messageId: "m-1", receivedAt: Date.UTC(2026, 2, 1) };
const HEADER = "/* crossdock-mapping\n  source: webhook-json order\n  target: order/v1\n*/\n";

/** A clock that moves one millisecond every time it is read: each evaluated node costs 1 ms. */
function tickingClock(): Clock {
  const clock = new ManualClock(0);
  return {
    now: () => {
      clock.advance(1);
      return clock.now();
    },
  };
}

function compile(body: string, options: { clock?: Clock; limits?: Record<string, number> } = {}) {
  return compileJsonataMapping(`${HEADER}${body}`, {
    name: "t",
    version: 1,
    file: "mappings/t.v1.jsonata",
    clock: options.clock ?? new ManualClock(),
    ...(options.limits ? { limits: options.limits } : {}),
  });
}

function failure(outcome: MapOutcome) {
  assert.equal(outcome.ok, false, "expected the mapping to fail");
  if (outcome.ok) throw new Error("unreachable");
  return outcome.error;
}

describe("JSONata mappings", () => {
  test("map a fixture document to keyed canonical values, with $context and exact big ids", async () => {
    const mapping = compileJsonataMapping(orderText, {
      name: "webshop-order",
      version: 1,
      file: "fixtures/webshop-order.v1.jsonata",
      clock: new ManualClock(),
    });
    assert.deepEqual(mapping.source, { connectionType: "webhook-json", documentType: "order" });
    assert.equal(mapping.target, "order/v1");
    assert.equal(mapping.emits, "order.received");
    const decoded = decodeJsonDocument(orderBody, "fixture");
    assert.ok(decoded.ok);
    const outcome = await mapping.map(decoded.document, context);
    assert.ok(outcome.ok, outcome.ok ? "" : outcome.error.message);
    assert.equal(outcome.values.length, 1);
    const [only] = outcome.values;
    assert.equal(only?.key, "webshop:9007199254740993");
    const order = only?.value as Record<string, unknown>;
    assert.equal(order.channel, "webshop");
    assert.equal(order.channelOrderId, "9007199254740993", "an id above 2^53 keeps every digit");
    assert.deepEqual(
      (order.lines as Array<Record<string, unknown>>).map((l) => [l.sku, l.quantity, l.unitPrice, l.total]),
      [
        ["CHAIR-OAK-01", "2", "49.90", "99.80"],
        ["TABLE-OAK-02", "1", "199.00", "199.00"],
      ],
    );
    // Compiled once, mapped many times: the second document is independent of the first.
    const again = await mapping.map({ ...(decoded.document as object), id: 7 }, context);
    assert.ok(again.ok);
    assert.equal(again.values[0]?.key, "webshop:7");
  });

  test("an array result is many values; without a key pointer the key comes from the message", async () => {
    const outcome = await compile('[items.{ "sku": sku }]').map(
      { items: [{ sku: "A" }, { sku: "B" }] },
      context,
    );
    assert.ok(outcome.ok);
    assert.deepEqual(
      outcome.values.map((v) => v.key),
      ["webshop:m-1:0", "webshop:m-1:1"],
    );
  });

  test("a syntax error is located at file:line:column with the JSONata code", () => {
    assert.throws(
      () => compile('{\n  "a": items.(sku,\n  "b": 1\n}'),
      (error: unknown) => {
        assert.ok(isCrossdockError(error));
        assert.equal(error.code, "CDK_MAPPING_SYNTAX");
        // the header is 4 lines; the fault is the ',' where ')' should close the group
        assert.match(error.message, /^mappings\/t\.v1\.jsonata:6:18: JSONata S0202: Expected "\)", got ","/);
        return true;
      },
    );
    assert.throws(() => compile('"unterminated'), /t\.v1\.jsonata:5:\d+: JSONata S0101/);
  });

  test("header problems are located and name what is expected", () => {
    const cases: Array<[string, RegExp]> = [
      ['{ "a": 1 }', /x\.jsonata:1:1: a mapping file must start with a "\/\* crossdock-mapping" header/],
      ["/* crossdock-mapping\n source: a b\n", /x\.jsonata:1:1: the header comment is not closed/],
      ["/* crossdock-mapping\n source: a b\n*/ 1", /x\.jsonata:1:1: the header has no "target:" line/],
      [
        "/* crossdock-mapping\n source: a b\n target: order\n*/ 1",
        /x\.jsonata:3:2: header target: "order" is not/,
      ],
      ["/* crossdock-mapping\n source: a\n target: order/v1\n*/ 1", /x\.jsonata:2:2: header source/],
      ["/* crossdock-mapping\n owner: me\n*/ 1", /x\.jsonata:2:2: unknown header key "owner"/],
      ["/* crossdock-mapping\n target: order/v1\n target: order/v2\n*/ 1", /x\.jsonata:3:2: .*given twice/],
      ["/* crossdock-mapping\n timeoutMs: -1\n*/ 1", /x\.jsonata:2:2: header timeoutMs/],
      [
        "\n\n/* crossdock-mapping\n source: a b\n target: order/v1\n just words\n*/ 1",
        /x\.jsonata:6:2: expected "key: value"/,
      ],
    ];
    for (const [text, expected] of cases) {
      assert.throws(
        () =>
          compileJsonataMapping(text, { name: "x", version: 1, file: "x.jsonata", clock: new ManualClock() }),
        (error: unknown) =>
          isCrossdockError(error) && error.code === "CDK_MAPPING_SYNTAX" && expected.test(error.message),
        `${JSON.stringify(text)} should fail with ${expected}`,
      );
    }
  });

  test("an endless tail-recursive loop is stopped by the time box on the injected clock, located", async () => {
    const mapping = compile("(\n  $f := function($x) { $f($x + 1) };\n  $f(0)\n)", {
      clock: tickingClock(),
      limits: { timeoutMs: 500 },
    });
    const error = failure(await mapping.map({}, context));
    assert.equal(error.code, "CDK_MAPPING_LIMIT");
    assert.match(error.message, /mapping t@1: mappings\/t\.v1\.jsonata:\d+:\d+: .*time box of 500 ms/);
  });

  test("infinite non-tail recursion is stopped by the depth limit (D1011), located", async () => {
    const mapping = compile("(\n  $f := function($x) { 1 + $f($x) };\n  $f(0)\n)", {
      limits: { maxDepth: 100 },
    });
    const error = failure(await mapping.map({}, context));
    assert.equal(error.code, "CDK_MAPPING_LIMIT");
    assert.match(error.message, /t\.v1\.jsonata:6:\d+: JSONata D1011: Stack overflow/);
  });

  test("the header can lower a mapping's own time box", async () => {
    const text = "/* crossdock-mapping\n source: a b\n target: x/v1\n timeoutMs: 5\n*/\n[1..100].($ * 2)";
    const mapping = compileJsonataMapping(text, { name: "x", version: 1, file: "x", clock: tickingClock() });
    assert.equal(failure(await mapping.map({}, context)).code, "CDK_MAPPING_LIMIT");
  });

  test("huge sequences, strings and input depth are refused as limits", async () => {
    const limits = { maxSequence: 1_000, maxStringLength: 10_000, maxInputDepth: 16 };
    const range = failure(await compile("[1..1000000]", { limits }).map({}, context));
    assert.equal(range.code, "CDK_MAPPING_LIMIT");
    const doubling = compile(
      '($f := function($s, $n) { $n = 0 ? $s : $f($s & $s, $n - 1) }; { "a": $f("ab", 40) })',
      {
        limits,
      },
    );
    const text = failure(await doubling.map({}, context));
    assert.equal(text.code, "CDK_MAPPING_LIMIT");
    assert.match(text.message, /string of \d+ characters exceeds 10000/);
    let deep: unknown = "leaf";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const nested = failure(await compile('{ "a": 1 }', { limits }).map({ deep }, context));
    assert.equal(nested.code, "CDK_MAPPING_LIMIT");
    assert.match(nested.message, /nests deeper than 16/);
    const big = failure(
      await compile('{ "note": note }', { limits }).map({ note: "x".repeat(10_000_000) }, context),
    );
    assert.equal(big.code, "CDK_MAPPING_LIMIT");
  });

  test("each evaluation of one cached expression gets its own time box", async () => {
    const clock = new ManualClock(0);
    const mapping = compile('{ "n": $count(items) }', { clock, limits: { timeoutMs: 10 } });
    for (let i = 0; i < 5; i++) {
      clock.advance(8); // 40 ms pass over five evaluations; none of them runs 10 ms of its own
      const outcome = await mapping.map({ items: [1, 2, 3] }, context);
      assert.ok(outcome.ok);
    }
    const concurrent = await Promise.all(
      Array.from({ length: 20 }, () => mapping.map({ items: [1] }, context)),
    );
    assert.ok(concurrent.every((o) => o.ok));
  });

  test("runtime faults in the expression are located business failures", async () => {
    const error = failure(await compile('{\n  "n": $number(name)\n}').map({ name: "abc" }, context));
    assert.equal(error.code, "CDK_MAPPING_FAILED");
    assert.match(
      error.message,
      /t\.v1\.jsonata:6:\d+: JSONata D3030: Unable to cast value to a number: "abc"/,
    );
  });

  test("outputs that are not canonical records are refused with the output path", async () => {
    assert.match(failure(await compile("missing").map({}, context)).message, /produced nothing/);
    assert.match(failure(await compile('"text"').map({}, context)).message, /output is not an object/);
    assert.match(
      failure(await compile('[{"a":1}, 2]').map({}, context)).message,
      /output item 1 is not an object/,
    );
    const fn = failure(await compile('{ "a": { "f": function($x) { $x } } }').map({}, context));
    assert.match(fn.message, /output at "\/a\/f": a function is not JSON/);
    const keyless = compileJsonataMapping(
      `/* crossdock-mapping\n source: a b\n target: x/v1\n key: /id\n*/ { "a": 1 }`,
      {
        name: "k",
        version: 1,
        file: "k",
        clock: new ManualClock(),
      },
    );
    assert.match(failure(await keyless.map({}, context)).message, /no string or number at its key \/id/);
  });

  test("hostile keys stay data: __proto__ in the input never reaches a prototype", async () => {
    const decoded = decodeJsonDocument(
      '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}',
      "t",
    );
    assert.ok(decoded.ok);
    const outcome = await compile("$").map(decoded.document, context);
    assert.ok(outcome.ok);
    const value = outcome.values[0]?.value as Record<string, unknown>;
    assert.ok(Object.hasOwn(value, "__proto__"));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
  });

  test("every input shape maps or fails with a located error, never a throw", async () => {
    const mapping = compileJsonataMapping(orderText, {
      name: "w",
      version: 1,
      file: "w",
      clock: new ManualClock(),
    });
    const inputs: unknown[] = [
      null,
      0,
      "",
      [],
      {},
      [[[]]],
      { items: "nope" },
      { items: [{ qty: "x" }] },
      true,
    ];
    for (const input of inputs) {
      const outcome = await mapping.map(input, context);
      if (!outcome.ok) assert.ok(["CDK_MAPPING_FAILED", "CDK_MAPPING_LIMIT"].includes(outcome.error.code));
    }
  });
});

describe("decimal functions in JSONata", () => {
  test("money is exact: no binary floating point", async () => {
    const mapping = compile(
      '{ "float": 0.1 + 0.2, "add": $decimalAdd(0.1, "0.2"), "sum": $decimalSum(["19.99", 0.01, "-5"]),' +
        ' "mul": $decimalMul("19.99", 3), "round": $decimalRound("0.125", 2), "sub": $decimalSub("1", "0.99"),' +
        ' "tiny": $decimal(0.0000001), "empty": $decimalSum([]) }',
    );
    const outcome = await mapping.map({}, context);
    assert.ok(outcome.ok);
    assert.deepEqual(outcome.values[0]?.value, {
      float: 0.30000000000000004,
      add: "0.3",
      sum: "15.00",
      mul: "59.97",
      round: "0.12",
      sub: "0.01",
      tiny: "0.0000001",
      empty: "0",
    });
  });

  test("a value that is not a decimal fails located at the call", async () => {
    for (const call of [
      '$decimal("1,5")',
      '$decimalAdd("1e3", 1)',
      "$decimalRound(1, 99)",
      '$decimalSum(["x"])',
    ]) {
      const error = failure(await compile(`{\n  "a": ${call}\n}`).map({}, context));
      assert.equal(error.code, "CDK_MAPPING_FAILED");
      assert.match(error.message, /t\.v1\.jsonata:6:\d+: JSONata DEC01: /, call);
    }
  });

  test("the fixture mapping's output passes the canonical model's checks", async () => {
    const mapping = compileJsonataMapping(orderText, {
      name: "w",
      version: 1,
      file: "w",
      clock: new ManualClock(),
    });
    const decoded = decodeJsonDocument(orderBody, "fixture");
    assert.ok(decoded.ok);
    const run = await runMapping(mapping, decoded.document, context, validateCanonical);
    assert.ok(run.ok, run.ok ? "" : JSON.stringify(run.problems));
    assert.equal(run.events[0]?.stream, "order:webshop:9007199254740993");
  });
});

describe("decodeJsonDocument", () => {
  test("keeps integers beyond 2^53 and over-precise decimals as their exact text", () => {
    const decoded = decodeJsonDocument(
      '{"id": 5550934128715012345, "price": 12345678901234567.89, "q": 2, "r": 0.06}',
      "t",
    );
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.document, {
      id: "5550934128715012345",
      price: "12345678901234567.89",
      q: 2,
      r: 0.06,
    });
  });

  test("syntax errors are located; hostile depth is an error, not a crash", () => {
    const bad = decodeJsonDocument('{\n  "a": 1,\n  "b": }', "message m-1");
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.match(bad.error.message, /message m-1 line 3 column \d+: invalid JSON/);
    const deep = decodeJsonDocument(`${"[".repeat(200_000)}${"]".repeat(200_000)}`, "deep");
    if (!deep.ok) assert.equal(deep.error.code, "CDK_DECODE_FAILED");
  });
});
