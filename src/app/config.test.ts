import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";
import { CrossdockError, type ErrorCode } from "../core/errors.ts";
import { isSecret } from "../security/secret-ref.ts";
import { DEFAULT_RETRY_POLICY } from "../store/retry-policy.ts";
import type { ConfigProblem, CrossdockConfig } from "./config-schema.ts";
import { loadConfig, MAX_CONFIG_BYTES, parseConfig } from "./load-config.ts";

const dir = mkdtempSync(join(tmpdir(), "crossdock-config-"));
const file = join(dir, "crossdock.yaml");

function parse(text: string, options: { env?: Record<string, string>; environment?: string } = {}) {
  return parseConfig(text, { file, env: options.env ?? {}, ...options });
}

/** Runs `fn`, expects a CrossdockError with `code`, returns its problems. */
function problemsOf(
  code: ErrorCode,
  fn: () => unknown,
): { error: CrossdockError; problems: ConfigProblem[] } {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof CrossdockError, String(error));
    assert.equal(error.code, code, error.message);
    const problems = error.details?.problems as ConfigProblem[];
    assert.ok(problems.length > 0);
    for (const problem of problems.slice(0, 200))
      assert.ok(error.message.includes(formatted(problem)), error.message);
    return { error, problems };
  }
  assert.fail(`expected ${code}`);
}

function formatted(problem: ConfigProblem): string {
  const where = `${problem.file}:${problem.line}:${problem.column}`;
  return problem.path === ""
    ? `${where}: ${problem.message}`
    : `${where} ${problem.path}: ${problem.message}`;
}

/** Line and column (1-based) of the `nth` occurrence of `needle` in `text`. */
function pos(text: string, needle: string, nth = 1): { line: number; column: number } {
  let index = -1;
  for (let i = 0; i < nth; i += 1) index = text.indexOf(needle, index + 1);
  assert.ok(index >= 0, `${needle} not in text`);
  const before = text.slice(0, index);
  return { line: before.split("\n").length, column: index - before.lastIndexOf("\n") };
}

/** The revealed value of a connection's secret field, asserting it is a `Secret`. */
function revealed(config: CrossdockConfig, connection: string, field: string): string {
  const value = config.connections[connection]?.[field];
  assert.ok(isSecret(value), `${connection}.${field} is not a Secret`);
  return value.reveal();
}

function at(problems: ConfigProblem[], path: string): ConfigProblem {
  const found = problems.find((problem) => problem.path === path);
  assert.ok(found, `no problem at ${path}: ${JSON.stringify(problems)}`);
  return found;
}

