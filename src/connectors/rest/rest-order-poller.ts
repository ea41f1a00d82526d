/**
 * Orders from a channel's REST API: pages its `orders` endpoint and appends each order to the inbox
 * (source `rest`, content type `application/json`, the item's own JSON as the body), where the usual
 * inbox processing and the connection's mapping turn it into canonical orders.
 *
 * Guarantees (see docs/rest-connector.md):
 * - **Nothing twice.** The dedupe key is `<order id>@<updated_at>`: the same version of an order is one
 *   inbox message however often it is read; a changed order (new `updated_at`) is a new message.
 * - **Progress survives a restart.** After each page's appends have committed, the poller stores its
 *   watermark (the highest `updated_at` seen) and where the walk goes on (the page's `nextUrl`) in a
 *   store record. A crash before that write only means the page is read again (and deduplicated).
 * - **Nothing skipped, as far as the API allows.** With `sinceParam`, each new walk asks for orders
 *   changed since the watermark minus `overlapMs` (default 60 s), which re-reads recent changes that
 *   the partner committed late or stamped with an earlier time. The endpoint must list in ascending
 *   `updated_at` order and treat `since` as inclusive. A walk stopped at `maxPagesPerPoll` goes on at
 *   its stored next page in the next poll (so bursts within the overlap cannot stall it); a stored
 *   page the API no longer accepts (a 4xx on an expired cursor) is dropped and the walk restarts.
 *   Without `sinceParam` every poll walks the whole list (bounded by `maxPagesPerPoll`).
 */
import type { Clock } from "../../core/clock.ts";
import { CrossdockError, type StoredError } from "../../core/errors.ts";
import { systemTimers, type Timers } from "../../core/timers.ts";
import { type StructuredLogger, silentLogger } from "../../delivery/structured-logger.ts";
import { type RetryPolicy, resolveRetryPolicy } from "../../store/retry-policy.ts";
import type { Store } from "../../store/store.ts";
import { createPollLoop } from "../sftp/sftp-poll-loop.ts";
import type { RestClient } from "./rest-client.ts";
import { type OrderWalkState, walkOrders } from "./rest-order-walk.ts";

/** Kind of the store record that keeps a poller's watermark; the key is `<connection>:<endpoint>`. */
export const REST_POLL_STATE_KIND = "rest.poll-state";

export interface RestOrderPollerOptions {
  client: RestClient;
  store: Pick<Store, "inbox" | "records" | "transaction">;
  clock: Clock;
  /** The inbox connection name. */
  connection: string;
  /** Default `orders`. */
  endpoint?: string;
  /** Watermark of the very first poll (ISO time); default none: the whole list. */
  initialSince?: string;
  /** Default 60,000 ms. */
  overlapMs?: number;
  /** Default the connection's `maxPages`. */
  maxPagesPerPoll?: number;
  /** Back-off after a failed poll. Default 1 s doubling to 5 min, jitter 0.2; honours `Retry-After`. */
  retry?: Partial<RetryPolicy>;
  timers?: Timers;
  logger?: StructuredLogger;
  random?: () => number;
  onPoll?: (result: RestPollResult) => void;
}

export interface RestPollResult {
  pages: number;
  received: number;
  duplicates: number;
  /** The watermark after this poll. */
  watermark: string | undefined;
  /** The walk stopped at `maxPagesPerPoll`; the next poll goes on at once. */
  more: boolean;
  outcome: "ok" | "retry";
  error?: StoredError;
}

export interface RestOrderPoller {
  pollOnce(): Promise<RestPollResult>;
  start(options?: { intervalMs?: number }): void;
  wake(): void;
  stop(): Promise<void>;
}

export function createRestOrderPoller(options: RestOrderPollerOptions): RestOrderPoller {
  const { client, store, connection } = options;
  const endpoint = options.endpoint ?? "orders";
  const found = client.config.endpoints[endpoint];
  if (!found)
    throw new CrossdockError("CDK_CONFIG_INVALID", `rest ${connection}: no endpoint named ${endpoint}`);
  const spec = found;
  const logger = options.logger ?? silentLogger;
  const key = `${connection}:${endpoint}`;

  async function poll(): Promise<RestPollResult> {
    const stored = await store.records.get(REST_POLL_STATE_KIND, key);
    const state: OrderWalkState = {
      version: stored?.version ?? 0,
      ...((stored?.data ?? {}) as { watermark?: string; resumeUrl?: string }),
    };
    if (state.watermark === undefined && options.initialSince) state.watermark = options.initialSince;
    const counts = { pages: 0, received: 0, duplicates: 0, more: false };
    try {
      await walkOrders({
        client,
        store,
        connection,
        endpoint,
        spec,
        key,
        kind: REST_POLL_STATE_KIND,
        overlapMs: options.overlapMs ?? 60_000,
        maxPages: options.maxPagesPerPoll ?? client.config.maxPages,
        state,
        counts,
      });
      return { ...counts, watermark: state.watermark, outcome: "ok" };
    } catch (error) {
      const failure =
        error instanceof CrossdockError
          ? error
          : new CrossdockError("CDK_INTERNAL", `rest poll of ${connection} failed: ${String(error)}`, {
              cause: error,
            });
      const fields = { connection, endpoint, error: failure.toJSON() };
      if (failure.failureClass === "transient") logger.warn(fields, "REST order poll failed; will retry");
      else logger.error(fields, "REST order poll failed; will retry");
      return { ...counts, watermark: state.watermark, outcome: "retry", error: failure.toJSON() };
    }
  }

  const loop = createPollLoop(poll, {
    timers: options.timers ?? systemTimers,
    retry: resolveRetryPolicy({
      initialIntervalMs: 1_000,
      backoffCoefficient: 2,
      maximumIntervalMs: 300_000,
      maximumAttempts: 0,
      jitter: 0.2,
      ...options.retry,
    }),
    ...(options.random ? { random: options.random } : {}),
    ...(options.onPoll ? { onPoll: options.onPoll } : {}),
  });
  return {
    pollOnce: loop.pollOnce,
    start: ({ intervalMs = client.config.pollIntervalMs } = {}) => loop.start(intervalMs),
    wake: loop.wake,
    stop: loop.stop,
  };
}
