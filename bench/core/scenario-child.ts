/**
 * Entry of one scenario's child process (see `runInChild`): receives a `ScenarioSpec` over IPC, runs
 * it, sends the result back and exits, even if a handle (a timer, a socket) is still open.
 */
import { runScenario, type ScenarioSpec } from "./core-scenarios.ts";
import type { ScenarioReply } from "./run-in-child.ts";

function finish(reply: ScenarioReply, code: number): void {
  process.send!(reply, () => process.exit(code));
}

process.once("message", (spec: ScenarioSpec) => {
  runScenario(spec).then(
    (result) => finish({ ok: true, result }, 0),
    (error: unknown) =>
      finish(
        { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) },
        1,
      ),
  );
});