describe("valid files", () => {
  test("the minimal file gets every default", () => {
    const config = parse("version: 1\n");
    assert.equal(config.file, file);
    assert.equal(config.environment, "dev");
    assert.equal(config.store.kind, "sqlite");
    assert.ok(config.store.kind === "sqlite");
    assert.equal(config.store.path, join(dir, ".crossdock/crossdock.db"));
    assert.equal(config.store.synchronous, "full");
    assert.equal(config.store.checkpoints, "background");
    assert.equal(config.store.displayUrl, "sqlite:.crossdock/crossdock.db");
    assert.deepEqual(
      [config.store.maxMessageBytes, config.store.maxPendingAppends, config.store.maxBatchSize],
      [5 * 1024 * 1024, 10_000, 512],
    );
    assert.deepEqual(config.store.defaultRetry, DEFAULT_RETRY_POLICY);
    assert.deepEqual(config.server, { host: "127.0.0.1", port: 8080 });
    assert.deepEqual(config.log, { level: "info" });
    assert.deepEqual(config.workers, { concurrency: 8, leaseMs: 30_000, pollIntervalMs: 50 });
    assert.deepEqual(config.retry, DEFAULT_RETRY_POLICY);
    assert.deepEqual([config.targets, config.connections, config.warnings], [{}, {}, []]);
  });

  test("values given override defaults; a target's retry merges over the top-level one", () => {
    const config = parse(
      `version: 1
store: { url: "postgresql://db.internal/hub", poolSize: 4, schema: crossdock, maxBatchSize: 64 }
server: { host: 0.0.0.0, port: 0 }
retry: { initialIntervalMs: 200, maximumAttempts: 3, nonRetryableCodes: [CDK_DECODE_FAILED] }
targets:
  crossdock.inbox: { concurrency: 2 }
  odoo: { timeoutMs: 5000, retry: { maximumAttempts: 7 } }
connections:
  shop: { type: webhook-json, deliverTo: [odoo], secret: "env:SHOP_SECRET" }
`,
      { env: { SHOP_SECRET: "x" } },
    );
    assert.ok(config.store.kind === "postgres");
    assert.deepEqual(
      [config.store.poolSize, config.store.schema, config.store.maxBatchSize],
      [4, "crossdock", 64],
    );
    assert.equal(config.store.url.reveal(), "postgresql://db.internal/hub");
    assert.deepEqual(config.server, { host: "0.0.0.0", port: 0 });
    assert.deepEqual(config.targets["crossdock.inbox"], {
      concurrency: 2,
      timeoutMs: 30_000,
      retry: config.retry,
    });
    assert.equal(config.targets.odoo?.retry.maximumAttempts, 7);
    assert.equal(config.targets.odoo?.retry.initialIntervalMs, 200);
    assert.deepEqual(config.targets.odoo?.retry.nonRetryableCodes, ["CDK_DECODE_FAILED"]);
    assert.deepEqual(config.connections.shop?.deliverTo, ["odoo"]);
  });

  test("the result is deep-frozen", () => {
    const config = parse("version: 1\nconnections:\n  a: { type: http, headers: { x: [1] } }\n");
    const headers = config.connections.a?.headers as { x: number[] };
    for (const value of [
      config,
      config.store,
      config.retry.nonRetryableCodes,
      config.connections,
      headers.x,
    ]) {
      assert.ok(Object.isFrozen(value));
    }
    assert.throws(() => {
      (config.server as { port: number }).port = 1;
    }, TypeError);
    assert.throws(() => headers.x.push(2), TypeError);
  });

  test("crossdock.example.yaml loads, in dev and (with its references set) in prod", async () => {
    const path = resolve(dirname(fileURLToPath(import.meta.url)), "../../crossdock.example.yaml");
    const dev = await loadConfig({ path, env: { DEMO_SHOP_SECRET: "whsec_demo" } });
    assert.equal(dev.connections["demo-shop"]?.type, "webhook-json");
    const signature = dev.connections["demo-shop"]?.signature as { secret?: { reveal(): string } };
    assert.equal(signature.secret?.reveal(), "whsec_demo");
    assert.deepEqual(dev.warnings, []);
    const { problems } = await loadConfig({ path, env: {}, environment: "prod" }).then(
      () => assert.fail("prod needs DATABASE_URL"),
      (error: CrossdockError) => ({ problems: error.details?.problems as ConfigProblem[] }),
    );
    assert.deepEqual(problems.map((p) => p.path).sort(), [
      "environments.prod.connections.demo-shop.signature.secret",
      "environments.prod.store.url",
    ]);
  });
});

