/**
 * Write-behind for the request audit: the response is never held up by the audit write. Entries
 * queue in memory and are appended in batches (`store.audit.append`, itself group-committed), one
 * batch at a time. The queue is bounded (`maxQueued`, default 10,000 entries, a few MB): when the store
 * falls that far behind, new entries are dropped, counted (`dropped`) and logged at most every 10 s,
 * rather than letting memory grow or slowing every API call down. A failed write is logged and its
 * batch counted as dropped; the next batch is tried as usual.
 */
import type { Logger } from "../../observability/logger.ts";
import type { AuditEntryInput, Store } from "../../store/store.ts";

export interface AuditQueueOptions {
  store: Pick<Store, "audit">;
  logger: Pick<Logger, "warn" | "error">;
  /** Default 10,000. */
  maxQueued?: number;
  /** Entries per append. Default 500 (the store takes at most 1,000 per call). */
  maxBatch?: number;
  /** For the "dropped" warning's rate limit; default Date.now. */
  now?: () => number;
}

export class AuditQueue {
  readonly #store: Pick<Store, "audit">;
  readonly #logger: Pick<Logger, "warn" | "error">;
  readonly #max: number;
  readonly #batch: number;
  readonly #now: () => number;
  #queue: AuditEntryInput[] = [];
  #running: Promise<void> | undefined;
  #lastWarning = Number.NEGATIVE_INFINITY;
  /** Entries dropped since start (queue full or write failed). */
  dropped = 0;
  /** Entries written since start. */
  written = 0;

  constructor(options: AuditQueueOptions) {
    this.#store = options.store;
    this.#logger = options.logger;
    this.#max = options.maxQueued ?? 10_000;
    this.#batch = Math.min(1_000, options.maxBatch ?? 500);
    this.#now = options.now ?? Date.now;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Queues an entry; returns false if it was dropped because the queue is full. */
  push(entry: AuditEntryInput): boolean {
    if (this.#queue.length >= this.#max) {
      this.dropped++;
      const now = this.#now();
      if (now - this.#lastWarning >= 10_000) {
        this.#lastWarning = now;
        this.#logger.warn(
          { dropped: this.dropped, queued: this.#queue.length },
          "audit queue full: the store is falling behind, audit entries are being dropped",
        );
      }
      return false;
    }
    this.#queue.push(entry);
    this.#running ??= this.#run();
    return true;
  }

  /** Resolves when everything queued so far is written (or dropped after a failure). */
  async drain(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #run(): Promise<void> {
    // Let the rest of this event-loop turn's responses join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#batch);
        try {
          await this.#store.audit.append(batch);
          this.written += batch.length;
        } catch (error) {
          this.dropped += batch.length;
          this.#logger.error({ err: error, entries: batch.length }, "audit entries could not be written");
        }
      }
    } finally {
      this.#running = undefined;
    }
  }
}
