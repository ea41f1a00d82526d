import type { Command } from "commander";
import { CrossdockError } from "../core/errors.ts";
import { type CliIo, type GlobalOptions, withStore } from "./cli-io.ts";
import { iso, json, table } from "./format.ts";

/** `crossdock targets ls|resume`: targets paused after a configuration failure, and resuming them. */
export function registerTargetsCommand(program: Command, io: CliIo, globals: () => GlobalOptions): void {
  const targets = program.command("targets").description("paused targets and resuming them");
  targets
    .command("ls")
    .description("targets that were paused, with the reason")
    .action(async () => {
      await withStore(globals(), io, async (store) => {
        const list = await store.targets.list();
        if (globals().json) return io.out(json(list));
        if (list.length === 0) return io.out("no target has been paused");
        io.out(
          table(
            ["target", "paused", "since", "reason"],
            list.map((t) => [
              t.target,
              t.paused ? "yes" : "no",
              iso(t.pausedAt),
              t.reason ? `${t.reason.code} ${t.reason.message}` : "-",
            ]),
          ),
        );
      });
    });
  targets
    .command("resume <target>")
    .description("let workers claim the target's jobs again (after fixing its configuration)")
    .action(async (target: string) => {
      await withStore(globals(), io, async (store) => {
        const state = (await store.targets.list()).find((t) => t.target === target);
        if (!state?.paused) throw new CrossdockError("CDK_CLI_USAGE", `target "${target}" is not paused`);
        await store.targets.resume(target);
        io.out(`resumed ${target}`);
      });
    });
}
