import type { Command } from "commander";
import { type CliIo, type GlobalOptions, withStore } from "./cli-io.ts";
import { age, json, table } from "./format.ts";

/** `crossdock status`: what is queued, stuck, paused or failing, read from the store. */
export function registerStatusCommand(program: Command, io: CliIo, globals: () => GlobalOptions): void {
  program
    .command("status")
    .description("queue depth per target, open exceptions, paused targets, workflows")
    .action(async () => {
      await withStore(globals(), io, async (store) => {
        const status = await store.status();
        if (globals().json) return io.out(json(status));
        const lines = [
          `store        ${status.dialect} (schema v${status.schemaVersion})`,
          `inbox        ${status.inboxMessages} messages`,
          `events       ${status.events}`,
          `exceptions   ${status.openExceptions} open${status.openExceptions > 0 ? "  (crossdock exceptions ls)" : ""}`,
          `paused       ${status.pausedTargets.length === 0 ? "none" : status.pausedTargets.join(", ")}`,
          `workflows    ${status.workflows.map((w) => `${w.count} ${w.status}`).join(", ") || "none"}`,
          "",
        ];
        if (status.queue.length === 0) lines.push("queue        empty");
        else {
          lines.push(
            table(
              ["target", "ready", "waiting", "running", "exception", "oldest"],
              status.queue.map((q) => [
                q.target,
                q.ready,
                q.waiting,
                q.running,
                q.exception,
                age(q.oldestAgeMs),
              ]),
            ),
          );
        }
        io.out(lines.join("\n"));
      });
    });
}
