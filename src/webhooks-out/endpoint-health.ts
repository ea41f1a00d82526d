/**
 * Endpoint health: whether a subscription's endpoint has been failing for so long that sending to it
 * is pointless. Only the current failing streak matters: its first failure time, reset by any success.
 * When a failure comes more than `disableAfterMs` after the streak began, the subscription is
 * disabled (the delivery handler then pauses its target, logs an alert and raises an exception record
 * with `CDK_WEBHOOK_ENDPOINT_DISABLED`).
 *
 * Pure: the handler reads the state from the store (record kind `WEBHOOK_HEALTH_KIND`, key = the
 * subscription id) and writes the next state only when it changed, so a healthy endpoint costs one
 * read per delivery and no write.
 */
import type { JsonValue } from "../store/store.ts";

/** Record kind of the per-subscription health state. */
export const WEBHOOK_HEALTH_KIND = "webhook.endpoint-health";

export interface EndpointHealth {
  /** First failure of the current streak; `undefined` while healthy. */
  failingSince: number | undefined;
  /** Failed attempts in the current streak. */
  consecutiveFailures: number;
  lastFailureAt: number | undefined;
  lastSuccessAt: number | undefined;
}

export const HEALTHY: Readonly<EndpointHealth> = Object.freeze({
  failingSince: undefined,
  consecutiveFailures: 0,
  lastFailureAt: undefined,
  lastSuccessAt: undefined,
});

/** After a successful delivery; `changed` is false when nothing needs writing. */
export function afterSuccess(
  health: EndpointHealth,
  now: number,
): { next: EndpointHealth; changed: boolean } {
  if (health.failingSince === undefined && health.consecutiveFailures === 0) {
    // Writing lastSuccessAt on every delivery would cost a write each; it is kept only on recovery.
    return { next: health, changed: false };
  }
  return {
    next: {
      failingSince: undefined,
      consecutiveFailures: 0,
      lastFailureAt: health.lastFailureAt,
      lastSuccessAt: now,
    },
    changed: true,
  };
}

/** After a failed attempt: the next state, and whether the streak is now longer than `disableAfterMs`. */
export function afterFailure(
  health: EndpointHealth,
  now: number,
  disableAfterMs: number,
): { next: EndpointHealth; disable: boolean } {
  const failingSince = health.failingSince ?? now;
  return {
    next: {
      failingSince,
      consecutiveFailures: health.consecutiveFailures + 1,
      lastFailureAt: now,
      lastSuccessAt: health.lastSuccessAt,
    },
    disable: now - failingSince >= disableAfterMs,
  };
}

/** Reads a stored health record back (tolerant: a damaged record counts as healthy). */
export function healthFromJson(data: JsonValue | undefined): EndpointHealth {
  if (data === null || typeof data !== "object" || Array.isArray(data)) return { ...HEALTHY };
  const num = (value: JsonValue | undefined) => (typeof value === "number" ? value : undefined);
  return {
    failingSince: num(data.failingSince),
    consecutiveFailures: num(data.consecutiveFailures) ?? 0,
    lastFailureAt: num(data.lastFailureAt),
    lastSuccessAt: num(data.lastSuccessAt),
  };
}

export function healthToJson(health: EndpointHealth): JsonValue {
  const out: Record<string, JsonValue> = { consecutiveFailures: health.consecutiveFailures };
  if (health.failingSince !== undefined) out.failingSince = health.failingSince;
  if (health.lastFailureAt !== undefined) out.lastFailureAt = health.lastFailureAt;
  if (health.lastSuccessAt !== undefined) out.lastSuccessAt = health.lastSuccessAt;
  return out;
}
