import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeIdRanges, encodeIdRanges } from "./change-cursor.ts";

test("id ranges round-trip", () => {
  assert.equal(encodeIdRanges([5, 1, 2, 3, 9, 10]), "1-3,5,9-10");
  assert.deepEqual(decodeIdRanges("1-3,5,9-10"), [1, 2, 3, 5, 9, 10]);
  assert.equal(encodeIdRanges([]), "");
});
