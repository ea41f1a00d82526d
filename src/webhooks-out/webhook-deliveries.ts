/**
 * The delivery log and replay of one subscription, built on its jobs (target `webhook:<id>`): a job
 * is a delivery, its stored errors are the failed attempts (status, duration, error) and its result is
 * the successful one. Nothing is stored twice.
 *
 * Replay sends a finished delivery again with the same `webhook-id`, body and `Idempotency-Key` (the
 * job keeps its key, and the delivery id lives in its payload), so a receiver that already processed
 * it can recognise it. Done deliveries are replayed with `store.jobs.replay`; failed ones (an open
 * exception record) with `store.exceptions.retry`; deliveries still queued are left alone.
 */
import { CrossdockError } from "../core/errors.ts";
import type { ExceptionRecord, JobRecord, JobStatus, Store } from "../store/store.ts";
import type { DeliveryResult } from "./webhook-delivery.ts";
import type { DeliveryPayload } from "./webhook-dispatcher.ts";
import { webhookTarget } from "./webhook-subscription.ts";

export interface DeliveryAttempt {
  attempt: number;
  at: number;
  outcome: "delivered" | "failed";
  /** The endpoint's HTTP status (absent when it could not be reached). */
  status?: number;
  durationMs?: number;
  code?: string;
  error?: string;
}

export interface DeliveryView {
  jobId: string;
  deliveryId: string;
  eventId: string;
  eventType: string;
  stream: string;
  status: JobStatus;
  attempts: number;
  /** When the next attempt is due (queued deliveries only). */
  nextAttemptAt?: number;
  createdAt: number;
  finishedAt?: number;
  /** Oldest first: the failed attempts the store keeps (the last 10) and the successful one. */
  attemptLog: DeliveryAttempt[];
}

export type ReplayOutcome = "replayed" | "retried" | "pending";

export interface BulkReplayResult {
  scanned: number;
  replayed: number;
  retried: number;
  /** Deliveries still queued, or older than `since`, left alone. */
  skipped: number;
  /** True when `max` was reached before the end of the log. */
  truncated: boolean;
}

const PAGE = 500;

export function deliveryView(job: JobRecord): DeliveryView {
  const payload = (job.payload ?? {}) as Partial<DeliveryPayload>;
  const attemptLog: DeliveryAttempt[] = job.errors.map((error) => {
    const details = (error.details ?? {}) as { status?: unknown; durationMs?: unknown };
    return {
      attempt: error.attempt,
      at: error.at,
      outcome: "failed" as const,
      ...(typeof details.status === "number" ? { status: details.status } : {}),
      ...(typeof details.durationMs === "number" ? { durationMs: details.durationMs } : {}),
      code: error.code,
      error: error.message,
    };
  });
  const result = job.result as Partial<DeliveryResult> | undefined;
  if (job.status === "done" && typeof result?.status === "number") {
    attemptLog.push({
      attempt: result.attempt ?? job.attempts,
      at: result.at ?? job.finishedAt ?? job.updatedAt,
      outcome: "delivered",
      status: result.status,
      ...(typeof result.durationMs === "number" ? { durationMs: result.durationMs } : {}),
    });
  }
  return {
    jobId: job.id,
    deliveryId: String(payload.deliveryId ?? ""),
    eventId: String(payload.eventId ?? ""),
    eventType: String(payload.type ?? ""),
    stream: String(payload.stream ?? ""),
    status: job.status,
    attempts: job.attempts,
    ...(job.status === "ready" || job.status === "waiting" ? { nextAttemptAt: job.runAt } : {}),
    createdAt: job.createdAt,
    ...(job.finishedAt === undefined ? {} : { finishedAt: job.finishedAt }),
    attemptLog,
  };
}

