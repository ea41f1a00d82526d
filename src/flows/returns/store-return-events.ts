/**
 * `ReturnEventsPort` over the store's event log. A step's effect and its record are not one
 * transaction, so an emit can run again after a crash: the event carries the step's idempotency key as
 * its `causationId`, and the stream (one return's, a few events long) is read for it first. The run
 * executes once at a time, so nothing else appends the same key in between.
 */
import type { Store } from "../../store/store.ts";
import type { ReturnEventsPort } from "./returns-ports.ts";

export function createStoreReturnEvents(store: Pick<Store, "events">): ReturnEventsPort {
  return {
    async emit(event, idempotencyKey) {
      const existing = await store.events.readStream(event.stream);
      if (existing.some((e) => e.causationId === idempotencyKey)) return;
      await store.events.append([{ ...event, causationId: idempotencyKey }]);
    },
  };
}
