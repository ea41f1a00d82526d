import type { Clock } from "../../src/core/clock.ts";

/** What the simulators do later: a webhook attempt, a shipment, a tracker step. */
type Task = { at: number; seq: number; run: () => Promise<void> | void };

/** How a simulator's time moves; see `SimScheduler`. */
export interface SimSchedulerOptions {
  clock: Clock;
  /**
   * Real-time interval at which due work runs by itself, ms; `false` for none. Default 50 with the
   * system clock. With an injected clock, pass `false` and drive time with `runDue()`.
   */
  autoRunMs: number | false;
  /**
   * Due tasks run at once, default 1: one after another in due-time order, so what a receiver sees
   * arrive is deterministic. Raise it for load (the real services deliver concurrently).
   */
  parallel?: number;
}

/**
 * The simulators' sense of time. Everything they do later (webhook attempts and their retries, 3PL
 * shipments, carrier tracking steps) is a task due at a clock time; `runDue()` runs what is due, in
 * due-time order (`parallel` at a time), and waits for it, including tasks that those tasks schedule
 * for no later than now.
 *
 * With a manual clock a test moves the clock and awaits `runDue()`: no sleeps, and every webhook sent
 * in that step has been answered when the promise resolves. With the system clock an unref'd timer
 * calls `runDue()` every `autoRunMs`.
 */
export class SimScheduler {
  readonly clock: Clock;
  #tasks: Task[] = [];
  #seq = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<number> | undefined;
  #inFlight = new Set<Promise<void>>();
  readonly #parallel: number;

  constructor(options: SimSchedulerOptions) {
    this.clock = options.clock;
    this.#parallel = Math.max(1, Math.floor(options.parallel ?? 1));
    if (options.autoRunMs !== false) {
      this.#timer = setInterval(() => void this.runDue(), options.autoRunMs);
      this.#timer.unref();
    }
  }

  /** Runs `run` once the clock reaches now + `delayMs`. */
  at(delayMs: number, run: () => Promise<void> | void): void {
    this.#tasks.push({ at: this.clock.now() + Math.max(0, delayMs), seq: this.#seq++, run });
  }

  /** Tasks not yet run. */
  get pending(): number {
    return this.#tasks.length;
  }

  /** Due time of the earliest pending task, or undefined. */
  get nextDueAt(): number | undefined {
    let next: number | undefined;
    for (const task of this.#tasks) if (next === undefined || task.at < next) next = task.at;
    return next;
  }

  /**
   * Runs every task due now and waits for all of them; returns how many ran. Calls made while a run
   * is going on wait for that run and then run again.
   */
  async runDue(): Promise<number> {
    while (this.#running) await this.#running;
    this.#running = this.#drain();
    try {
      return await this.#running;
    } finally {
      this.#running = undefined;
    }
  }

  async #drain(): Promise<number> {
    let ran = 0;
    for (;;) {
      const now = this.clock.now();
      const due = this.#tasks.filter((t) => t.at <= now).sort((a, b) => a.at - b.at || a.seq - b.seq);
      if (due.length === 0) break;
      this.#tasks = this.#tasks.filter((t) => t.at > now);
      ran += due.length;
      let next = 0;
      const lane = async () => {
        while (next < due.length) await this.#track(due[next++] as Task);
      };
      await Promise.all(Array.from({ length: Math.min(this.#parallel, due.length) }, lane));
    }
    return ran;
  }

  #track(task: Task): Promise<void> {
    const promise = (async () => {
      try {
        await task.run();
      } catch {
        // A task records its own failures (delivery logs); one failure must not stop the others.
      }
    })();
    this.#inFlight.add(promise);
    return promise.finally(() => this.#inFlight.delete(promise));
  }

  /** Stops the automatic timer, drops pending tasks and waits for the ones running. */
  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#tasks = [];
    await Promise.all([...this.#inFlight]);
  }
}
