import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { startWithRpc } from "./rpc-client.ts";

describe("write_date, latency and workers", () => {
  test("write_date is the call's start stamp (UTC, seconds) shared by every record it writes", async () => {
    let clock = Date.UTC(2026, 0, 15, 10, 20, 30, 900);
    const rpc = await startWithRpc({ now: () => clock });
    try {
      const ids = await rpc.call("res.partner", "create", [[{ name: "A" }, { name: "B" }]]);
      const rows = await rpc.call("res.partner", "read", [ids, ["write_date", "create_date"]]);
      for (const row of rows) {
        assert.equal(row.write_date, "2026-01-15 10:20:30");
        assert.equal(row.create_date, "2026-01-15 10:20:30");
      }
      clock += 5000;
      await rpc.call("res.partner", "write", [[ids[0]], { ref: "r" }]);
      const [a] = await rpc.call("res.partner", "read", [[ids[0]], ["write_date", "create_date"]]);
      assert.equal(a.write_date, "2026-01-15 10:20:35");
      assert.equal(a.create_date, "2026-01-15 10:20:30");
      const since = await rpc.call("res.partner", "search", [[["write_date", ">=", "2026-01-15 10:20:35"]]], {
        order: "write_date asc, id asc",
      });
      assert.deepEqual(since, [ids[0]]);
    } finally {
      await rpc.odoo.close();
    }
  });

  test("a slow call commits records whose write_date is already in the past", async () => {
    const rpc = await startWithRpc({ latency: { perRecordMs: { "res.partner.create": 600 } } });
    try {
      const started = Date.now();
      const pending = rpc.call("res.partner", "create", [[{ name: "Slow 1" }, { name: "Slow 2" }]]);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(
        rpc.odoo.env().search("res.partner", [["name", "like", "Slow"]]),
        [],
        "not visible before commit",
      );
      const ids = await pending;
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 1150, `2 records x 600 ms, took ${elapsed}`);
      const [row] = rpc.odoo.env().read("res.partner", [ids[0]], ["write_date"]);
      const stampMs = Date.parse(`${String(row?.write_date).replace(" ", "T")}Z`);
      assert.ok(Date.now() - stampMs >= 1000, "the stamp predates the commit by the latency");
      const logged = rpc.odoo.calls.of("res.partner", "create").at(-1);
      assert.equal(logged?.records, 2);
      assert.equal(logged?.outcome, "ok");
    } finally {
      await rpc.odoo.close();
    }
  });

  test("at most `workers` calls run at once; the rest queue in FIFO order", async () => {
    const rpc = await startWithRpc({ workers: 2, latency: { perCallMs: 150 } });
    try {
      const started = Date.now();
      const done: number[] = [];
      await Promise.all(
        [0, 1, 2, 3, 4].map((i) =>
          rpc.call("res.partner", "search_count", [[["id", ">", i]]]).then(() => done.push(i)),
        ),
      );
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 440, `5 calls, 2 workers, 150 ms each: 3 rounds, took ${elapsed}`);
      assert.ok(elapsed < 1500, `took ${elapsed}`);
      const log = rpc.odoo.calls.of("res.partner", "search_count");
      assert.equal(log.length, 5);
    } finally {
      await rpc.odoo.close();
    }
  });
});
