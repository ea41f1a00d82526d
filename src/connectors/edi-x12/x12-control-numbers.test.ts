import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { ManualClock } from "../../core/clock.ts";
import { createSequentialIds } from "../../core/ids.ts";
import { createSqliteStore } from "../../store/sqlite/sqlite-store.ts";
import type { Store } from "../../store/store.ts";
import type { X12FunctionalAck } from "./x12-997-ack.ts";
import { createX12ControlNumbers } from "./x12-control-numbers.ts";

async function openStore(t: TestContext, clock: ManualClock) {
  const dir = await mkdtemp(join(tmpdir(), "crossdock-x12-"));
  const path = join(dir, "hub.db");
  const open = async (): Promise<Store> => {
    const store = await createSqliteStore({ path, clock, ids: createSequentialIds(), synchronous: "normal" });
    await store.migrate();
    return store;
  };
  const handle = {
    store: await open(),
    reopen: async () => {
      await handle.store.close();
      handle.store = await open();
      return handle.store;
    },
  };
  t.after(async () => {
    await handle.store.close();
    await rm(dir, { recursive: true, force: true });
  });
  return handle;
}

const ack = (group: string, status: X12FunctionalAck["status"]): X12FunctionalAck => ({
  functionalId: "SH",
  groupControlNumber: group,
  status,
  setsIncluded: 1,
  setsReceived: 1,
  setsAccepted: status === "R" ? 0 : 1,
  sets: [
    { type: "856", controlNumber: "0001", status: status === "R" ? "R" : "A", errors: [], segmentErrors: [] },
  ],
});

describe("X12 control numbers on SQLite", () => {
  it("allocates increasing ISA13/GS06/ST02 per partner, kept across a restart", async (t) => {
    const clock = new ManualClock(Date.UTC(2026, 2, 1));
    const handle = await openStore(t, clock);
    let numbers = createX12ControlNumbers(handle.store, clock);
    assert.deepEqual(await numbers.allocate("acme", 2), { interchange: 1, group: 1, sets: [1, 2] });
    assert.deepEqual(await numbers.allocate("acme", 1), { interchange: 2, group: 2, sets: [3] });
    assert.deepEqual(await numbers.allocate("globex", 1), { interchange: 1, group: 1, sets: [1] });
    numbers = createX12ControlNumbers(await handle.reopen(), clock);
    assert.deepEqual(await numbers.allocate("acme", 1), { interchange: 3, group: 3, sets: [4] });
  });

  it("never hands out the same number to concurrent allocations", async (t) => {
    const clock = new ManualClock();
    const handle = await openStore(t, clock);
    const numbers = createX12ControlNumbers(handle.store, clock);
    const all = await Promise.all(Array.from({ length: 20 }, () => numbers.allocate("acme", 1)));
    assert.equal(new Set(all.map((n) => n.interchange)).size, 20);
  });

  it("tracks 997 deadlines: acknowledged groups leave the overdue list, late ones raise CDK_EDI_ACK_OVERDUE", async (t) => {
    const clock = new ManualClock(Date.UTC(2026, 2, 1, 12));
    const handle = await openStore(t, clock);
    const numbers = createX12ControlNumbers(handle.store, clock, { ackDeadlineMs: 60 * 60 * 1000 });
    for (const group of [1, 2, 3]) {
      await numbers.expectAck("acme", {
        interchange: group,
        group,
        functionalId: "SH",
        sets: [{ type: "856", controlNumber: 1 }],
      });
    }
    assert.deepEqual(await numbers.overdue(), []);
    const accepted = await numbers.acknowledge("acme", ack("000000001", "A"));
    assert.equal(accepted.kind, "acknowledged");
    assert.equal(accepted.kind === "acknowledged" && accepted.record.status, "accepted");
    const rejected = await numbers.acknowledge("acme", ack("2", "R"));
    assert.equal(rejected.kind === "acknowledged" && rejected.record.status, "rejected");
    assert.deepEqual(await numbers.acknowledge("acme", ack("77", "A")), {
      kind: "unknown-group",
      partner: "acme",
      groupControlNumber: "77",
    });
    clock.advance(60 * 60 * 1000);
    const late = await numbers.overdue("acme");
    assert.deepEqual(
      late.map((l) => l.record.group),
      [3],
    );
    assert.equal(late[0]!.error.code, "CDK_EDI_ACK_OVERDUE");
    assert.match(late[0]!.error.message, /acme has not acknowledged group 3 \(interchange 000000003/);
    assert.deepEqual(await numbers.overdue("globex"), []);
  });
});
