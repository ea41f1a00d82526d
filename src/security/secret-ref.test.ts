import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { format, inspect } from "node:util";
import {
  isSecretFieldName,
  MAX_SECRET_FILE_BYTES,
  parseSecretRef,
  redactUrl,
  resolveSecretRef,
  Secret,
} from "./secret-ref.ts";

describe("Secret", () => {
  const secret = new Secret("hunter2", "env:SHOP_SECRET");

  test("reveal() is the only way to the value", () => {
    assert.equal(secret.reveal(), "hunter2");
    assert.equal(secret.source, "env:SHOP_SECRET");
  });

  test("prints as its reference through every path into a log", () => {
    const printed = [
      String(secret),
      `${secret}`,
      JSON.stringify({ secret }),
      inspect({ nested: { secret } }, { depth: 10, showHidden: true }),
      format("%s %o %j", secret, secret, secret),
    ];
    for (const text of printed) {
      assert.ok(!text.includes("hunter2"), text);
      assert.match(text, /\[secret env:SHOP_SECRET\]/);
    }
  });

  test("is immutable", () => {
    assert.ok(Object.isFrozen(secret));
    assert.throws(() => {
      (secret as { source: string }).source = "x";
    }, TypeError);
  });
});

test("isSecretFieldName matches credential names only", () => {
  for (const name of [
    "secret",
    "password",
    "token",
    "apiKey",
    "key",
    "clientSecret",
    "dbPassword",
    "webhookToken",
  ]) {
    assert.equal(isSecretFieldName(name), true, name);
  }
  for (const name of ["url", "type", "keyPointer", "tokens", "Secret", "secrets", "eventType"]) {
    assert.equal(isSecretFieldName(name), false, name);
  }
});

test("parseSecretRef reads env: and file: and explains malformed ones", () => {
  assert.deepEqual(parseSecretRef("env:SHOP_SECRET"), { kind: "env", name: "SHOP_SECRET" });
  assert.deepEqual(parseSecretRef("file:/run/secrets/x"), { kind: "file", path: "/run/secrets/x" });
  assert.deepEqual(parseSecretRef("file:relative/x"), { kind: "file", path: "relative/x" });
  assert.ok("invalid" in parseSecretRef("env:"));
  assert.ok("invalid" in parseSecretRef("env:1BAD"));
  assert.ok("invalid" in parseSecretRef("env:A-B"));
  assert.ok("invalid" in parseSecretRef("file:"));
});

describe("resolveSecretRef", () => {
  const dir = mkdtempSync(join(tmpdir(), "crossdock-secret-"));
  writeFileSync(join(dir, "token"), "s3cret-from-file\n");
  writeFileSync(join(dir, "empty"), "\n");
  writeFileSync(join(dir, "huge"), "x".repeat(MAX_SECRET_FILE_BYTES + 1));
  mkdirSync(join(dir, "folder"));
  const options = { env: { SET: "from-env", EMPTY: "" }, baseDir: dir };

  test("an env reference becomes a Secret labelled with its variable", () => {
    const result = resolveSecretRef({ kind: "env", name: "SET" }, options);
    assert.ok(result.ok);
    assert.equal(result.secret.reveal(), "from-env");
    assert.equal(String(result.secret), "[secret env:SET]");
  });

  test("a relative file reference is read from the base folder, trailing newline dropped", () => {
    const result = resolveSecretRef({ kind: "file", path: "token" }, options);
    assert.ok(result.ok);
    assert.equal(result.secret.reveal(), "s3cret-from-file");
    assert.equal(result.secret.source, `file:${join(dir, "token")}`);
  });

  test("failures name the variable or the path, never a value", () => {
    const cases: Array<[Parameters<typeof resolveSecretRef>[0], RegExp]> = [
      [{ kind: "env", name: "UNSET" }, /UNSET is not set/],
      [{ kind: "env", name: "EMPTY" }, /EMPTY is empty/],
      [{ kind: "file", path: "missing" }, /cannot read secret file .*missing \(ENOENT\)/],
      [{ kind: "file", path: "empty" }, /is empty/],
      [{ kind: "file", path: "folder" }, /not a regular file/],
      [{ kind: "file", path: "huge" }, /larger than/],
      [{ kind: "file", path: "/dev/zero" }, /not a regular file/],
    ];
    for (const [ref, reason] of cases) {
      const result = resolveSecretRef(ref, options);
      assert.equal(result.ok, false, JSON.stringify(ref));
      if (!result.ok) assert.match(result.reason, reason);
    }
  });
});

test("redactUrl masks passwords and credential parameters, and nothing else", () => {
  const cases: Array<[string, string]> = [
    ["postgres://app:s3cret@db:5432/hub", "postgres://app:***@db:5432/hub"],
    ["postgresql://app:p@ss/w0rd@db/hub", "postgresql://app:***@db/hub"],
    ["postgres://db:5432/hub", "postgres://db:5432/hub"],
    ["https://ghp_TOKEN@github.com/x", "https://***@github.com/x"],
    [
      "postgres://db/hub?sslmode=require&sslpassword=abc&access_token=t",
      "postgres://db/hub?sslmode=require&sslpassword=***&access_token=***",
    ],
    ["sqlite:.crossdock/crossdock.db", "sqlite:.crossdock/crossdock.db"],
  ];
  for (const [url, expected] of cases) assert.equal(redactUrl(url), expected);
  assert.ok(!redactUrl("postgres://u:hunter2@h/db?password=hunter3").includes("hunter"));
});
