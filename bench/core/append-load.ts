import { LatencyHistogram, type LatencySummary } from "../lib/latency-histogram.ts";

/** One durable append, whatever implements it (the Crossdock store or a naive baseline). */
export type AppendFn = (producer: number, seq: number) => Promise<unknown>;

export interface AppendLoadOptions {
  producers: number;
  warmupMs: number;
  durationMs: number;
  append: AppendFn;
}

export interface AppendLoadResult {
  producers: number;
  /** Appends that resolved inside the measured window. */
  appends: number;
  seconds: number;
  appendsPerSecond: number;
  /** Call-to-resolution latency of the appends started inside the window. */
  latency: LatencySummary;
  errors: number;
  firstError: string | undefined;
}

/**
 * Closed-loop load: `producers` async loops, each awaiting its append before starting the next, all on
 * this one event loop (as a gateway's request handlers would be). The first `warmupMs` run but are not
 * counted; then throughput counts appends that resolve inside the window, and latency is taken from the
 * appends that start inside it. When the window closes, producers finish the append in flight and stop.
 */
export async function runAppendLoad(options: AppendLoadOptions): Promise<AppendLoadResult> {
  const histogram = new LatencyHistogram();
  const start = performance.now();
  const windowStart = start + options.warmupMs;
  const windowEnd = windowStart + options.durationMs;
  let appends = 0;
  let errors = 0;
  let firstError: string | undefined;

  async function producer(index: number): Promise<void> {
    let seq = 0;
    for (;;) {
      const began = performance.now();
      if (began >= windowEnd) return;
      try {
        await options.append(index, seq++);
      } catch (error) {
        errors += 1;
        firstError ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        // An overloaded or failing store must not turn the loop into a busy spin.
        await new Promise((resolve) => setTimeout(resolve, 1));
        continue;
      }
      const ended = performance.now();
      if (began >= windowStart) histogram.record(ended - began);
      if (ended >= windowStart && ended <= windowEnd) appends += 1;
    }
  }

  await Promise.all(Array.from({ length: options.producers }, (_, i) => producer(i)));
  const seconds = options.durationMs / 1_000;
  return {
    producers: options.producers,
    appends,
    seconds,
    appendsPerSecond: appends / seconds,
    latency: histogram.summary(),
    errors,
    firstError,
  };
}
