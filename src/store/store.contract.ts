/**
 * The store contract suite: the behaviour every `Store` adapter must have, run by each adapter's own
 * test file against a real database:
 *
 * ```ts
 * runStoreContract({
 *   name: "sqlite",
 *   create: async (options) => {
 *     const clock = new ManualClock();
 *     const store = createSqliteStore({ path, clock, ids: createIdGenerator(clock), config: options?.config });
 *     await store.migrate();
 *     return { store, clock, cleanup: () => store.close() };
 *   },
 * });
 * ```
 *
 * Each test gets a fresh, migrated, empty store (`create`) and moves time only through the fixture's
 * `ManualClock`, so lease expiry, back-off and deadlines are exact and nothing sleeps. The suite uses
 * nothing but the `Store` port; what it does not test is not part of the contract.
 *
 * Decisions the port's TSDoc leaves open and this suite pins down (both adapters must agree):
 * - positions are opaque; the suite compares them only through the order `poll` returns;
 * - lists (inbox, jobs, exceptions, approvals) come in arrival order, whatever the id generator;
 * - `FailOutcome.attempt` of a retry is the number of the attempt that failed;
 * - a retried or replayed job starts with no attempt errors (its exception records keep them);
 * - replaying a job in `exception` marks its open exception record `retried`;
 * - replaying an unfinished job throws `CDK_JOB_NOT_FOUND` (no finished job with that id);
 * - a wait resolved by an event, or an approval decided, cancels its pending deadline job (status
 *   `done`), and the resume job it enqueues goes ahead of the run's other jobs that have not started
 *   (e.g. another wait's timer with a later `runAt`): the run resumes now instead of queueing behind
 *   its own timers on its ordering key;
 * - `close()` is idempotent; every other call after it throws `CDK_STORE_CLOSED`.
 */
import { describe } from "node:test";
import { auditContract } from "./contract/audit-contract.ts";
import type { StoreContractOptions } from "./contract/contract-fixture.ts";
import { eventLogContract } from "./contract/event-log-contract.ts";
import { exceptionContract } from "./contract/exception-contract.ts";
import { inboxContract } from "./contract/inbox-contract.ts";
import { jobFailureContract } from "./contract/job-failure-contract.ts";
import { jobQueueContract } from "./contract/job-queue-contract.ts";
import { recordsContract } from "./contract/records-contract.ts";
import { transactionContract } from "./contract/transaction-contract.ts";
import { workflowContract } from "./contract/workflow-contract.ts";

export type { StoreContractOptions, StoreFixture, StoreFixtureOptions } from "./contract/contract-fixture.ts";

/** Declares the whole contract suite (node:test) for one adapter. */
export function runStoreContract(options: StoreContractOptions): void {
  describe(`Store contract: ${options.name}`, () => {
    describe("inbox", () => inboxContract(options));
    describe("event log", () => eventLogContract(options));
    describe("job queue", () => jobQueueContract(options));
    describe("job failures", () => jobFailureContract(options));
    describe("exceptions", () => exceptionContract(options));
    describe("transactions, records and lifecycle", () => transactionContract(options));
    describe("workflows", () => workflowContract(options));
    describe("records", () => recordsContract(options));
    describe("audit log", () => auditContract(options));
  });
}
