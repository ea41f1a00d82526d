import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Command } from "commander";
import { systemClock } from "../core/clock.ts";
import { createIdGenerator } from "../core/ids.ts";
import { persistInventory, saveInventoryOptions } from "../inventory/inventory-persistence.ts";
import { createTestInventory, testOptions } from "../inventory/inventory-test-fixture.ts";
import { createSqliteStore } from "../store/sqlite/sqlite-store.ts";
import { registerStockCommand } from "./stock-command.ts";

async function run(dir: string, ...argv: string[]) {
  const out: string[] = [];
  const program = new Command().exitOverride().option("--json");
  const io = { out: (t: string) => out.push(t), err: () => {}, env: {}, cwd: dir };
  registerStockCommand(program, io, () => ({
    config: join(dir, "crossdock.yaml"),
    json: program.opts().json === true,
  }));
  await program.parseAsync(["node", "crossdock", ...argv]);
  return out.join("\n");
}

test("stock explain prints every term, where it came from and how fresh it is", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "crossdock-stock-cli-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(
    join(dir, "crossdock.yaml"),
    "version: 1\nstore:\n  url: sqlite:hub.db\nconnections:\n  shop: { type: webhook-json }\n",
  );
  const store = await createSqliteStore({
    path: join(dir, "hub.db"),
    clock: systemClock,
    ids: createIdGenerator(systemClock),
  });
  await store.migrate();
  const options = testOptions({ web: { sharePercent: 50 } });
  const inv = createTestInventory(options);
  const now = Date.now();
  inv.state.applyLevel({
    source: "odoo",
    warehouse: "WH",
    sku: "A",
    onHand: "10",
    reserved: "2",
    observedAt: now,
  });
  inv.state.applyLevel({
    source: "tpl",
    warehouse: "TPL",
    sku: "A",
    onHand: "6",
    observedAt: now - 2 * 3_600_000,
    incoming: "40",
  });
  inv.state.reserve("web:1", "web", now, [{ sku: "A", quantity: "1" }]);
  inv.planner.confirm("web", [{ sku: "A", quantity: 5 }], now);
  await store.transaction((tx) => saveInventoryOptions(tx, options));
  await persistInventory(store, inv);
  await store.close();

  const text = await run(dir, "stock", "explain", "A", "--channel", "web");
  assert.match(text, /A on web: 3/);
  assert.match(text, /STALE \(tpl\), policy conservative/);
  assert.match(text, /stale-as-zero/);
  assert.match(text, /web:1/);
  assert.match(text, /after share\s+3\.5/);
  assert.match(text, /told\s+5 at .*differs/);
  assert.match(text, /incoming \(not counted\): 40 at TPL/);
  const json = JSON.parse(await run(dir, "--json", "stock", "explain", "A"));
  assert.deepEqual(
    json.map((e: { channel: string; quantity: number }) => [e.channel, e.quantity]),
    [
      ["web", 3],
      ["b2b", 7],
    ],
  );
});
