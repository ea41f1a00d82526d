import { CrossdockError } from "../core/errors.ts";

/**
 * Group commit: many concurrent callers, one transaction per batch, each caller answered only after the
 * commit that holds its item. Used by both store adapters for inbox appends.
 *
 * A batch is flushed as soon as no other flush is running (at most `maxConcurrentFlushes`, 1 on SQLite
 * where there is one writer); items that arrive meanwhile wait and form the next batch, so under load
 * batches grow by themselves and at low load an item waits for at most one event-loop turn.
 * Back-pressure: past `maxPending` waiting items, `submit` rejects at once with `CDK_INBOX_OVERLOADED`
 * and a `retryAfterMs` hint, so memory stays bounded.
 */
export interface GroupCommitOptions<I, O> {
  /** Writes `items` in one transaction and returns one result per item, in order. */
  flush: (items: I[]) => Promise<O[]>;
  maxBatchSize: number;
  maxPending: number;
  maxConcurrentFlushes?: number;
  /** Hint given to rejected callers. Default 1,000 ms. */
  retryAfterMs?: number;
}

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export class GroupCommitter<I, O> {
  readonly #options: GroupCommitOptions<I, O>;
  #queue: Pending<I, O>[] = [];
  #inFlight = 0;
  #scheduled = false;
  #idle: (() => void)[] = [];
  #closed = false;

  constructor(options: GroupCommitOptions<I, O>) {
    this.#options = options;
  }

  /** Items waiting for a flush (not counting those being written). */
  get pending(): number {
    return this.#queue.length;
  }

  submit(item: I): Promise<O> {
    if (this.#closed) {
      return Promise.reject(
        new CrossdockError("CDK_STORE_CLOSED", "The store is closed; the message was not stored"),
      );
    }
    if (this.#queue.length >= this.#options.maxPending) {
      return Promise.reject(
        new CrossdockError(
          "CDK_INBOX_OVERLOADED",
          `${this.#queue.length} appends are already waiting for the store; the message was not stored`,
          { retryAfterMs: this.#options.retryAfterMs ?? 1_000 },
        ),
      );
    }
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  /** Resolves when nothing is queued or being written. Stops accepting new items if `close` is true. */
  async drain(close = false): Promise<void> {
    if (close) this.#closed = true;
    if (this.#queue.length === 0 && this.#inFlight === 0) return;
    await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  #schedule(): void {
    if (this.#scheduled) return;
    if (this.#inFlight >= (this.#options.maxConcurrentFlushes ?? 1)) return;
    this.#scheduled = true;
    // setImmediate lets every caller of this event-loop turn join the batch.
    setImmediate(() => {
      this.#scheduled = false;
      void this.#flushOnce();
    });
  }

  async #flushOnce(): Promise<void> {
    const batch = this.#queue.splice(0, this.#options.maxBatchSize);
    if (batch.length === 0) return this.#checkIdle();
    this.#inFlight++;
    try {
      const results = await this.#options.flush(batch.map((p) => p.item));
      batch.forEach((p, i) => {
        p.resolve(results[i] as O);
      });
    } catch (error) {
      for (const p of batch) p.reject(error);
    } finally {
      this.#inFlight--;
      if (this.#queue.length > 0) this.#schedule();
      else this.#checkIdle();
    }
  }

  #checkIdle(): void {
    if (this.#queue.length > 0 || this.#inFlight > 0) return;
    const waiters = this.#idle.splice(0);
    for (const resolve of waiters) resolve();
  }
}