describe("located errors", () => {
  test("a wrong type or range points at the value and quotes it", () => {
    const text = "version: 1\nstore:\n  poolSize: ten\n";
    const { error, problems } = problemsOf("CDK_CONFIG_INVALID", () => parse(text));
    assert.deepEqual(problems, [
      {
        file,
        ...pos(text, "ten"),
        path: "store.poolSize",
        message: 'must be an integer between 1 and 1000 (got "ten")',
        expected: "an integer between 1 and 1000",
        got: '"ten"',
      },
    ]);
    assert.match(error.message, new RegExp(`${file}:3:13 store.poolSize: must be an integer`));
  });

  test("an unknown key points at the key and lists the known ones", () => {
    const text = "version: 1\nserver:\n  host: x\n  prot: 80\n";
    const { problems } = problemsOf("CDK_CONFIG_INVALID", () => parse(text));
    const problem = at(problems, "server.prot");
    assert.deepEqual([problem.line, problem.column], Object.values(pos(text, "prot")));
    assert.equal(problem.message, "unknown key 'prot' (expected one of: host, port)");
  });

  test("a missing required key points at its parent mapping", () => {
    const text = "version: 1\nconnections:\n  shop:\n    url: https://x\n";
    const { problems } = problemsOf("CDK_CONFIG_INVALID", () => parse(text));
    const problem = at(problems, "connections.shop.type");
    assert.deepEqual([problem.line, problem.column], Object.values(pos(text, "url:")));
    assert.match(problem.message, /^missing required key 'type' \(expected a connector type/);
  });

  test("every problem is listed at once, in file order", () => {
    const text = `version: 1
log: { level: loud }
workers: { concurrency: 0 }
connections:
  Bad!: { type: http }
retry: { jitter: 2, maximumAttempts: 1.5 }
`;
    const { problems } = problemsOf("CDK_CONFIG_INVALID", () => parse(text));
    assert.deepEqual(
      problems.map((p) => [p.path, p.line]),
      [
        ["log.level", 2],
        ["workers.concurrency", 3],
        ['connections["Bad!"]', 5],
        ["retry.jitter", 6],
        ["retry.maximumAttempts", 6],
      ],
    );
    assert.match(at(problems, "log.level").message, /one of: fatal, error, warn, info, debug, trace, silent/);
    assert.match(
      at(problems, 'connections["Bad!"]').message,
      /^invalid name 'Bad!' \(expected a connection name/,
    );
  });

  test("checks across fields are located too (retry intervals)", () => {
    const text = "version: 1\ntargets:\n  odoo: { retry: { maximumIntervalMs: 10 } }\n";
    const { problems } = problemsOf("CDK_CONFIG_INVALID", () => parse(text));
    assert.equal(problems[0]?.path, "targets.odoo.retry.maximumIntervalMs");
    assert.deepEqual([problems[0]?.line, problems[0]?.column], Object.values(pos(text, "10")));
    assert.match(problems[0]?.message ?? "", /must be >= initialIntervalMs \(1000\)/);
  });

  test("version: missing, unsupported", () => {
    const missing = problemsOf("CDK_CONFIG_INVALID", () => parse("log: { level: info }\n")).problems;
    assert.equal(missing[0]?.message, "missing required key 'version' (expected 1)");
    const text = "version: 2\nsomething: new\n";
    const newer = problemsOf("CDK_CONFIG_INVALID", () => parse(text)).problems;
    assert.equal(newer.length, 1, "a newer file's other keys are not reported");
    assert.deepEqual(newer[0], {
      file,
      line: 1,
      column: 10,
      path: "version",
      message: "unsupported configuration version 2 (expected 1)",
      expected: "1",
    });
  });

  test("empty file, a top level that is not a mapping", () => {
    for (const text of ["", "# only a comment\n"]) {
      const { problems } = problemsOf("CDK_CONFIG_INVALID", () => parse(text));
      assert.match(problems[0]?.message ?? "", /the file is empty/);
    }
    const list = problemsOf("CDK_CONFIG_INVALID", () => parse("- version: 1\n")).problems;
    assert.equal(list[0]?.message, "the top level must be a mapping (got a list)");
  });

  test("YAML syntax errors and duplicate keys are CDK_CONFIG_SYNTAX, each located", () => {
    const text = "version: 1\nserver:\n  port: 1\n  port: 2\nlog: {}\nlog: {}\n";
    const { problems } = problemsOf("CDK_CONFIG_SYNTAX", () => parse(text));
    assert.deepEqual(
      problems.map((p) => [p.line, p.column, p.message]),
      [
        [4, 3, "duplicate key 'port' (a key may appear once in a mapping)"],
        [6, 1, "duplicate key 'log' (a key may appear once in a mapping)"],
      ],
    );
    const tabs = problemsOf("CDK_CONFIG_SYNTAX", () => parse("version: 1\nserver:\n\tport: 1\n")).problems;
    assert.equal(tabs[0]?.line, 3);
    const flow = problemsOf("CDK_CONFIG_SYNTAX", () => parse("version: 1\nlog: { level: info\n")).problems;
    assert.ok(flow.every((p) => p.line >= 2));
  });

  test("an empty known section means unset; an empty unknown key is still reported", () => {
    const config = parse("version: 1\ntargets:\nconnections:\n");
    assert.deepEqual([config.targets, config.connections], [{}, {}]);
    const { problems } = problemsOf("CDK_CONFIG_INVALID", () => parse("version: 1\ntargetz:\n"));
    assert.deepEqual([problems[0]?.path, problems[0]?.line, problems[0]?.column], ["targetz", 2, 1]);
  });

  test("an alias without its anchor is located at the alias", () => {
    const text = "version: 1\nserver: { host: &h localhost }\nlog: { level: *nope }\n";
    const { problems } = problemsOf("CDK_CONFIG_SYNTAX", () => parse(text));
    assert.deepEqual([problems[0]?.line, problems[0]?.column], Object.values(pos(text, "*nope")));
    assert.match(problems[0]?.message ?? "", /nope/);
  });

  test("a missing file is CDK_CONFIG_NOT_FOUND", async () => {
    await assert.rejects(loadConfig({ path: join(dir, "nope.yaml"), env: {} }), (error: CrossdockError) => {
      assert.equal(error.code, "CDK_CONFIG_NOT_FOUND");
      assert.match(error.message, /nope\.yaml does not exist/);
      return true;
    });
  });
});

describe("environments", () => {
  const text = `version: 1
environment: dev
server: { port: 8080 }
retry: { nonRetryableCodes: [A, B] }
connections:
  shop: { type: webhook-json, deliverTo: [odoo, wms], secret: "env:SHOP_DEV" }
environments:
  prod:
    server: { host: 0.0.0.0 }
    retry: { nonRetryableCodes: [C] }
    connections:
      shop: { secret: "env:SHOP_PROD" }
      erp: { type: http, url: "https://erp" }
`;
  const env = { SHOP_DEV: "dev-secret", SHOP_PROD: "prod-secret" };

  test("the file's environment applies when the caller names none", () => {
    const config = parse(text, { env });
    assert.equal(config.environment, "dev");
    assert.equal(revealed(config, "shop", "secret"), "dev-secret");
    assert.equal(config.connections.erp, undefined);
  });

  test("the active overlay is deep-merged: mappings merge, lists replace", () => {
    const config = parse(text, { env, environment: "prod" });
    assert.equal(config.environment, "prod");
    assert.deepEqual(config.server, { host: "0.0.0.0", port: 8080 });
    assert.deepEqual(config.retry.nonRetryableCodes, ["C"]);
    assert.equal(config.connections.shop?.type, "webhook-json");
    assert.deepEqual(config.connections.shop?.deliverTo, ["odoo", "wms"]);
    assert.equal(revealed(config, "shop", "secret"), "prod-secret");
    assert.equal(config.connections.erp?.url, "https://erp");
  });

  test("a mistake in an override points at the override", () => {
    const bad = `${text}    store: { poolSize: -1 }\n    workers: { leaseMs: soon }\n`;
    const { problems } = problemsOf("CDK_CONFIG_INVALID", () => parse(bad, { env, environment: "prod" }));
    assert.deepEqual(
      problems.map((p) => [p.path, p.line, p.column]),
      [
        ["environments.prod.store.poolSize", ...Object.values(pos(bad, "-1"))],
        ["environments.prod.workers.leaseMs", ...Object.values(pos(bad, "soon"))],
      ],
    );
  });

  test("an overlay is checked even when another environment is active", () => {
    const bad = text.replace("server: { host: 0.0.0.0 }", "server: { hots: 0.0.0.0 }");
    const { problems } = problemsOf("CDK_CONFIG_INVALID", () => parse(bad, { env }));
    assert.equal(problems[0]?.path, "environments.prod.server.hots");
  });

  test("a connection added by an overlay still needs its type", () => {
    const bad = text.replace('erp: { type: http, url: "https://erp" }', 'erp: { url: "https://erp" }');
    const { problems } = problemsOf("CDK_CONFIG_INVALID", () => parse(bad, { env, environment: "prod" }));
    assert.equal(problems[0]?.path, "environments.prod.connections.erp.type");
    assert.equal(problems[0]?.line, pos(bad, "erp:").line);
  });

  test("an environment without overrides warns; a malformed name is refused", () => {
    const config = parse(text, { env, environment: "staging" });
    assert.match(config.warnings[0]?.message ?? "", /'staging' has no overrides here \(defined: prod\)/);
    assert.throws(() => parse(text, { env, environment: "Prod!" }), { code: "CDK_CONFIG_INVALID" });
    const own = problemsOf("CDK_CONFIG_INVALID", () =>
      parse(text.replace("environment: dev", "environment: Dev"), { env }),
    );
    assert.deepEqual([own.problems[0]?.path, own.problems[0]?.line], ["environment", 2]);
  });
});

describe("secrets", () => {
  writeFileSync(join(dir, "shop.secret"), "file-secret-value\n");
  const text = `version: 1
store: { url: "env:DATABASE_URL" }
connections:
  shop:
    type: webhook-json
    secret: env:SHOP_SECRET
    signing: { clientSecret: "file:shop.secret" }
    url: "env:SHOP_URL"
    label: plain text
`;
  const env = {
    DATABASE_URL: "postgres://hub:db-password-value@db/hub",
    SHOP_SECRET: "env-secret-value",
    SHOP_URL: "https://shop.example",
  };
  const values = ["db-password-value", "env-secret-value", "file-secret-value"];

  test("references resolve to Secrets: env, relative file, and any env:/file: string in a connection", () => {
    const config = parse(text, { env, environment: "prod" });
    const shop = config.connections.shop as unknown as Record<string, unknown> & {
      signing: Record<string, unknown>;
    };
    assert.ok(isSecret(shop.secret) && isSecret(shop.signing.clientSecret) && isSecret(shop.url));
    assert.equal(shop.secret.reveal(), "env-secret-value");
    assert.equal(shop.signing.clientSecret.reveal(), "file-secret-value");
    assert.equal(shop.signing.clientSecret.source, `file:${join(dir, "shop.secret")}`);
    assert.equal(shop.url.reveal(), "https://shop.example");
    assert.equal(shop.label, "plain text");
    assert.ok(config.store.kind === "postgres");
    assert.equal(config.store.url.reveal(), env.DATABASE_URL);
    assert.equal(config.store.displayUrl, "postgres://hub:***@db/hub");
  });

  test("no secret value shows in JSON.stringify or util.inspect of the config", () => {
    const config = parse(text, { env, environment: "prod" });
    const printed = [
      JSON.stringify(config),
      inspect(config, { depth: null, showHidden: true }),
      String(config.store.url),
    ];
    for (const output of printed) {
      for (const value of values) assert.ok(!output.includes(value), `${value} leaked`);
    }
    assert.match(JSON.stringify(config), /\[secret env:SHOP_SECRET\]/);
  });

  test("unresolved references are CDK_SECRET_UNRESOLVED, all located, no values in the message", () => {
    const { error, problems } = problemsOf("CDK_SECRET_UNRESOLVED", () =>
      parse(text.replace("shop.secret", "missing.secret"), { env: { SHOP_URL: "db-password-value" } }),
    );
    assert.deepEqual(
      problems.map((p) => [p.path, p.line, p.column]),
      [
        ["store.url", ...Object.values(pos(text, '"env:DATABASE_URL"'))],
        ["connections.shop.secret", ...Object.values(pos(text, "env:SHOP_SECRET"))],
        ["connections.shop.signing.clientSecret", ...Object.values(pos(text, '"file:shop.secret"'))],
      ],
    );
    assert.match(
      problems[0]?.message ?? "",
      /cannot resolve env:DATABASE_URL: environment variable DATABASE_URL is not set/,
    );
    assert.match(problems[2]?.message ?? "", /missing\.secret \(ENOENT\)/);
    for (const value of values) assert.ok(!error.message.includes(value));
  });

  test("a literal secret is refused outside dev/test, located, without its value", () => {
    const literal =
      "version: 1\nconnections:\n  shop: { type: http, token: tok-literal-value, apiKey: 12345 }\n";
    const { error, problems } = problemsOf("CDK_CONFIG_INVALID", () =>
      parse(literal, { environment: "prod" }),
    );
    assert.deepEqual(
      problems.map((p) => [p.path, p.line, p.column]),
      [
        ["connections.shop.token", ...Object.values(pos(literal, "tok-literal-value"))],
        ["connections.shop.apiKey", ...Object.values(pos(literal, "12345"))],
      ],
    );
    assert.match(problems[0]?.message ?? "", /literal secret is not allowed in environment 'prod'/);
    assert.ok(!error.message.includes("tok-literal-value") && !JSON.stringify(error).includes("tok-literal"));
  });

  test("store.checkpoints: inline or background for SQLite, ignored with a warning for PostgreSQL", () => {
    const sqlite = parse("version: 1\nstore: { checkpoints: inline }\n");
    assert.ok(sqlite.store.kind === "sqlite");
    assert.equal(sqlite.store.checkpoints, "inline");
    const pg = parse('version: 1\nstore: { url: "postgres://db/hub", checkpoints: inline }\n');
    assert.deepEqual(
      pg.warnings.map((w) => w.path),
      ["store.checkpoints"],
    );
    const { problems } = problemsOf("CDK_CONFIG_INVALID", () =>
      parse("version: 1\nstore: { checkpoints: sometimes }\n"),
    );
    assert.match(at(problems, "store.checkpoints").message, /background|inline/);
  });

  test("in dev a literal secret loads as a Secret with a warning", () => {
    const config = parse("version: 1\nconnections:\n  shop: { type: http, password: pw-literal }\n");
    assert.equal(revealed(config, "shop", "password"), "pw-literal");
    assert.deepEqual(
      config.warnings.map((w) => [w.path, w.line]),
      [["connections.shop.password", 3]],
    );
    assert.ok(!inspect(config, { depth: null }).includes("pw-literal"));
  });

  test("a password written into store.url counts as a literal secret", () => {
    const literal = 'version: 1\nstore: { url: "postgres://hub:pw-in-url@db/hub" }\n';
    const { error } = problemsOf("CDK_CONFIG_INVALID", () => parse(literal, { environment: "prod" }));
    assert.ok(!error.message.includes("pw-in-url"));
    const dev = parse(literal);
    assert.equal(dev.store.displayUrl, "postgres://hub:***@db/hub");
    assert.equal(dev.warnings[0]?.path, "store.url");
  });

  test("a bad reference or a reference that holds no store URL is CDK_CONFIG_INVALID", () => {
    const bad =
      'version: 1\nstore: { url: "env:DATABASE_URL" }\nconnections:\n  a: { type: http, token: "env:no-dash" }\n';
    const { error, problems } = problemsOf("CDK_CONFIG_INVALID", () =>
      parse(bad, { env: { DATABASE_URL: "mysql://u:leaky@h/db" } }),
    );
    assert.deepEqual(
      problems.map((p) => p.path),
      ["store.url", "connections.a.token"],
    );
    assert.match(problems[0]?.message ?? "", /env:DATABASE_URL does not hold a store URL/);
    assert.ok(!error.message.includes("leaky"));
  });
});

describe("hostile input", () => {
  test("an alias bomb is refused without expanding it", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i += 1) {
      const prev = String.fromCharCode(96 + i);
      levels.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${prev}`).join(", ")}]`,
      );
    }
    const started = performance.now();
    const { problems } = problemsOf("CDK_CONFIG_SYNTAX", () => parse(`version: 1\n${levels.join("\n")}\n`));
    assert.match(problems[0]?.message ?? "", /alias bomb/);
    assert.ok(performance.now() - started < 2_000);
  });

  test("a file over 1 MiB is refused before parsing", async () => {
    const big = `version: 1\n${"# padding\n".repeat((2 * 1024 * 1024) / 10)}`;
    writeFileSync(join(dir, "big.yaml"), big);
    await assert.rejects(loadConfig({ path: join(dir, "big.yaml"), env: {} }), (error: CrossdockError) => {
      assert.equal(error.code, "CDK_CONFIG_INVALID");
      assert.match(error.message, new RegExp(`larger than the ${MAX_CONFIG_BYTES} bytes \\(1 MiB\\)`));
      return true;
    });
    assert.throws(() => parse(big), { code: "CDK_CONFIG_INVALID" });
  });

  test("binary garbage is refused as not UTF-8 or not a mapping, located", async () => {
    writeFileSync(
      join(dir, "binary.yaml"),
      Buffer.from([0x76, 0x3a, 0x20, 0x31, 0x0a, 0x61, 0xff, 0xfe, 0x00]),
    );
    const { problems } = await loadConfig({ path: join(dir, "binary.yaml"), env: {} }).then(
      () => assert.fail("binary accepted"),
      (error: CrossdockError) => {
        assert.equal(error.code, "CDK_CONFIG_SYNTAX");
        return { problems: error.details?.problems as ConfigProblem[] };
      },
    );
    assert.deepEqual([problems[0]?.line, problems[0]?.column], [2, 2]);
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed;
    };
    for (let round = 0; round < 50; round += 1) {
      const garbage = String.fromCharCode(...Array.from({ length: 200 }, () => random() % 256));
      assert.throws(
        () => parse(garbage),
        (error: CrossdockError) => error instanceof CrossdockError,
      );
    }
  });

  test("thousands of keys stay linear: duplicates found, problems capped in the message, all in details", () => {
    const keys = Array.from({ length: 30_000 }, (_, i) => `  k${i}: 1\n`).join("");
    let started = performance.now();
    const duplicate = problemsOf("CDK_CONFIG_SYNTAX", () => parse(`version: 1\nserver:\n${keys}  k7: 2\n`));
    assert.deepEqual(
      duplicate.problems.map((p) => [p.line, p.message]),
      [[30_003, "duplicate key 'k7' (a key may appear once in a mapping)"]],
    );
    assert.ok(performance.now() - started < 10_000, "duplicate detection is quadratic");
    started = performance.now();
    const { error, problems } = problemsOf("CDK_CONFIG_INVALID", () => parse(`version: 1\nserver:\n${keys}`));
    assert.equal(problems.length, 30_000);
    assert.match(error.message, /\.\.\. and 29800 more \(all are in details\.problems\)$/);
    assert.ok(performance.now() - started < 10_000, "locating problems is quadratic");
  });

  test("deep nesting is refused, whether the parser or the depth check catches it", () => {
    const parserLimit = problemsOf("CDK_CONFIG_SYNTAX", () =>
      parse(`version: 1\nx: ${"[".repeat(20_000)}${"]".repeat(20_000)}\n`),
    ).problems;
    assert.equal(parserLimit.length, 1);
    assert.match(parserLimit[0]?.message ?? "", /nested too deeply/);
    const nested = `version: 1\nconnections:\n  a:\n    type: http\n    n: ${"[".repeat(40)}${"]".repeat(40)}\n`;
    const depth = problemsOf("CDK_CONFIG_INVALID", () => parse(nested)).problems;
    assert.match(depth[0]?.message ?? "", /nested deeper than 32 levels/);
  });

  test(".nan, .inf, tagged binary values and __proto__ keys are refused", () => {
    const text = `version: 1
retry: { jitter: .nan, backoffCoefficient: .inf }
connections:
  a: { type: http, blob: !!binary aGVsbG8=, __proto__: { polluted: true } }
`;
    const { problems } = problemsOf("CDK_CONFIG_INVALID", () => parse(text));
    assert.deepEqual(
      problems.map((p) => [p.path, p.message]),
      [
        ["retry.jitter", "must be a finite number (got .nan)"],
        ["retry.backoffCoefficient", "must be a finite number (got .inf)"],
        ["connections.a.blob", "must be plain YAML data (got binary data)"],
        ["connections.a.__proto__", "the key '__proto__' is not allowed"],
      ],
    );
    assert.equal(({} as { polluted?: boolean }).polluted, undefined);
  });
});
