import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import {
  CrossdockError,
  ERROR_CATALOGUE,
  type ErrorCode,
  isCrossdockError,
  type StoredError,
  toStoredError,
} from "./errors.ts";

const codes = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

/** `docs/errors.md` split into its `## ` sections: heading -> body. */
function docSections(): Map<string, string> {
  const text = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");
  const sections = new Map<string, string>();
  const parts = text.split(/^## /m).slice(1);
  for (const part of parts) {
    const newline = part.indexOf("\n");
    const heading = part.slice(0, newline).trim();
    assert.ok(!sections.has(heading), `${heading} is documented twice`);
    sections.set(heading, part.slice(newline + 1));
  }
  return sections;
}

describe("docs/errors.md agrees with the catalogue", () => {
  const sections = docSections();

  test("every catalogue code has a section, and every section is a catalogue code", () => {
    const undocumented = codes.filter((code) => !sections.has(code));
    const unknown = [...sections.keys()].filter((heading) => !Object.hasOwn(ERROR_CATALOGUE, heading));
    assert.deepEqual(undocumented, [], "codes missing from docs/errors.md");
    assert.deepEqual(unknown, [], "sections in docs/errors.md that are not catalogue codes");
  });

  test("each section says what it means, its class as catalogued, and what to do", () => {
    for (const code of codes) {
      const body = sections.get(code) ?? "";
      assert.match(body, /\*\*What it means:\*\* \S/, `${code}: no "What it means"`);
      const todo = /\*\*What to do:\*\*([\s\S]*)/.exec(body)?.[1]?.trim() ?? "";
      assert.ok(todo.length >= 60, `${code}: "What to do" is missing or too short to act on`);
      assert.ok(
        body.includes(`Class: \`${ERROR_CATALOGUE[code].failureClass}\``),
        `${code}: the documented class differs from the catalogue's ${ERROR_CATALOGUE[code].failureClass}`,
      );
    }
  });
});

test("catalogue entries are well formed", () => {
  for (const code of codes) {
    assert.match(code, /^CDK_[A-Z0-9]+(_[A-Z0-9]+)*$/);
    assert.ok(ERROR_CATALOGUE[code].title.length > 0);
    assert.ok(["transient", "config", "business"].includes(ERROR_CATALOGUE[code].failureClass));
  }
});

describe("CrossdockError", () => {
  test("takes its class from the catalogue; only transient is retryable", () => {
    const transient = new CrossdockError("CDK_STORE_UNAVAILABLE", "db down");
    const config = new CrossdockError("CDK_CONFIG_INVALID", "bad file");
    assert.deepEqual([transient.failureClass, transient.retryable], ["transient", true]);
    assert.deepEqual([config.failureClass, config.retryable], ["config", false]);
    assert.ok(transient instanceof Error);
    assert.equal(transient.name, "CrossdockError");
    assert.equal(transient.message, "db down");
    assert.match(String(transient.stack), /CrossdockError: db down/);
  });

  test("a per-failure class overrides the catalogue's, and retryable follows it", () => {
    const error = new CrossdockError("CDK_TARGET_REJECTED", "409", { failureClass: "transient" });
    assert.deepEqual([error.failureClass, error.retryable], ["transient", true]);
  });

  test("keeps cause, retryAfterMs and details", () => {
    const cause = new Error("ECONNRESET");
    const error = new CrossdockError("CDK_INBOX_OVERLOADED", "busy", {
      cause,
      retryAfterMs: 1_500,
      details: { pending: 10_001 },
    });
    assert.equal(error.cause, cause);
    assert.equal(error.retryAfterMs, 1_500);
    assert.deepEqual(error.details, { pending: 10_001 });
  });

  test("toJSON is the storable form: no stack, no cause, optional fields only when set", () => {
    const plain = new CrossdockError("CDK_JOB_NOT_FOUND", "no job j1", { cause: new Error("x") });
    assert.deepEqual(plain.toJSON(), {
      code: "CDK_JOB_NOT_FOUND",
      message: "no job j1",
      failureClass: "business",
    });
    const full = new CrossdockError("CDK_TARGET_UNAVAILABLE", "503", {
      retryAfterMs: 2_000,
      details: { status: 503 },
    });
    assert.deepEqual(JSON.parse(JSON.stringify(full)), {
      code: "CDK_TARGET_UNAVAILABLE",
      message: "503",
      failureClass: "transient",
      retryAfterMs: 2_000,
      details: { status: 503 },
    });
  });
});

test("isCrossdockError tells our errors from others", () => {
  assert.equal(isCrossdockError(new CrossdockError("CDK_INTERNAL", "x")), true);
  assert.equal(isCrossdockError(new Error("x")), false);
  assert.equal(isCrossdockError({ code: "CDK_INTERNAL", message: "x" }), false);
});

describe("toStoredError", () => {
  test("a CrossdockError is stored as its toJSON", () => {
    const error = new CrossdockError("CDK_DECODE_FAILED", "bad JSON at 1:5", { details: { line: 1 } });
    assert.deepEqual(toStoredError(error), error.toJSON());
  });

  test("anything else becomes a transient CDK_JOB_FAILED with its message", () => {
    const cases: Array<[unknown, string]> = [
      [new TypeError("undefined is not a function"), "undefined is not a function"],
      ["plain string", "plain string"],
      [42, "42"],
      [undefined, "undefined"],
    ];
    for (const [thrown, message] of cases) {
      const stored: StoredError = toStoredError(thrown);
      assert.deepEqual(stored, { code: "CDK_JOB_FAILED", message, failureClass: "transient" });
    }
  });
});
