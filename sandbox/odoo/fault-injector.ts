/**
 * Kinds of injectable failure:
 * - `serialization` / `lock`: the call waits `delayMs`, does nothing, and fails with
 *   psycopg2.errors.SerializationFailure / LockNotAvailable (JSON-2: 500 with that name);
 * - `http502` / `http503` / `http429`: an HTML error page from the "proxy", `Retry-After` when `retryAfterS`;
 * - `html500`: a text/html 500 page;
 * - `reset-before`: the socket is destroyed before anything is done;
 * - `reset-after`: the work is done and committed, then the socket is destroyed;
 * - `hang-after`: the work is committed and the response is never sent (until `close()`).
 */
export type FaultKind =
  | "serialization"
  | "lock"
  | "http502"
  | "http503"
  | "http429"
  | "reset-before"
  | "reset-after"
  | "hang-after"
  | "html500";

/** Every kind, for validation of injections coming over HTTP. */
export const FAULT_KINDS: readonly FaultKind[] = [
  "serialization",
  "lock",
  "http502",
  "http503",
  "http429",
  "reset-before",
  "reset-after",
  "hang-after",
  "html500",
];

/** One injection, as `faults.inject` and `POST /__sandbox/faults` take it. */
export interface FaultSpec {
  /** Only calls on this model (any when absent). */
  model?: string;
  /** Only calls of this method (any when absent). */
  method?: string;
  kind: FaultKind;
  /** How many matching calls it hits before disappearing (default 1). */
  times?: number;
  /** serialization/lock: how long the call runs before failing, ms (default 0). */
  delayMs?: number;
  /** http429/http503: the `Retry-After` header, seconds. */
  retryAfterS?: number;
}

/** Pending faults, matched in injection order against each RPC call's model and method. */
export class FaultInjector {
  private readonly pendingFaults: { spec: FaultSpec; left: number }[] = [];

  /** Adds a fault; throws on an unknown kind or a bad count. */
  inject(spec: FaultSpec): void {
    if (!spec || !FAULT_KINDS.includes(spec.kind))
      throw new Error(`unknown fault kind ${JSON.stringify(spec?.kind)}`);
    const times = spec.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error("times must be a positive integer");
    this.pendingFaults.push({ spec: { ...spec }, left: times });
  }

  clear(): void {
    this.pendingFaults.length = 0;
  }

  /** Number of fault firings still to come. */
  pending(): number {
    return this.pendingFaults.reduce((sum, f) => sum + f.left, 0);
  }

  /** The fault for this call, if any (consumes one firing). */
  take(model: string | undefined, method: string | undefined): FaultSpec | undefined {
    const index = this.pendingFaults.findIndex(
      (f) =>
        (f.spec.model === undefined || f.spec.model === model) &&
        (f.spec.method === undefined || f.spec.method === method),
    );
    if (index < 0) return undefined;
    const hit = this.pendingFaults[index] as { spec: FaultSpec; left: number };
    hit.left -= 1;
    if (hit.left <= 0) this.pendingFaults.splice(index, 1);
    return hit.spec;
  }
}
