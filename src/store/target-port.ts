/** Targets paused after a configuration failure. Part of the Store port (`store.ts`). */
import type { StoredError } from "../core/errors.ts";

export interface TargetState {
  target: string;
  paused: boolean;
  reason: StoredError | undefined;
  pausedAt: number | undefined;
}

export interface TargetStore {
  pause(target: string, reason: StoredError): Promise<void>;
  resume(target: string): Promise<void>;
  /** Targets that have been paused at least once (paused or resumed since). */
  list(): Promise<TargetState[]>;
}
