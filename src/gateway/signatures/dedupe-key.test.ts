import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { dedupeKeyFor } from "./dedupe-key.ts";

const body = Buffer.from('{"a":1}');
const sha = (text: string | Buffer) => createHash("sha256").update(text).digest("hex");

test("the scheme's id wins, then the header list in order, then the body hash", () => {
  const headers = { "x-request-id": "r-1", "webhook-id": "w-1", "idempotency-key": "i-1" };
  assert.equal(dedupeKeyFor("evt_1", headers, body), "evt_1");
  assert.equal(dedupeKeyFor(undefined, headers, body), "i-1");
  assert.equal(dedupeKeyFor(undefined, { "x-request-id": "r-1", "webhook-id": "w-1" }, body), "w-1");
  assert.equal(
    dedupeKeyFor(undefined, { "x-wc-webhook-delivery-id": "wc-1", "x-request-id": "r" }, body),
    "wc-1",
  );
  assert.equal(dedupeKeyFor(undefined, { "idempotency-key": "  " }, body), `sha256:${sha(body)}`);
  assert.equal(dedupeKeyFor(undefined, {}, body), `sha256:${sha(body)}`);
});

test("oversized or unprintable ids are hashed, stably", () => {
  const long = "x".repeat(5_000);
  assert.equal(dedupeKeyFor(undefined, { "idempotency-key": long }, body), `id-sha256:${sha(long)}`);
  assert.equal(dedupeKeyFor("a\u001b[2Jb", {}, body), `id-sha256:${sha("a\u001b[2Jb")}`);
  assert.equal(dedupeKeyFor("ünï", {}, body), `id-sha256:${sha("ünï")}`);
  assert.equal(dedupeKeyFor("y".repeat(200), {}, body), "y".repeat(200));
});
