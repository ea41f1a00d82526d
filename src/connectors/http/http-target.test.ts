import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, test } from "node:test";
import { startRecorder } from "../../../sandbox/recorder/recorder-server.ts";
import type { CrossdockError } from "../../core/errors.ts";
import type { ClaimedJob } from "../../store/store.ts";
import { createHttpTarget, parseRetryAfter } from "./http-target.ts";

function job(key: string, payload: unknown = { sku: "A1", qty: 2 }): ClaimedJob {
  return { idempotencyKey: key, payload, trace: undefined } as unknown as ClaimedJob;
}
const ctx = { signal: new AbortController().signal, attempt: 1 };

async function statusServer(status: number, headers: Record<string, string> = {}) {
  const server = createServer((_req, res) => {
    res.writeHead(status, headers);
    res.end('{"error":"nope"}');
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  after(() => server.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

test("delivers with the idempotency key; a repeat is answered without a second effect", async () => {
  const recorder = await startRecorder();
  after(() => recorder.close());
  const target = createHttpTarget({ name: "wms", url: recorder.url });
  after(() => target.close?.());
  const first = await target.deliver(job("k1"), ctx);
  const second = await target.deliver(job("k1"), ctx);
  assert.deepEqual(first, { effectId: 1, replayed: false });
  assert.deepEqual(second, { effectId: 1, replayed: true });
  assert.equal(recorder.applications.get("k1"), 1);
  assert.equal(recorder.attempts.get("k1"), 2);
});

test("statuses are classified: 503 transient with Retry-After, 401 config, 422 business", async () => {
  const cases: [number, Record<string, string>, string, string][] = [
    [503, { "retry-after": "7" }, "CDK_TARGET_UNAVAILABLE", "transient"],
    [429, {}, "CDK_TARGET_UNAVAILABLE", "transient"],
    [401, {}, "CDK_TARGET_AUTH", "config"],
    [422, {}, "CDK_TARGET_REJECTED", "business"],
  ];
  for (const [status, headers, code, failureClass] of cases) {
    const target = createHttpTarget({ name: "t", url: await statusServer(status, headers) });
    const error = (await target.deliver(job("k"), ctx).then(
      () => assert.fail("should throw"),
      (e: unknown) => e,
    )) as CrossdockError;
    await target.close?.();
    assert.equal(error.code, code, `status ${status}`);
    assert.equal(error.failureClass, failureClass);
    assert.equal(error.details?.status, status);
    if (headers["retry-after"]) assert.equal(error.retryAfterMs, 7_000);
  }
});

test("a refused connection is transient and names the target", async () => {
  const target = createHttpTarget({ name: "gone", url: "http://127.0.0.1:1/" });
  await assert.rejects(target.deliver(job("k"), ctx), (e: CrossdockError) => {
    assert.equal(e.code, "CDK_TARGET_UNAVAILABLE");
    assert.match(e.message, /target gone: POST http:\/\/127\.0\.0\.1:1\/ failed/);
    return true;
  });
  await target.close?.();
});

test("Retry-After accepts seconds and HTTP dates, ignores garbage", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  assert.equal(parseRetryAfter("120", now), 120_000);
  assert.equal(parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now), 30_000);
  assert.equal(parseRetryAfter("soon", now), undefined);
  assert.equal(parseRetryAfter(undefined, now), undefined);
});
