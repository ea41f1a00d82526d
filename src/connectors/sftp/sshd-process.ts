/**
 * Process handling for the sandbox sshd: waiting until it listens, and ending the session processes
 * it forked. sshd forks one process per connection and those outlive the listener when it gets
 * SIGTERM, so "the server went away" in a test means ending them too, found by parent id in `/proc`
 * (Linux; elsewhere only the listener stops).
 */
import type { ChildProcess } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { connect } from "node:net";

const START_TIMEOUT_MS = 10_000;

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Resolves when `port` accepts connections; rejects (with sshd's own words) if sshd exits first. */
export async function waitForListening(
  proc: ChildProcess,
  port: number,
  stderr: () => string,
): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null)
      throw new Error(`sshd exited (${proc.exitCode ?? proc.signalCode}): ${stderr().trim()}`);
    if (stderr().includes("Server listening on") && (await accepts(port))) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`sshd did not listen on port ${port} within ${START_TIMEOUT_MS} ms: ${stderr().trim()}`);
}

async function childrenOf(pid: number): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir("/proc");
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, "utf8");
      // Field 4 (ppid) follows the command name, which is in parentheses and may hold spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) found.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** Sends `signal` to every descendant of `pid` (not `pid` itself): its session processes. */
export async function signalDescendants(pid: number, signal: NodeJS.Signals): Promise<void> {
  const pending = [pid];
  const descendants: number[] = [];
  while (pending.length > 0) {
    const children = await childrenOf(pending.pop()!);
    descendants.push(...children);
    pending.push(...children);
  }
  for (const child of descendants) {
    try {
      process.kill(child, signal);
    } catch {
      // already gone
    }
  }
}
