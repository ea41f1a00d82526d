import assert from "node:assert/strict";
import { INBOX_PROCESS_KIND, INBOX_TARGET, type InboxMessageInput } from "../store.ts";
import {
  bytes,
  hex,
  rejectsWithCode,
  type StoreContractOptions,
  storeTest,
  TRACE,
} from "./contract-fixture.ts";

function message(dedupeKey: string, overrides: Partial<InboxMessageInput> = {}): InboxMessageInput {
  return {
    source: "webhook",
    connection: "shop",
    dedupeKey,
    body: bytes(`{"id":"${dedupeKey}"}`),
    ...overrides,
  };
}

export function inboxContract(suite: StoreContractOptions): void {
  storeTest(suite, "append stores the message and returns its receipt", async ({ store, clock }) => {
    const body = bytes('{"order":"SO1"}');
    const receipt = await store.inbox.append({
      source: "webhook",
      connection: "shop",
      dedupeKey: "wh-1",
      body,
      headers: { "x-shopify-topic": "orders/create" },
      contentType: "application/json",
      trace: TRACE,
      orderingKey: "order:SO1",
    });
    assert.match(receipt.id, /^msg_/);
    assert.deepEqual(receipt, {
      id: receipt.id,
      connection: "shop",
      dedupeKey: "wh-1",
      receivedAt: clock.now(),
      duplicate: false,
    });
    const stored = await store.inbox.get(receipt.id);
    assert.ok(stored);
    assert.equal(hex(stored.body), hex(body));
    assert.deepEqual(
      { ...stored, body: undefined },
      {
        id: receipt.id,
        source: "webhook",
        connection: "shop",
        dedupeKey: "wh-1",
        body: undefined,
        headers: { "x-shopify-topic": "orders/create" },
        contentType: "application/json",
        receivedAt: clock.now(),
        trace: TRACE,
        size: body.byteLength,
      },
    );
    assert.equal(await store.inbox.get("msg_missing"), undefined);
  });

  storeTest(
    suite,
    "optional fields default: no headers, no content type, given receivedAt",
    async ({ store }) => {
      const receipt = await store.inbox.append(message("a", { receivedAt: 1_000, body: new Uint8Array(0) }));
      assert.equal(receipt.receivedAt, 1_000);
      const stored = await store.inbox.get(receipt.id);
      assert.deepEqual(stored?.headers, {});
      assert.equal(stored?.contentType, undefined);
      assert.equal(stored?.trace, undefined);
      assert.equal(stored?.size, 0);
      assert.equal(stored?.receivedAt, 1_000);
    },
  );

  storeTest(suite, "a new message gets its processing job", async ({ store }) => {
    const receipt = await store.inbox.append(message("wh-1", { orderingKey: "order:SO1", trace: TRACE }));
    await store.inbox.createPendingJobs();
    const job = await store.jobs.getByIdempotencyKey(`inbox:${receipt.id}`);
    assert.ok(job);
    assert.match(job.id, /^job_/);
    assert.equal(job.target, INBOX_TARGET);
    assert.equal(job.kind, INBOX_PROCESS_KIND);
    assert.deepEqual(job.payload, { messageId: receipt.id });
    assert.equal(job.orderingKey, "order:SO1");
    assert.equal(job.status, "ready");
    assert.deepEqual(job.trace, TRACE);
    const withoutKey = await store.inbox.append(message("wh-2"));
    await store.inbox.createPendingJobs();
    assert.equal((await store.jobs.getByIdempotencyKey(`inbox:${withoutKey.id}`))?.orderingKey, undefined);
  });

  storeTest(
    suite,
    "a claim finds the jobs of messages appended just before it, in arrival order, each once",
    async ({ store, clock }) => {
      const receipts = [];
      for (const key of ["a", "b", "c"]) {
        receipts.push(await store.inbox.append(message(key)));
        clock.advance(10);
      }
      const depth = (await store.jobs.depth()).find((d) => d.target === INBOX_TARGET);
      assert.equal(depth?.ready, 3, "waiting messages count as ready inbox work");
      assert.equal(depth?.oldestAgeMs, 30, "aged from the first message's arrival");
      const claimed = await store.jobs.claim({
        workerId: "w",
        targets: [INBOX_TARGET],
        limit: 10,
        leaseMs: 1_000,
      });
      assert.deepEqual(
        claimed.map((job) => (job.payload as { messageId: string }).messageId),
        receipts.map((r) => r.id),
      );
      assert.deepEqual(
        claimed.map((job) => job.createdAt),
        receipts.map((r) => r.receivedAt),
        "a job counts from its message's arrival",
      );
      assert.equal(await store.inbox.createPendingJobs(), 0, "nothing left to make");
      assert.equal((await store.jobs.list({ target: INBOX_TARGET })).length, 3);
      const after = (await store.jobs.depth()).find((d) => d.target === INBOX_TARGET);
      assert.equal(after?.ready, 0);
      assert.equal(after?.running, 3);
    },
  );

  storeTest(
    suite,
    "jobs for a backlog larger than one batch are all made, none twice, ordering keys respected",
    async ({ store }) => {
      const total = 600;
      await Promise.all(
        Array.from({ length: total }, (_, i) =>
          store.inbox.append(message(`m${i}`, i % 100 === 0 ? { orderingKey: "order:1" } : {})),
        ),
      );
      let made = 0;
      for (let n = await store.inbox.createPendingJobs(); n > 0; n = await store.inbox.createPendingJobs()) {
        assert.ok(n <= 512, `one call makes at most a batch (${n})`);
        made += n;
      }
      const jobs = await store.jobs.list({ target: INBOX_TARGET, limit: 1_000 });
      assert.equal(jobs.length, total);
      assert.ok(made === total || made === 0, `made ${made}: all here, or all by the appends themselves`);
      const keyed = jobs.filter((job) => job.orderingKey === "order:1");
      assert.equal(keyed.length, 6);
      assert.equal(keyed.filter((job) => job.status === "ready").length, 1, "one head per ordering key");
      assert.equal(keyed.filter((job) => job.status === "waiting").length, 5);
    },
  );

  storeTest(
    suite,
    "a duplicate (connection, dedupeKey) returns the first receipt and stores nothing",
    async ({ store, clock }) => {
      const first = await store.inbox.append(message("wh-1"));
      clock.advance(5_000);
      const again = await store.inbox.append(message("wh-1", { body: bytes("different") }));
      assert.deepEqual(again, { ...first, duplicate: true });
      const other = await store.inbox.append(message("wh-1", { connection: "b2b" }));
      assert.equal(other.duplicate, false);
      assert.notEqual(other.id, first.id);
      assert.equal((await store.inbox.list()).length, 2);
      await store.inbox.createPendingJobs();
      assert.equal((await store.jobs.list({ target: INBOX_TARGET })).length, 2);
      assert.equal(hex((await store.inbox.get(first.id))!.body), hex(message("wh-1").body));
    },
  );

  storeTest(
    suite,
    "200 concurrent appends are group-committed; duplicates among them dedupe",
    async ({ store }) => {
      // Keys 0..49 are sent twice in the same tick: the later one must be a duplicate of the earlier.
      const receipts = await Promise.all(
        Array.from({ length: 200 }, (_, i) => store.inbox.append(message(`k${i % 150}`))),
      );
      assert.equal(receipts.length, 200);
      for (let i = 0; i < 150; i++) assert.equal(receipts[i]!.duplicate, false, `k${i} is new`);
      for (let i = 150; i < 200; i++) {
        assert.equal(receipts[i]!.duplicate, true, `append #${i} is a duplicate`);
        assert.equal(receipts[i]!.id, receipts[i - 150]!.id);
      }
      assert.equal(new Set(receipts.map((r) => r.id)).size, 150);
      const listed = await store.inbox.list({ limit: 1_000 });
      assert.equal(listed.length, 150);
      assert.deepEqual(
        listed.map((m) => m.dedupeKey),
        Array.from({ length: 150 }, (_, i) => `k${i}`),
        "arrival order",
      );
      await store.inbox.createPendingJobs();
      assert.equal((await store.jobs.list({ target: INBOX_TARGET, limit: 1_000 })).length, 150);
    },
  );

  storeTest(
    suite,
    "oversized and incomplete messages are refused before anything is stored",
    async ({ store }) => {
      const tooLarge = await rejectsWithCode(
        store.inbox.append(message("big", { body: new Uint8Array(1_025) })),
        "CDK_INBOX_MESSAGE_TOO_LARGE",
      );
      assert.deepEqual(tooLarge.details, { size: 1_025, limit: 1_024 });
      await store.inbox.append(message("exact", { body: new Uint8Array(1_024) }));
      for (const field of ["connection", "dedupeKey", "source"] as const) {
        const error = await rejectsWithCode(
          store.inbox.append(message("x", { [field]: "" })),
          "CDK_INBOX_INVALID_MESSAGE",
        );
        assert.match(error.message, new RegExp(field));
        assert.equal(error.details?.field, field);
      }
      const listed = await store.inbox.list();
      assert.deepEqual(
        listed.map((m) => m.dedupeKey),
        ["exact"],
      );
    },
    { config: { maxMessageBytes: 1_024 } },
  );

  storeTest(
    suite,
    "past maxPendingAppends, appends are refused with a retry hint and the rest are stored",
    async ({ store }) => {
      const results = await Promise.allSettled(
        Array.from({ length: 30 }, (_, i) => store.inbox.append(message(`k${i}`))),
      );
      const refused = results.filter((r) => r.status === "rejected");
      const stored = results.filter((r) => r.status === "fulfilled");
      assert.ok(refused.length > 0, "some appends are refused");
      for (const r of refused) {
        const reason = r.reason as { code: string; retryAfterMs: number };
        assert.equal(reason.code, "CDK_INBOX_OVERLOADED");
        assert.ok(reason.retryAfterMs > 0);
      }
      assert.equal((await store.inbox.list({ limit: 100 })).length, stored.length);
    },
    { config: { maxPendingAppends: 5 } },
  );

  storeTest(suite, "list filters by connection and time and pages by id", async ({ store, clock }) => {
    const a = await store.inbox.append(message("a"));
    clock.advance(1_000);
    const since = clock.now();
    const b = await store.inbox.append(message("b", { connection: "b2b" }));
    const c = await store.inbox.append(message("c"));
    const d = await store.inbox.append(message("d"));
    const ids = (list: { id: string }[]) => list.map((m) => m.id);
    assert.deepEqual(ids(await store.inbox.list()), [a.id, b.id, c.id, d.id]);
    assert.deepEqual(ids(await store.inbox.list({ connection: "shop" })), [a.id, c.id, d.id]);
    assert.deepEqual(ids(await store.inbox.list({ since })), [b.id, c.id, d.id]);
    assert.deepEqual(ids(await store.inbox.list({ limit: 2 })), [a.id, b.id]);
    assert.deepEqual(ids(await store.inbox.list({ afterId: b.id, limit: 1 })), [c.id]);
    assert.deepEqual(ids(await store.inbox.list({ afterId: a.id, connection: "shop" })), [c.id, d.id]);
    const [first] = await store.inbox.list({ limit: 1 });
    assert.equal(hex(first!.body), hex(message("a").body), "bodies included");
  });
}
