/**
 * Turns canonical events into webhook deliveries. A durable event-log subscription (`webhooks-out`)
 * is read in batches; for each event, every subscription whose patterns and filter match gets one
 * `webhook.deliver` job on its target `webhook:<id>`, and those jobs are enqueued in the same
 * transaction that moves the cursor past the batch. A crash between the two is impossible, so an event
 * is never skipped, and a batch read twice (after a crash before the commit) creates nothing twice
 * because each job's idempotency key is `webhook:<subscriptionId>:<eventId>`.
 *
 * The ordering key is the event's stream, so one partner sees one order's events in order (the queue
 * runs at most one job per target and ordering key). Disabled subscriptions get their jobs too: they
 * are held on the paused target, not lost. A subscription only receives events created at or after
 * its own creation, however far behind the dispatcher is.
 *
 * One dispatcher per store is enough (in scale-out, run it with the scheduler role); two are safe,
 * only wasteful: the second enqueues duplicates, which the idempotency keys turn into no-ops.
 */
import { createHash } from "node:crypto";
import type { Clock } from "../core/clock.ts";
import type { StructuredLogger } from "../delivery/structured-logger.ts";
import type { JobInput, JsonValue, Store, StoredEvent } from "../store/store.ts";
import { matchesEvent } from "./event-filter.ts";
import { WEBHOOK_RETRY_POLICY } from "./retry-schedule.ts";
import { WEBHOOK_DELIVER_KIND, type WebhookSubscription, webhookTarget } from "./webhook-subscription.ts";
import type { WebhookSubscriptions } from "./webhook-subscriptions.ts";

/** Name of the dispatcher's event-log subscription (stored: never rename). */
export const WEBHOOKS_OUT_SUBSCRIPTION = "webhooks-out";

/** The payload of a `webhook.deliver` job: everything needed to send it again, byte for byte. */
export interface DeliveryPayload {
  subscriptionId: string;
  /** The `webhook-id` header: the same on every attempt and replay of this delivery. */
  deliveryId: string;
  eventId: string;
  stream: string;
  type: string;
  /** The event's time, ISO 8601 (the body's `timestamp`). */
  timestamp: string;
  data: JsonValue;
}

export interface WebhookDispatcherOptions {
  store: Store;
  clock: Clock;
  subscriptions: WebhookSubscriptions;
  logger: StructuredLogger;
  /** Events read per transaction. Default 200. */
  batchSize?: number;
  /** Wait between polls when the log is drained, ms. Default 500. */
  pollIntervalMs?: number;
  /** How long the subscription list is reused between batches, ms (by the injected clock). Default 1,000. */
  cacheTtlMs?: number;
  /** Called after jobs were enqueued (wakes the worker in this process). */
  onEnqueued?: () => void;
}

export interface WebhookDispatcher {
  /** Creates the event-log subscription (from the end of the log on first use) and starts the loop. */
  start(): Promise<void>;
  /** Reads once instead of finishing the idle wait. */
  wake(): void;
  /** Stops after the batch in progress. */
  stop(): Promise<void>;
  /** One batch: returns how many events were consumed and how many jobs were enqueued. */
  dispatchOnce(): Promise<{ events: number; jobs: number }>;
}

/** A stable, opaque delivery id: the hash of the idempotency key, so it never changes for a delivery. */
export function deliveryIdFor(subscriptionId: string, eventId: string): string {
  return `whd_${createHash("sha256").update(`${subscriptionId}:${eventId}`).digest("base64url").slice(0, 26)}`;
}

/** The delivery job for one (subscription, event) pair. */
export function deliveryJob(subscription: WebhookSubscription, event: StoredEvent): JobInput {
  const payload: DeliveryPayload = {
    subscriptionId: subscription.id,
    deliveryId: deliveryIdFor(subscription.id, event.id),
    eventId: event.id,
    stream: event.stream,
    type: event.type,
    timestamp: new Date(event.createdAt).toISOString(),
    data: event.data,
  };
  return {
    target: webhookTarget(subscription.id),
    kind: WEBHOOK_DELIVER_KIND,
    idempotencyKey: `webhook:${subscription.id}:${event.id}`,
    orderingKey: event.stream,
    payload: payload as unknown as JsonValue,
    retry: { ...WEBHOOK_RETRY_POLICY, nonRetryableCodes: [] },
    ...(event.trace ? { trace: event.trace } : {}),
  };
}

export function createWebhookDispatcher(options: WebhookDispatcherOptions): WebhookDispatcher {
  const { store, clock, logger } = options;
  const batchSize = options.batchSize ?? 200;
  const pollIntervalMs = options.pollIntervalMs ?? 500;
  const cacheTtlMs = options.cacheTtlMs ?? 1_000;
  let cache: { at: number; subscriptions: WebhookSubscription[] } | undefined;
  let loop: Promise<void> | undefined;
  let stopping = false;
  let wakeNap: (() => void) | undefined;
  let kicked = false;

  async function subscriptions(): Promise<WebhookSubscription[]> {
    const now = clock.now();
    if (!cache || now - cache.at >= cacheTtlMs || now < cache.at) {
      cache = { at: now, subscriptions: await options.subscriptions.all() };
    }
    return cache.subscriptions;
  }

  async function dispatchOnce(): Promise<{ events: number; jobs: number }> {
    const events = await store.events.poll(WEBHOOKS_OUT_SUBSCRIPTION, batchSize);
    const last = events.at(-1);
    if (!last) return { events: 0, jobs: 0 };
    const subs = await subscriptions();
    const jobs: JobInput[] = [];
    for (const event of events) {
      for (const subscription of subs) {
        if (event.createdAt < subscription.createdAt) continue;
        if (matchesEvent(subscription, event)) jobs.push(deliveryJob(subscription, event));
      }
    }
    await store.transaction(async (tx) => {
      if (jobs.length > 0) await tx.enqueueJobs(jobs);
      await tx.ackSubscription(WEBHOOKS_OUT_SUBSCRIPTION, last.position);
    });
    if (jobs.length > 0) options.onEnqueued?.();
    return { events: events.length, jobs: jobs.length };
  }

  function nap(ms: number): Promise<void> {
    if (kicked) {
      kicked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeNap = undefined;
        resolve();
      }
      wakeNap = done;
    });
  }

  async function run(): Promise<void> {
    while (!stopping) {
      try {
        const { events } = await dispatchOnce();
        if (events === batchSize) continue;
      } catch (error) {
        logger.error({ err: error }, "webhook dispatch failed; retrying after the poll interval");
      }
      if (!stopping) await nap(pollIntervalMs);
    }
  }

  return {
    async start() {
      if (loop || stopping) return;
      await store.events.subscribe(WEBHOOKS_OUT_SUBSCRIPTION, { from: "end" });
      loop = run();
    },
    wake() {
      if (wakeNap) wakeNap();
      else kicked = true;
    },
    async stop() {
      stopping = true;
      wakeNap?.();
      await loop;
    },
    dispatchOnce,
  };
}
