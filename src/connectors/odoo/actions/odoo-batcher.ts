/**
 * Turns many concurrent single-item requests (one per job) into few batched Odoo calls. Items wait
 * while earlier batches are in flight, so batches grow by themselves under load and stay at one item
 * when traffic is light: no timer adds latency at low load ("smart batching"). A short optional linger
 * lets the first burst after an idle period gather too.
 *
 * The batch function answers per item, so one bad order fails only its own job.
 */
export type ItemOutcome<O> = { ok: true; value: O } | { ok: false; error: unknown };

export interface BatcherOptions<I, O> {
  /** Runs one batch; must return one outcome per item, in order. Throwing fails every item. */
  run: (items: I[]) => Promise<ItemOutcome<O>[]>;
  /** Largest batch. Default 100 (Odoo advice: 100-500 so a worker timeout rolls back little). */
  maxBatch?: number;
  /** Batches in flight at once. Default 1: Odoo's budget is shared, and batching beats parallel calls. */
  concurrency?: number;
  /** Wait this long after the first item of an idle period before starting. Default 0. */
  lingerMs?: number;
}

export interface Batcher<I, O> {
  submit(item: I): Promise<O>;
  stats(): { batches: number; items: number; largest: number; waiting: number };
}

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export function createBatcher<I, O>(options: BatcherOptions<I, O>): Batcher<I, O> {
  const maxBatch = options.maxBatch ?? 100;
  const concurrency = options.concurrency ?? 1;
  const linger = options.lingerMs ?? 0;
  const waiting: Pending<I, O>[] = [];
  let running = 0;
  let lingering = false;
  let batches = 0;
  let items = 0;
  let largest = 0;

  function pump() {
    while (running < concurrency && waiting.length > 0 && !lingering) {
      const batch = waiting.splice(0, maxBatch);
      running++;
      batches++;
      items += batch.length;
      largest = Math.max(largest, batch.length);
      void runBatch(batch).finally(() => {
        running--;
        pump();
      });
    }
  }

  async function runBatch(batch: Pending<I, O>[]) {
    try {
      const outcomes = await options.run(batch.map((p) => p.item));
      batch.forEach((pending, index) => {
        const outcome = outcomes[index];
        if (outcome === undefined) pending.reject(new Error("batch returned no outcome for an item"));
        else if (outcome.ok) pending.resolve(outcome.value);
        else pending.reject(outcome.error);
      });
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    }
  }

  return {
    submit(item) {
      return new Promise<O>((resolve, reject) => {
        waiting.push({ item, resolve, reject });
        if (linger > 0 && running === 0 && waiting.length === 1) {
          lingering = true;
          setTimeout(() => {
            lingering = false;
            pump();
          }, linger);
          return;
        }
        pump();
      });
    },
    stats: () => ({ batches, items, largest, waiting: waiting.length }),
  };
}
