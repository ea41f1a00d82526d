import assert from "node:assert/strict";
import { rejectsWithCode, type StoreContractOptions, storeTest } from "./contract-fixture.ts";

export function recordsContract(suite: StoreContractOptions): void {
  storeTest(suite, "records.get reads a committed record outside a transaction", async ({ store, clock }) => {
    assert.equal(await store.records.get("identity", "idn_1"), undefined);
    await store.transaction((tx) => tx.putRecord("identity", "idn_1", { name: "shop" }));
    assert.deepEqual(await store.records.get("identity", "idn_1"), {
      kind: "identity",
      key: "idn_1",
      data: { name: "shop" },
      version: 1,
      updatedAt: clock.now(),
    });
    assert.equal(await store.records.get("other", "idn_1"), undefined, "kinds are separate");
  });

  storeTest(suite, "records.list pages one kind in code point order with a prefix", async ({ store }) => {
    const keys = ["b", "a", "B", "a-2", "a_1", "é", "ab", "a\u{1F600}", "Z"];
    await store.transaction(async (tx) => {
      for (const key of keys) await tx.putRecord("k", key, { key });
      await tx.putRecord("other", "a", null);
    });
    const all = (await store.records.list("k")).map((r) => r.key);
    assert.deepEqual(all, ["B", "Z", "a", "a-2", "a_1", "ab", "a\u{1F600}", "b", "é"]);
    const page1 = await store.records.list("k", { limit: 4 });
    const page2 = await store.records.list("k", { limit: 4, afterKey: page1.at(-1)!.key });
    const page3 = await store.records.list("k", { limit: 4, afterKey: page2.at(-1)!.key });
    assert.deepEqual(
      [...page1, ...page2, ...page3].map((r) => r.key),
      all,
    );
    assert.equal(page3.length, 1);
    const prefixed = await store.records.list("k", { prefix: "a" });
    assert.deepEqual(
      prefixed.map((r) => r.key),
      ["a", "a-2", "a_1", "ab", "a\u{1F600}"],
    );
    const afterPrefixed = await store.records.list("k", { prefix: "a", afterKey: "a-2", limit: 2 });
    assert.deepEqual(
      afterPrefixed.map((r) => r.key),
      ["a_1", "ab"],
    );
    assert.deepEqual(await store.records.list("k", { prefix: "a_%" }), [], "no LIKE wildcards");
    assert.deepEqual(await store.records.list("none"), []);
    assert.equal((await store.records.list("k", { limit: 0 })).length, 1, "limit is at least 1");
  });

  storeTest(suite, "hostile keys are data, never SQL or wildcards", async ({ store }) => {
    const key = "x' OR '1'='1";
    await store.transaction((tx) => tx.putRecord("k", key, 1));
    assert.equal((await store.records.get("k", key))?.data, 1);
    assert.deepEqual(await store.records.list("k", { prefix: "%" }), []);
    assert.equal(await store.records.get("k", "nul\u0000key"), undefined);
    assert.deepEqual(await store.records.list("k", { afterKey: "nul\u0000" }), []);
    assert.equal(await store.transaction((tx) => tx.deleteRecord("k", "nul\u0000")), false);
  });

  storeTest(suite, "deleteRecord removes a record, optionally at an expected version", async ({ store }) => {
    await store.transaction((tx) => tx.putRecord("k", "a", 1));
    await store.transaction((tx) => tx.putRecord("k", "a", 2));
    assert.equal(await store.transaction((tx) => tx.deleteRecord("k", "missing")), false);
    const conflict = await rejectsWithCode(
      store.transaction((tx) => tx.deleteRecord("k", "a", { expectedVersion: 1 })),
      "CDK_STORE_CONFLICT",
    );
    assert.equal(conflict.details?.actual, 2);
    assert.equal((await store.records.get("k", "a"))?.version, 2, "a refused delete deletes nothing");
    assert.equal(await store.transaction((tx) => tx.deleteRecord("k", "a", { expectedVersion: 2 })), true);
    assert.equal(await store.records.get("k", "a"), undefined);
    await store.transaction((tx) => tx.putRecord("k", "b", 1));
    await assert.rejects(
      store.transaction(async (tx) => {
        await tx.deleteRecord("k", "b");
        throw new Error("rolled back");
      }),
      /rolled back/,
    );
    assert.equal((await store.records.get("k", "b"))?.data, 1, "a rolled-back delete keeps the record");
    const again = await store.transaction((tx) => tx.putRecord("k", "a", 3));
    assert.equal(again.version, 1, "a deleted key starts again at version 1");
  });
}
