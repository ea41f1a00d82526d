import assert from "node:assert/strict";
import type { AuditEntryInput } from "../store.ts";
import { rejectsWithCode, type StoreContractOptions, storeTest, TRACE } from "./contract-fixture.ts";

const entry = (overrides: Partial<AuditEntryInput> = {}): AuditEntryInput => ({
  actor: "idn_shop",
  action: "POST /api/v1/orders",
  outcome: "ok",
  status: 201,
  ...overrides,
});

export function auditContract(suite: StoreContractOptions): void {
  storeTest(
    suite,
    "audit.append stores entries with ids and times, read back newest last",
    async ({ store, clock }) => {
      const [first] = await store.audit.append([
        entry({ resource: "SO1", details: { key: "cdk_ab12" }, trace: TRACE }),
      ]);
      assert.match(first!.id, /^aud_/);
      assert.equal(first!.at, clock.now());
      clock.advance(1_000);
      const [second, third] = await store.audit.append([
        entry({ actor: "anonymous", outcome: "denied", status: 401, details: null }),
        entry({ id: "aud_given", at: 5, action: "identity.create", outcome: "error" }),
      ]);
      assert.equal(third!.id, "aud_given");
      assert.equal(third!.at, 5);
      const listed = await store.audit.list();
      assert.deepEqual(listed, [first, second, third]);
      assert.deepEqual(listed[0], {
        id: first!.id,
        at: clock.now() - 1_000,
        actor: "idn_shop",
        action: "POST /api/v1/orders",
        resource: "SO1",
        outcome: "ok",
        status: 201,
        details: { key: "cdk_ab12" },
        trace: TRACE,
      });
      assert.equal(listed[1]!.details, null, "a JSON null is kept, not dropped");
      assert.equal(listed[2]!.resource, undefined);
      assert.equal(listed[2]!.details, undefined);
    },
  );

  storeTest(suite, "audit.list filters by actor, action, time and pages by id", async ({ store, clock }) => {
    for (let i = 0; i < 6; i++) {
      await store.audit.append([entry({ actor: i % 2 ? "a" : "b", action: i < 3 ? "x" : "y" })]);
      clock.advance(100);
    }
    const start = clock.now() - 600;
    assert.equal((await store.audit.list({ actor: "a" })).length, 3);
    assert.equal((await store.audit.list({ action: "y", actor: "b" })).length, 1);
    const window = await store.audit.list({ since: start + 100, until: start + 300 });
    assert.deepEqual(
      window.map((e) => e.at),
      [start + 100, start + 200],
    );
    const page1 = await store.audit.list({ limit: 4 });
    const page2 = await store.audit.list({ limit: 4, afterId: page1.at(-1)!.id });
    assert.equal(page2.length, 2);
    assert.deepEqual([...page1, ...page2], await store.audit.list());
    const latest = await store.audit.list({ latest: true, limit: 2 });
    assert.deepEqual(latest, page2, "latest takes the newest, still newest last");
    assert.deepEqual(await store.audit.list({ afterId: "aud_unknown" }), []);
    assert.deepEqual(await store.audit.list({ actor: "a\u0000" }), []);
  });

  storeTest(
    suite,
    "concurrent appends are all stored, each caller answered with its own",
    async ({ store }) => {
      const calls = Array.from({ length: 50 }, (_, i) => store.audit.append([entry({ resource: `r${i}` })]));
      const answers = await Promise.all(calls);
      assert.deepEqual(
        answers.map((a) => a[0]!.resource),
        answers.map((_, i) => `r${i}`),
      );
      assert.equal((await store.audit.list({ limit: 1_000 })).length, 50);
    },
  );

  storeTest(
    suite,
    "invalid entries are refused with the field and index, storing nothing",
    async ({ store }) => {
      const cases: [unknown, string][] = [
        [{ ...entry(), actor: "" }, "actor"],
        [{ ...entry(), actor: 42 }, "actor"],
        [{ ...entry(), action: undefined }, "action"],
        [{ ...entry(), actor: "x".repeat(201) }, "actor"],
        [{ ...entry(), resource: "r".repeat(1_001) }, "resource"],
        [{ ...entry(), outcome: "maybe" }, "outcome"],
        [{ ...entry(), status: 1.5 }, "status"],
        [{ ...entry(), at: Number.NaN }, "at"],
        [{ ...entry(), details: { big: "d".repeat(9_000) } }, "details"],
        [{ ...entry(), actor: "nul\u0000" }, "actor"],
        [{ ...entry(), details: { s: "nul\u0000" } }, "details"],
        [null, "entry"],
      ];
      for (const [bad, field] of cases) {
        const error = await rejectsWithCode(
          store.audit.append([entry(), bad as AuditEntryInput]),
          "CDK_AUDIT_INVALID",
        );
        assert.equal(error.details?.field, field);
        assert.equal(error.details?.index, 1);
      }
      await rejectsWithCode(
        store.audit.append(Array.from({ length: 1_001 }, () => entry())),
        "CDK_AUDIT_INVALID",
      );
      await rejectsWithCode(
        store.transaction((tx) => tx.appendAudit([{ ...entry(), outcome: "nope" } as never])),
        "CDK_AUDIT_INVALID",
      );
      assert.deepEqual(await store.audit.list(), []);
      assert.deepEqual(await store.audit.append([]), []);
    },
  );

  storeTest(suite, "a duplicate id fails its own call only", async ({ store }) => {
    await store.audit.append([entry({ id: "aud_same" })]);
    const results = await Promise.allSettled([
      store.audit.append([entry({ id: "aud_same" })]),
      store.audit.append([entry({ id: "aud_other" })]),
    ]);
    assert.equal(results[0].status, "rejected");
    assert.equal(results[1].status, "fulfilled");
    assert.deepEqual(
      (await store.audit.list()).map((e) => e.id),
      ["aud_same", "aud_other"],
    );
  });

  storeTest(suite, "tx.appendAudit commits and rolls back with the transaction", async ({ store }) => {
    await store.transaction(async (tx) => {
      await tx.putRecord("identity", "idn_1", { name: "shop" });
      await tx.appendAudit([entry({ action: "identity.create", resource: "idn_1" })]);
    });
    await assert.rejects(
      store.transaction(async (tx) => {
        await tx.appendAudit([entry({ action: "identity.delete", resource: "idn_1" })]);
        throw new Error("abort");
      }),
      /abort/,
    );
    assert.deepEqual(
      (await store.audit.list()).map((e) => e.action),
      ["identity.create"],
    );
  });

  storeTest(suite, "audit entries survive a restart", async (fixture) => {
    if (!fixture.reopen) return;
    await fixture.store.audit.append([entry({ resource: "durable" })]);
    const reopened = await fixture.reopen();
    assert.equal((await reopened.audit.list())[0]?.resource, "durable");
  });
}
