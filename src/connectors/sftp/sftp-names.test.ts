import assert from "node:assert/strict";
import { test } from "node:test";
import {
  archiveName,
  DEFAULT_TEMP_PATTERNS,
  isSafeName,
  remotePath,
  tempNameMatcher,
  truncateUtf8,
} from "./sftp-names.ts";

test("only single path segments are safe", () => {
  for (const name of ["a.csv", "..x", "x..", "line\nbreak", "-rf", "é".repeat(127)])
    assert.ok(isSafeName(name), name);
  for (const name of ["", ".", "..", "../x", "a/b", "/etc/passwd", "nul\0", "é".repeat(128)])
    assert.ok(!isSafeName(name), JSON.stringify(name));
  assert.throws(() => remotePath("inbound", "../x"), RangeError);
  assert.equal(remotePath("inbound/", "a"), "inbound/a");
});

test("default temporary patterns: *.part, *.tmp, dot files, *.filepart", () => {
  const isTemp = tempNameMatcher(DEFAULT_TEMP_PATTERNS);
  for (const name of ["a.part", "a.csv.tmp", ".a.csv", ".", "x.filepart"]) assert.ok(isTemp(name), name);
  for (const name of ["a.csv", "part", "a.parts", "a.part.csv", "tmp"]) assert.ok(!isTemp(name), name);
});

test("glob patterns treat regex characters literally and ? as one character", () => {
  const isTemp = tempNameMatcher(["upload-?.(1)", "*\n*"]);
  assert.ok(isTemp("upload-a.(1)"));
  assert.ok(!isTemp("upload-ab.(1)"));
  assert.ok(!isTemp("upload-a-(1)"));
  assert.ok(isTemp("a\nb"));
});

test("archive names carry a stamp and a hash and never pass 255 bytes", () => {
  const sha = "0123456789abcdef".repeat(4);
  assert.equal(
    archiveName("a.csv", Date.UTC(2026, 0, 2, 3, 4, 5, 6), sha),
    "a.csv.20260102T030405006Z.0123456789ab",
  );
  const long = archiveName("€".repeat(100), 0, sha, 11);
  assert.ok(Buffer.byteLength(long) <= 255 - 11);
  assert.ok(long.startsWith("€"));
  assert.equal(truncateUtf8("a€b", 3), "a", "never splits a character");
});
