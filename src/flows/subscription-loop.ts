/**
 * A durable consumer of the event log: a named subscription (its cursor in the store) polled on an
 * interval, each batch handled and the cursor moved in ONE transaction, so a crash neither loses nor
 * repeats what the batch did. Projections (stock levels), routers (orders into workflows) and the
 * outbound webhook dispatcher are all this shape.
 */
import type { StructuredLogger } from "../delivery/structured-logger.ts";
import type { Store, StoredEvent, StoreTx, SubscriptionOptions } from "../store/store.ts";

export interface SubscriptionLoopOptions {
  store: Store;
  /** Stable name: the stored cursor's key. Never rename one in use. */
  name: string;
  subscription: SubscriptionOptions;
  logger: StructuredLogger;
  /** Events per batch. Default 500. */
  batchSize?: number;
  /** Handles a batch inside the transaction that moves the cursor past it. */
  handle(events: StoredEvent[], tx: StoreTx): Promise<void>;
  /** Told after a batch's transaction committed (e.g. to wake the workers for the jobs it made). */
  onCommitted?(events: StoredEvent[]): void;
}

export interface SubscriptionLoop {
  /** Handles every pending event; returns how many. */
  catchUp(): Promise<number>;
  start(intervalMs: number): void;
  /** Makes the next pass immediate. */
  wake(): void;
  stop(): Promise<void>;
}

export function createSubscriptionLoop(options: SubscriptionLoopOptions): SubscriptionLoop {
  const { store, name, logger } = options;
  let subscribed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = true;
  let interval = 1_000;

  async function catchUp(): Promise<number> {
    if (!subscribed) {
      await store.events.subscribe(name, options.subscription);
      subscribed = true;
    }
    let handled = 0;
    for (;;) {
      const events = await store.events.poll(name, options.batchSize ?? 500);
      if (events.length === 0) return handled;
      await store.transaction(async (tx) => {
        await options.handle(events, tx);
        await tx.ackSubscription(name, (events.at(-1) as StoredEvent).position);
      });
      options.onCommitted?.(events);
      handled += events.length;
    }
  }

  function schedule(delayMs: number) {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      running = catchUp()
        .catch((error: unknown) =>
          logger.warn({ subscription: name, error }, "subscription pass failed; retrying"),
        )
        .finally(() => {
          running = undefined;
          schedule(interval);
        });
    }, delayMs);
    timer.unref();
  }

  return {
    catchUp,
    start(intervalMs) {
      interval = intervalMs;
      stopped = false;
      schedule(0);
    },
    wake() {
      if (!running) schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
