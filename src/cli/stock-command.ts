import type { Command } from "commander";
import { systemClock } from "../core/clock.ts";
import { CrossdockError } from "../core/errors.ts";
import type { AvailabilityExplanation } from "../inventory/availability.ts";
import type { Inventory } from "../inventory/inventory.ts";
import { loadInventory } from "../inventory/inventory-persistence.ts";
import { type CliIo, type GlobalOptions, withStore } from "./cli-io.ts";
import { age, iso, json, table } from "./format.ts";

/**
 * `crossdock stock explain <sku> [--channel c]`: every term of a SKU's availability per channel, where
 * each number came from and how fresh it is, read from the inventory state persisted in the store
 * (what the running hub computes from, and what each channel was last told).
 */
export function registerStockCommand(program: Command, io: CliIo, globals: () => GlobalOptions): void {
  const stock = program.command("stock").description("stock availability per channel");
  stock
    .command("explain")
    .argument("<sku>", "the SKU (a kit shows its components)")
    .option("--channel <channel>", "only this channel (default: every channel)")
    .description("the availability calculation of one SKU: readings, reservations, policy, freshness")
    .action(async (sku: string, options: { channel?: string }) => {
      await withStore(globals(), io, async (store) => {
        const inventory = await loadInventory(store);
        if (!inventory) {
          throw new CrossdockError(
            "CDK_CLI_USAGE",
            "no inventory state in this store: the availability engine has not run",
            {
              details: { sku },
            },
          );
        }
        const channels =
          options.channel === undefined ? [...inventory.config.channels.keys()] : [options.channel];
        const unknown = channels.filter((c) => !inventory.config.channels.has(c));
        if (unknown.length > 0) {
          throw new CrossdockError(
            "CDK_CLI_USAGE",
            `unknown channel "${unknown[0]}"; channels: ${[...inventory.config.channels.keys()].join(", ")}`,
            {
              details: { channel: unknown[0] },
            },
          );
        }
        const now = systemClock.now();
        const explanations = channels.map(
          (c) => inventory.engine.explain(sku, c, now) as AvailabilityExplanation,
        );
        if (globals().json) {
          return io.out(
            json(explanations.map((e) => ({ ...e, told: inventory.planner.told(e.channel, sku) ?? null }))),
          );
        }
        io.out(explanations.map((e) => renderExplanation(e, inventory)).join("\n\n"));
      });
    });
}

/** The text form of one explanation (exported for tests). */
export function renderExplanation(e: AvailabilityExplanation, inventory: Inventory): string {
  const told = inventory.planner.told(e.channel, e.sku);
  const freshness = e.freshness.stale
    ? `STALE (${e.freshness.staleSources.join(", ")}), policy ${e.freshness.policy}: ${e.freshness.reason ?? ""}`
    : `fresh, policy ${e.freshness.policy}`;
  const lines = [
    `${e.sku} on ${e.channel}: ${e.quantity}${e.kit ? " (kit)" : ""}   as of ${iso(e.at)}`,
    `freshness  ${freshness}`,
    `told       ${told ? `${told.quantity} at ${iso(told.at)}${told.quantity === e.quantity ? "" : "  (differs: pending publication)"}` : "never"}`,
    "",
  ];
  if (e.levels.length === 0) lines.push("readings   none");
  else {
    lines.push(
      table(
        [
          "sku",
          "source",
          "warehouse",
          "part",
          "on hand",
          "reserved",
          "available",
          "uom",
          "counted",
          "use",
          "observed",
          "age",
          "sla",
        ],
        e.levels.map((l) => [
          l.sku,
          l.source,
          l.warehouse,
          l.part || "-",
          l.onHand,
          l.reserved,
          l.available ?? "-",
          l.uom ?? "-",
          l.counted,
          l.use,
          iso(l.observedAt),
          age(l.ageMs),
          age(l.slaMs),
        ]),
      ),
    );
  }
  const incoming = e.levels.filter((l) => l.incoming !== undefined);
  if (incoming.length > 0) {
    lines.push(
      "",
      `incoming (not counted): ${incoming.map((l) => `${l.incoming} at ${l.warehouse}${l.incomingDate ? ` on ${l.incomingDate}` : ""}`).join(", ")}`,
    );
  }
  lines.push("");
  if (e.reservations.length === 0) lines.push("soft reservations  none");
  else {
    lines.push(
      table(
        ["order", "channel", "sku", "quantity", "received", "confirmed in Odoo"],
        e.reservations.map((r) => [
          r.order,
          r.channel,
          r.sku,
          r.quantity,
          iso(r.receivedAt),
          iso(r.confirmedAt),
        ]),
      ),
    );
  }
  lines.push(
    "",
    table(
      ["term", "value", "how"],
      e.steps.map((s) => [s.term, s.value, s.detail ?? ""]),
    ),
  );
  return lines.join("\n");
}
