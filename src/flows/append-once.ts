/**
 * Appends an event a workflow step causes, once per step: the step's idempotency key is the event's
 * `causationId`, and the stream is read for it first. A step's effect and its record are not one
 * transaction, so a step run again after a crash would otherwise emit twice; the run executes once at
 * a time, so nothing else appends the same key in between. Meant for a run's own streams (an order's,
 * a return's, a purchase's), which stay short.
 */
import type { EventInput, Store } from "../store/store.ts";

/** True when appended now, false when the step had already appended it. */
export async function appendOnce(
  store: Pick<Store, "events">,
  event: Omit<EventInput, "causationId">,
  idempotencyKey: string,
): Promise<boolean> {
  const existing = await store.events.readStream(event.stream);
  if (existing.some((e) => e.causationId === idempotencyKey)) return false;
  await store.events.append([{ ...event, causationId: idempotencyKey }]);
  return true;
}