/** A page of a subscription's deliveries in creation order. */
export async function listDeliveries(
  store: Store,
  subscriptionId: string,
  options: { status?: JobStatus; afterId?: string; limit?: number } = {},
): Promise<{ items: DeliveryView[]; nextAfterId?: string }> {
  const limit = Math.min(Math.max(1, options.limit ?? 50), 500);
  const jobs = await store.jobs.list({
    target: webhookTarget(subscriptionId),
    limit,
    ...(options.status ? { status: options.status } : {}),
    ...(options.afterId ? { afterId: options.afterId } : {}),
  });
  const last = jobs.at(-1);
  return {
    items: jobs.map(deliveryView),
    ...(jobs.length === limit && last ? { nextAfterId: last.id } : {}),
  };
}

async function openExceptionFor(store: Store, job: JobRecord): Promise<ExceptionRecord | undefined> {
  let afterId: string | undefined;
  for (;;) {
    const page = await store.exceptions.list({
      target: job.target,
      status: "open",
      limit: PAGE,
      ...(afterId ? { afterId } : {}),
    });
    const found = page.find((record) => record.jobId === job.id);
    if (found || page.length < PAGE) return found;
    afterId = page.at(-1)?.id;
  }
}

async function replayJob(
  store: Store,
  job: JobRecord,
  by: string,
  exception?: ExceptionRecord,
): Promise<ReplayOutcome> {
  if (job.status === "done" || job.status === "discarded") {
    await store.jobs.replay(job.id);
    return "replayed";
  }
  if (job.status === "exception") {
    const record = exception ?? (await openExceptionFor(store, job));
    if (!record) return "pending";
    await store.exceptions.retry(record.id, { by, reason: "webhook replay" });
    return "retried";
  }
  return "pending";
}

/** Replays one delivery of the subscription. Throws `CDK_JOB_NOT_FOUND` for a job of another target. */
export async function replayDelivery(
  store: Store,
  subscriptionId: string,
  jobId: string,
  by: string,
): Promise<ReplayOutcome> {
  const job = await store.jobs.get(jobId);
  if (!job || job.target !== webhookTarget(subscriptionId)) {
    throw new CrossdockError(
      "CDK_JOB_NOT_FOUND",
      `no delivery ${JSON.stringify(jobId.slice(0, 100))} for subscription ${subscriptionId}`,
    );
  }
  return replayJob(store, job, by);
}

/**
 * Replays many deliveries of one subscription: every finished one created at or after `since`, or
 * with `failedOnly` only those that ended in an exception. Stops after `max` (default 10,000) replays
 * and says so; run it again to go on (replayed deliveries are queued, so they are skipped then).
 */
export async function replayDeliveries(
  store: Store,
  subscriptionId: string,
  options: { since?: number; failedOnly?: boolean; by: string; max?: number },
): Promise<BulkReplayResult> {
  const max = options.max ?? 10_000;
  const target = webhookTarget(subscriptionId);
  const exceptions = new Map<string, ExceptionRecord>();
  let afterException: string | undefined;
  for (;;) {
    const page = await store.exceptions.list({
      target,
      status: "open",
      limit: PAGE,
      ...(afterException ? { afterId: afterException } : {}),
    });
    for (const record of page) exceptions.set(record.jobId, record);
    if (page.length < PAGE) break;
    afterException = page.at(-1)?.id;
  }
  const result: BulkReplayResult = { scanned: 0, replayed: 0, retried: 0, skipped: 0, truncated: false };
  let afterId: string | undefined;
  for (;;) {
    const jobs = await store.jobs.list({
      target,
      limit: PAGE,
      ...(options.failedOnly ? { status: "exception" as const } : {}),
      ...(afterId ? { afterId } : {}),
    });
    for (const job of jobs) {
      result.scanned++;
      if (options.since !== undefined && job.createdAt < options.since) {
        result.skipped++;
        continue;
      }
      if (result.replayed + result.retried >= max) {
        result.truncated = true;
        return result;
      }
      const outcome = await replayJob(store, job, options.by, exceptions.get(job.id));
      if (outcome === "pending") result.skipped++;
      else result[outcome]++;
    }
    if (jobs.length < PAGE) return result;
    afterId = jobs.at(-1)?.id;
  }
}
