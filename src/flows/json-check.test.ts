import assert from "node:assert/strict";
import { test } from "node:test";
import { findNonJson } from "./json-check.ts";

test("JSON values pass, undefined object properties included", () => {
  assert.equal(findNonJson({ a: [1, "x", true, null, { b: undefined }], c: -0.5 }), undefined);
  assert.equal(findNonJson(undefined), "$", "undefined itself is not JSON");
  assert.equal(findNonJson(Object.create(null)), undefined);
});

test("values that would come back different from storage are located", () => {
  assert.equal(findNonJson({ at: new Date(0) }), "$.at");
  assert.equal(findNonJson({ lines: [1, Number.NaN] }), "$.lines[1]");
  assert.equal(findNonJson([undefined]), "$[0]");
  assert.equal(findNonJson({ m: new Map() }), "$.m");
  assert.equal(findNonJson({ n: 1n }), "$.n");
  assert.equal(findNonJson({ f: () => 1 }), "$.f");
});
