/**
 * Interchange control references (UNB05) per trading partner, kept in the store's records so they
 * survive restarts and never repeat: 1, 2, 3, ... (14 digits at most, wrapping after), one versioned
 * write per reference (a concurrent allocation retries on `CDK_STORE_CONFLICT`).
 *
 * Record kind `edifact-control` (key: partner).
 */
import { retryOnConflict } from "../../store/record-port.ts";
import type { Store } from "../../store/store.ts";

const KIND = "edifact-control";
const WRAP = 99_999_999_999_999;

export function allocateEdifactControlRef(store: Store, partner: string): Promise<string> {
  return retryOnConflict(() =>
    store.transaction(async (tx) => {
      const current = await tx.getRecord(KIND, partner);
      const last = (current?.data as { last?: number } | undefined)?.last ?? 0;
      const next = (last % WRAP) + 1;
      await tx.putRecord(KIND, partner, { last: next }, { expectedVersion: current?.version ?? 0 });
      return String(next);
    }),
  );
}
