/**
 * The schedule around a poll: poll every `intervalMs` after the previous poll ended, at once again
 * while a poll stopped at its per-poll bound, later (with back-off) after a transient failure. Timers
 * are injected, so tests drive it with `ManualTimers` or call `pollOnce()` themselves.
 */
import type { Timers } from "../../core/timers.ts";
import { nextRetryDelay, type RetryPolicy } from "../../store/retry-policy.ts";

/** What the loop needs to know about a finished poll. */
export interface PollOutcome {
  outcome: "ok" | "retry";
  /** More work was left for the next poll. */
  more: boolean;
  error?: { retryAfterMs?: number };
}

export interface PollLoop<R extends PollOutcome> {
  /** Runs one poll now; a call while a poll runs gets that poll's result. */
  pollOnce(): Promise<R>;
  start(intervalMs: number): void;
  /** Makes the next poll immediate. */
  wake(): void;
  /** Stops the schedule and waits for a running poll. */
  stop(): Promise<void>;
  readonly consecutiveFailures: number;
}

export function createPollLoop<R extends PollOutcome>(
  poll: () => Promise<R>,
  options: { timers: Timers; retry: RetryPolicy; random?: () => number; onPoll?: (result: R) => void },
): PollLoop<R> {
  const { timers, retry } = options;
  let running: Promise<R> | undefined;
  let loop: { intervalMs: number; timer: unknown; again: boolean } | undefined;
  let failures = 0;

  function pollOnce(): Promise<R> {
    if (running) return running;
    running = poll().then((result) => {
      running = undefined;
      failures = result.outcome === "retry" ? failures + 1 : 0;
      options.onPoll?.(result);
      return result;
    });
    return running;
  }

  function schedule(ms: number): void {
    if (!loop) return;
    if (loop.timer !== undefined) timers.clearTimeout(loop.timer);
    loop.timer = timers.setTimeout(() => {
      if (loop) loop.timer = undefined;
      void tick();
    }, ms);
  }

  async function tick(): Promise<void> {
    if (!loop) return;
    loop.again = false;
    const result = await pollOnce();
    if (!loop) return;
    if (result.outcome === "retry") {
      schedule(nextRetryDelay(retry, failures, result.error?.retryAfterMs, options.random));
    } else {
      schedule(loop.again || result.more ? 0 : loop.intervalMs);
    }
  }

  return {
    pollOnce,
    start(intervalMs) {
      if (loop) {
        loop.intervalMs = intervalMs;
        return;
      }
      loop = { intervalMs, timer: undefined, again: false };
      schedule(0);
    },
    wake() {
      if (!loop) return;
      if (running) loop.again = true;
      else schedule(0);
    },
    async stop() {
      if (loop?.timer !== undefined) timers.clearTimeout(loop.timer);
      loop = undefined;
      await running?.catch(() => undefined);
    },
    get consecutiveFailures() {
      return failures;
    },
  };
}
