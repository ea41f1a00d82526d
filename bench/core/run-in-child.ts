import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ScenarioResult, ScenarioSpec } from "./core-scenarios.ts";

/** What `scenario-child.ts` sends back. */
export type ScenarioReply = { ok: true; result: ScenarioResult } | { ok: false; error: string };

const CHILD = fileURLToPath(new URL("./scenario-child.ts", import.meta.url));

/**
 * Runs `spec` in a fresh Node process (same binary and flags) and resolves with its result, so each
 * scenario's peak RSS and event loop are its own.
 */
export function runInChild(spec: ScenarioSpec): Promise<ScenarioResult> {
  const child = fork(CHILD, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    let reply: ScenarioReply | undefined;
    child.once("message", (message) => {
      reply = message as ScenarioReply;
    });
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (reply?.ok) resolve(reply.result);
      else
        reject(
          new Error(reply ? reply.error : `scenario process exited (${signal ?? code}) without a result`),
        );
    });
    child.send(spec);
  });
}
