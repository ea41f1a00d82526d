/** `ReturnEventsPort` over the store's event log, each step's event appended once (`appendOnce`). */
import type { Store } from "../../store/store.ts";
import { appendOnce } from "../append-once.ts";
import type { ReturnEventsPort } from "./returns-ports.ts";

export function createStoreReturnEvents(store: Pick<Store, "events">): ReturnEventsPort {
  return {
    async emit(event, idempotencyKey) {
      await appendOnce(store, event, idempotencyKey);
    },
  };
}
