import type { Command } from "commander";
import { CrossdockError } from "../core/errors.ts";
import { traceOrder } from "../observability/order-trace.ts";
import { type CliIo, type GlobalOptions, withStore } from "./cli-io.ts";
import { json, table } from "./format.ts";

/** `crossdock trace <order ref>`: every message, event, step, wait and outcome of one order, in order. */
export function registerTraceCommand(program: Command, io: CliIo, globals: () => GlobalOptions): void {
  program
    .command("trace")
    .argument(
      "<order-ref>",
      "order key (shop:1001), channel order id, order number (#1001) or Odoo name (S00042)",
    )
    .description("one order's path across the channel, the hub, Odoo and the warehouse, with timings")
    .action(async (ref: string) => {
      await withStore(globals(), io, async (store) => {
        const trace = await traceOrder(store, ref);
        if (globals().json) return io.out(json(trace));
        if (trace.entries.length === 0) {
          throw new CrossdockError(
            "CDK_WORKFLOW_NOT_FOUND",
            `no order "${ref}" in this store: no run, event or refused message names it`,
            { details: { ref } },
          );
        }
        const first = trace.entries[0]?.at ?? 0;
        const header = trace.run
          ? `order ${trace.key}: run ${trace.run.id} ${trace.run.status}${outcomeOf(trace.output)}`
          : `order ${ref}: no order-to-cash run (refused at intake, or not for a configured channel)`;
        io.out(
          `${header}\nstarted ${new Date(first).toISOString()}\n\n${table(
            ["+time", "system", "kind", "what", "outcome"],
            trace.entries.map((e) => [plus(e.at - first), e.system, e.kind, e.what, e.outcome]),
          )}`,
        );
      });
    });
}

function outcomeOf(output: unknown): string {
  const outcome = (output as { outcome?: string; saleOrder?: string } | null | undefined) ?? undefined;
  if (!outcome?.outcome) return "";
  return ` (${outcome.outcome}${outcome.saleOrder ? `, Odoo ${outcome.saleOrder}` : ""})`;
}

/** `+0.000s`, `+12.345s`, `+3m 04.5s`: offsets from the first entry. */
function plus(ms: number): string {
  if (ms < 60_000) return `+${(ms / 1_000).toFixed(3)}s`;
  const m = Math.floor(ms / 60_000);
  return `+${m}m ${((ms % 60_000) / 1_000).toFixed(1).padStart(4, "0")}s`;
}
