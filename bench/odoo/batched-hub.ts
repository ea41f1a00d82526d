/**
 * Crossdock's path for the same orders: each order is a durable job (`odoo.order.place`) in a SQLite
 * store, claimed by the real worker and handed to the Odoo target, whose batcher turns the jobs in
 * flight into one `load` + one `action_confirm` per batch. Customers and products are resolved from
 * the hub's master data cache (loaded once before the clock starts, as a running hub has it), so the
 * jobs carry Odoo ids and need no lookup calls.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OdooClient } from "../../src/connectors/odoo/odoo-client.ts";
import { ODOO_JOB_KINDS } from "../../src/connectors/odoo/odoo-job-payloads.ts";
import { createOdooTarget } from "../../src/connectors/odoo/odoo-target.ts";
import { systemClock } from "../../src/core/clock.ts";
import { createIdGenerator } from "../../src/core/ids.ts";
import { createWorker } from "../../src/delivery/worker.ts";
import { createSqliteStore } from "../../src/store/sqlite/sqlite-store.ts";
import { LatencyHistogram } from "../lib/latency-histogram.ts";
import type { BenchOrder } from "./bench-orders.ts";

export interface BatchedResult {
  seconds: number;
  completed: number;
  failed: number;
  batches: number;
  largestBatch: number;
  /** Enqueue to done, per job, ms. */
  latency: ReturnType<LatencyHistogram["summary"]>;
  /** Failed attempts (retried or not). */
  failedAttempts: number;
}

export async function placeOrdersBatched(
  client: OdooClient,
  orders: readonly BenchOrder[],
  ids: { partnerByEmail: Map<string, number>; productBySku: Map<string, number> },
  options: { maxBatch: number; batchConcurrency: number; timeoutMs: number },
): Promise<BatchedResult> {
  const dir = mkdtempSync(join(tmpdir(), "crossdock-bench-odoo-"));
  const store = await createSqliteStore({
    path: join(dir, "hub.db"),
    clock: systemClock,
    ids: createIdGenerator(systemClock),
  });
  await store.migrate();
  const target = createOdooTarget({
    client,
    maxBatch: options.maxBatch,
    batchConcurrency: options.batchConcurrency,
  });
  const histogram = new LatencyHistogram();
  await store.jobs.enqueue(
    orders.map((order) => ({
      target: "odoo",
      kind: ODOO_JOB_KINDS.placeOrder,
      idempotencyKey: `bench:${order.ref}`,
      payload: {
        key: order.ref,
        partnerId: ids.partnerByEmail.get(order.email) as number,
        clientOrderRef: order.ref,
        lines: order.lines.map((line) => ({
          productId: ids.productBySku.get(line.sku) as number,
          quantity: line.quantity,
          priceUnit: line.price,
        })),
      },
    })),
  );
  let completed = 0;
  let failed = 0;
  let retries = 0;
  let allDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  const started = performance.now();
  const inFlight = options.maxBatch * (options.batchConcurrency + 1);
  const worker = createWorker({
    store,
    clock: systemClock,
    workerId: "bench-odoo",
    handlers: { odoo: target.handler },
    targets: { odoo: { concurrency: inFlight, timeoutMs: options.timeoutMs } },
    concurrency: inFlight,
    leaseMs: options.timeoutMs * 2,
    pollIntervalMs: 20,
    metrics: {
      onCompleted: () => {
        completed++;
        histogram.record(performance.now() - started);
        if (completed + failed >= orders.length) allDone();
      },
      onFailed: (_job, outcome) => {
        retries++;
        if (outcome.outcome === "retry") return;
        failed++;
        if (completed + failed >= orders.length) allDone();
      },
    },
  });
  worker.start();
  await done;
  const seconds = (performance.now() - started) / 1_000;
  await worker.stop({ graceful: true, timeoutMs: 10_000 });
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  const stats = target.batches.orders.stats();
  return {
    seconds,
    completed,
    failed,
    failedAttempts: retries,
    batches: stats.batches,
    largestBatch: stats.largest,
    latency: histogram.summary(),
  };
}
