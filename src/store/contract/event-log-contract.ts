import assert from "node:assert/strict";
import type { EventInput, StoredEvent } from "../store.ts";
import { rejectsWithCode, type StoreContractOptions, storeTest, TRACE } from "./contract-fixture.ts";

function ev(stream: string, type: string, data: EventInput["data"] = null): EventInput {
  return { stream, type, data };
}

const types = (events: StoredEvent[]) => events.map((e) => `${e.stream}/${e.type}`);

export function eventLogContract(suite: StoreContractOptions): void {
  storeTest(suite, "append numbers each stream 1, 2, 3 and keeps every field", async ({ store, clock }) => {
    const [a1, b1] = await store.events.append([
      { stream: "order:1", type: "order.received", data: { total: 10 }, trace: TRACE, causationId: "msg_1" },
      ev("order:2", "order.received"),
    ]);
    clock.advance(10);
    const [a2, a3] = await store.events.append([
      ev("order:1", "order.confirmed"),
      ev("order:1", "order.paid"),
    ]);
    assert.match(a1!.id, /^evt_/);
    assert.deepEqual(
      [a1, b1, a2, a3].map((e) => [e!.stream, e!.streamSeq]),
      [
        ["order:1", 1],
        ["order:2", 1],
        ["order:1", 2],
        ["order:1", 3],
      ],
    );
    assert.equal(new Set([a1, b1, a2, a3].map((e) => e!.position)).size, 4);
    const stream = await store.events.readStream("order:1");
    assert.deepEqual(stream, [a1, a2, a3]);
    assert.deepEqual(stream[0], {
      id: a1!.id,
      stream: "order:1",
      type: "order.received",
      data: { total: 10 },
      trace: TRACE,
      causationId: "msg_1",
      streamSeq: 1,
      position: a1!.position,
      createdAt: clock.now() - 10,
    });
    assert.equal(a3!.createdAt, clock.now());
    assert.deepEqual(await store.events.readStream("order:1", { afterSeq: 1, limit: 1 }), [a2]);
    assert.deepEqual(await store.events.readStream("order:none"), []);
  });

  storeTest(suite, "an invalid event is refused and nothing of its batch is stored", async ({ store }) => {
    const error = await rejectsWithCode(
      store.events.append([ev("s", "ok"), { stream: "", type: "x", data: null }]),
      "CDK_EVENT_INVALID",
    );
    assert.equal(error.details?.field, "stream");
    assert.deepEqual(await store.events.readStream("s"), []);
  });

  storeTest(
    suite,
    "a subscription polls in log order, filtered, and moves only on ack",
    async ({ store }) => {
      await store.events.subscribe("orders", {
        types: ["order.received", "order.paid"],
        streamPrefix: "order:",
      });
      await store.events.append([
        ev("order:1", "order.received"),
        ev("stock:A", "order.received"),
        ev("order:2", "order.received"),
        ev("order:1", "order.confirmed"),
        ev("order:1", "order.paid"),
      ]);
      const first = await store.events.poll("orders", 2);
      assert.deepEqual(types(first), ["order:1/order.received", "order:2/order.received"]);
      assert.deepEqual(await store.events.poll("orders", 2), first, "poll does not move the cursor");
      await store.events.ack("orders", first[1]!.position);
      const next = await store.events.poll("orders");
      assert.deepEqual(types(next), ["order:1/order.paid"]);
      await store.events.ack("orders", first[0]!.position);
      assert.deepEqual(await store.events.poll("orders"), next, "ack never moves the cursor backwards");
      await store.events.ack("orders", next[0]!.position);
      assert.deepEqual(await store.events.poll("orders"), []);
      const [info] = await store.events.subscriptions();
      assert.deepEqual(
        { ...info, updatedAt: 0 },
        {
          name: "orders",
          types: ["order.received", "order.paid"],
          streamPrefix: "order:",
          cursor: next[0]!.position,
          updatedAt: 0,
        },
      );
    },
  );

  storeTest(suite, "poll follows global append order across streams and batches", async ({ store }) => {
    await store.events.subscribe("all");
    await store.events.append([ev("b", "t1"), ev("a", "t2")]);
    await store.events.append([ev("c", "t3")]);
    await store.events.append([ev("a", "t4")]);
    assert.deepEqual(types(await store.events.poll("all", 10)), ["b/t1", "a/t2", "c/t3", "a/t4"]);
  });

  storeTest(suite, "subscribing again keeps the cursor and the original filter", async ({ store }) => {
    await store.events.subscribe("s", { types: ["a"] });
    const [e1] = await store.events.append([ev("x", "a"), ev("x", "b"), ev("x", "a")]);
    await store.events.ack("s", e1!.position);
    await store.events.subscribe("s", { types: ["b"], from: "end" });
    assert.deepEqual(types(await store.events.poll("s")), ["x/a"]);
    const [info] = await store.events.subscriptions();
    assert.deepEqual(info?.types, ["a"]);
    assert.equal(info?.cursor, e1!.position);
  });

  storeTest(suite, "from: end sees only events appended after subscribing", async ({ store }) => {
    await store.events.append([ev("x", "old"), ev("x", "old")]);
    await store.events.subscribe("tail", { from: "end" });
    await store.events.subscribe("head", { from: "beginning" });
    assert.deepEqual(await store.events.poll("tail"), []);
    await store.events.append([ev("x", "new")]);
    assert.deepEqual(types(await store.events.poll("tail")), ["x/new"]);
    assert.equal((await store.events.poll("head")).length, 3);
  });

  storeTest(suite, "poll skips a long run of non-matching events", async ({ store }) => {
    await store.events.subscribe("rare", { types: ["rare"] });
    await store.events.subscribe("prefixed", { streamPrefix: "sku:" });
    await store.events.append(Array.from({ length: 500 }, (_, i) => ev(`order:${i}`, "common")));
    await store.events.append([ev("sku:A", "rare")]);
    assert.deepEqual(types(await store.events.poll("rare", 10)), ["sku:A/rare"]);
    assert.deepEqual(types(await store.events.poll("prefixed", 10)), ["sku:A/rare"]);
  });

  storeTest(suite, "a stream prefix is matched literally, not as a pattern", async ({ store }) => {
    await store.events.subscribe("s", { streamPrefix: "a_%" });
    await store.events.append([ev("abc", "t"), ev("a_%1", "t"), ev("a_x", "t")]);
    assert.deepEqual(types(await store.events.poll("s")), ["a_%1/t"]);
  });

  storeTest(suite, "unknown subscriptions are reported", async ({ store }) => {
    await rejectsWithCode(store.events.poll("nope"), "CDK_SUBSCRIPTION_NOT_FOUND");
    const [e] = await store.events.append([ev("x", "t")]);
    await rejectsWithCode(store.events.ack("nope", e!.position), "CDK_SUBSCRIPTION_NOT_FOUND");
  });

  storeTest(
    suite,
    "ackSubscription in a transaction commits or rolls back with the other writes",
    async ({ store }) => {
      await store.events.subscribe("s");
      const [e1, e2] = await store.events.append([ev("x", "a"), ev("x", "b")]);
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.ackSubscription("s", e1!.position);
          await tx.appendEvents([ev("y", "produced")]);
          throw new Error("boom");
        }),
        /boom/,
      );
      assert.deepEqual(types(await store.events.poll("s")), ["x/a", "x/b"]);
      await store.transaction(async (tx) => {
        await tx.ackSubscription("s", e1!.position);
        await tx.appendEvents([ev("y", "produced")]);
      });
      assert.deepEqual(types(await store.events.poll("s")), ["x/b", "y/produced"]);
      assert.equal((await store.events.subscriptions())[0]?.cursor, e1!.position);
      assert.ok(e2);
    },
  );

  storeTest(suite, "a subscription's cursor survives a restart", async (fixture) => {
    if (!fixture.reopen) return;
    await fixture.store.events.subscribe("s", { types: ["a"] });
    const [e1] = await fixture.store.events.append([ev("x", "a"), ev("x", "b"), ev("x", "a")]);
    await fixture.store.events.ack("s", e1!.position);
    const reopened = await fixture.reopen();
    const [info] = await reopened.events.subscriptions();
    assert.equal(info?.cursor, e1!.position);
    assert.deepEqual(info?.types, ["a"]);
    const next = await reopened.events.poll("s");
    assert.equal(next.length, 1);
    assert.equal(next[0]?.streamSeq, 3);
    const [e4] = await reopened.events.append([ev("x", "a")]);
    assert.equal(e4?.streamSeq, 4, "stream numbering continues after a restart");
  });
}
