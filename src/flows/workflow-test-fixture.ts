/**
 * What the workflow engine's tests share: a fresh SQLite store on a manual clock, an engine over it,
 * and `drain()` to run the executions that are due. Test support, kept out of the `*.test.ts` files so
 * each of them reads as its scenarios.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { ManualClock } from "../core/clock.ts";
import { createSequentialIds } from "../core/ids.ts";
import { DEFAULT_RETRY_POLICY } from "../store/retry-policy.ts";
import { createSqliteStore } from "../store/sqlite/sqlite-store.ts";
import type { Store } from "../store/store.ts";
import { drainWorkflowJobs } from "./drain-workflow-jobs.ts";
import type { WorkflowDefinition } from "./workflow.ts";
import { createWorkflowEngine } from "./workflow-engine.ts";

/** Back-off of a failed execution in these tests (no jitter): advance the clock by it to retry. */
export const RETRY_DELAY_MS = 1_000;

export interface WorkflowFixtureOptions {
  /** Attempts per execution before a transient failure fails the workflow. Default 3. */
  maximumAttempts?: number;
}

export async function openWorkflowFixture(
  t: TestContext,
  workflows: WorkflowDefinition[],
  options: WorkflowFixtureOptions = {},
) {
  const dir = await mkdtemp(join(tmpdir(), "crossdock-flows-"));
  const path = join(dir, "hub.db");
  const clock = new ManualClock();
  const ids = createSequentialIds();
  const config = {
    defaultRetry: {
      ...DEFAULT_RETRY_POLICY,
      initialIntervalMs: RETRY_DELAY_MS,
      backoffCoefficient: 1,
      jitter: 0,
      maximumAttempts: options.maximumAttempts ?? 3,
    },
  };
  const open = async (): Promise<Store> => {
    const opened = await createSqliteStore({ path, clock, ids, config });
    await opened.migrate();
    return opened;
  };
  let store = await open();
  let engine = createWorkflowEngine({ store, clock, workflows });
  t.after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  return {
    clock,
    get store() {
      return store;
    },
    get engine() {
      return engine;
    },
    /** Runs every execution due now; returns their outcomes in order. */
    drain: () => drainWorkflowJobs({ store, clock, engine }),
    /** A process restart: closes the store, opens it again and builds a new engine over it. */
    async restart(): Promise<void> {
      await store.close();
      store = await open();
      engine = createWorkflowEngine({ store, clock, workflows });
    },
  };
}
/** Outcome summary of drained executions, for compact assertions. */
export function outcomes(drained: Awaited<ReturnType<typeof drainWorkflowJobs>>): string[] {
  return drained.map(({ outcome }) =>
    outcome.status === "failed" ? `failed:${outcome.outcome.outcome}:${outcome.error.code}` : outcome.status,
  );
}
