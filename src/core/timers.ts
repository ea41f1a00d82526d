/**
 * Timers, injected. Loops that wait (pollers, coalesced wake-ups) take a `Timers` so that tests fire
 * them by moving a manual clock instead of sleeping.
 */

/** The timer functions a loop uses; injected so tests drive them with a manual clock. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Timers that fire only when `advance` moves the clock past them, in due-time order. Drives a loop
 * with a `ManualClock`; product code: users' own tests need it too.
 */
export class ManualTimers implements Timers {
  readonly #clock: { now(): number; advance(ms: number): void };
  #queue: { at: number; seq: number; fn: () => void }[] = [];
  #seq = 0;

  constructor(clock: { now(): number; advance(ms: number): void }) {
    this.#clock = clock;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const entry = { at: this.#clock.now() + Math.max(0, ms), seq: this.#seq++, fn };
    this.#queue.push(entry);
    return entry;
  }

  clearTimeout(handle: unknown): void {
    this.#queue = this.#queue.filter((entry) => entry !== handle);
  }

  /** Timers waiting, for assertions. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Fires every timer due now (including ones set to 0 by the timers it fires, once). */
  fireDue(): number {
    const now = this.#clock.now();
    const due = this.#queue.filter((entry) => entry.at <= now).sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.#queue = this.#queue.filter((entry) => entry.at > now);
    for (const entry of due) entry.fn();
    return due.length;
  }

  /** Moves the clock by `ms` and fires what became due. */
  advance(ms: number): number {
    this.#clock.advance(ms);
    return this.fireDue();
  }
}
