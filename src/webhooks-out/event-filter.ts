/**
 * Which events a webhook subscription receives: event-type patterns plus optional field filters.
 *
 * - Patterns: an exact type (`order.confirmed`), a family (`shipment.*` matches `shipment.dispatched`
 *   and `shipment.label.printed`, not `shipment` itself), or `*` for every event.
 * - Filters: `{ "<path>": <condition> }`, all of which must hold. A path is dot-separated over the event
 *   as `{ type, stream, data }` (`data.channel`, `stream`, `data.customer.country`); a condition is a
 *   JSON scalar (equal to the field: same type, same value) or `{ "prefix": "<text>" }` (the field is a
 *   string that starts with it). A missing field never matches. Nothing richer on purpose: filters run
 *   for every event and every subscription, and a partner with complex needs filters on their side.
 */
import type { JsonValue, StoredEvent } from "../store/store.ts";

export type FilterScalar = string | number | boolean | null;
export type FilterCondition = FilterScalar | { prefix: string };
export type EventFilter = Readonly<Record<string, FilterCondition>>;

/** Limits that keep a subscription cheap to match against every event. */
export const FILTER_LIMITS = Object.freeze({
  maxPatterns: 50,
  maxPatternLength: 100,
  maxFilterKeys: 20,
  maxPathLength: 200,
  maxPathDepth: 10,
  maxValueLength: 1_000,
});

const PATTERN = /^(\*|[a-z0-9_-]+(\.[a-z0-9_-]+)*(\.\*)?)$/;
const SEGMENT = /^[A-Za-z0-9_-]+$/;
const FORBIDDEN_SEGMENTS = new Set(["__proto__", "prototype", "constructor"]);

/** Why an event pattern is not accepted, or `undefined` when it is. */
export function patternProblem(pattern: string): string | undefined {
  if (pattern.length === 0 || pattern.length > FILTER_LIMITS.maxPatternLength) {
    return `must be 1-${FILTER_LIMITS.maxPatternLength} characters`;
  }
  if (!PATTERN.test(pattern)) {
    return 'must be an event type such as "order.confirmed", a family such as "shipment.*", or "*"';
  }
  return undefined;
}

/** Why a filter path is not accepted, or `undefined`. */
export function pathProblem(path: string): string | undefined {
  if (path.length === 0 || path.length > FILTER_LIMITS.maxPathLength) {
    return `must be 1-${FILTER_LIMITS.maxPathLength} characters`;
  }
  const segments = path.split(".");
  if (segments.length > FILTER_LIMITS.maxPathDepth)
    return `must have at most ${FILTER_LIMITS.maxPathDepth} parts`;
  if (!["type", "stream", "data"].includes(segments[0] as string)) {
    return 'must start with "type", "stream" or "data"';
  }
  for (const segment of segments) {
    if (!SEGMENT.test(segment)) return "parts must be letters, digits, _ or -, separated by dots";
    if (FORBIDDEN_SEGMENTS.has(segment)) return `may not use "${segment}"`;
  }
  return undefined;
}

/** True when the event's type matches one of the patterns. */
export function matchesType(patterns: readonly string[], type: string): boolean {
  for (const pattern of patterns) {
    if (pattern === "*" || pattern === type) return true;
    if (pattern.endsWith(".*") && type.startsWith(pattern.slice(0, -1))) return true;
  }
  return false;
}

function lookup(root: JsonValue, path: string): JsonValue | undefined {
  let current: JsonValue | undefined = root;
  for (const segment of path.split(".")) {
    if (current === null || typeof current !== "object" || Array.isArray(current)) return undefined;
    if (!Object.hasOwn(current, segment)) return undefined;
    current = current[segment];
  }
  return current;
}

/** True when every condition of `filter` holds for the event (an empty or absent filter always holds). */
export function matchesFilter(
  filter: EventFilter | undefined,
  event: Pick<StoredEvent, "type" | "stream" | "data">,
): boolean {
  if (!filter) return true;
  const root: JsonValue = { type: event.type, stream: event.stream, data: event.data };
  for (const [path, condition] of Object.entries(filter)) {
    const value = lookup(root, path);
    if (value === undefined) return false;
    if (condition !== null && typeof condition === "object") {
      if (typeof value !== "string" || !value.startsWith(condition.prefix)) return false;
    } else if (value !== condition) {
      return false;
    }
  }
  return true;
}

/** True when a subscription with these patterns and filter receives the event. */
export function matchesEvent(
  subscription: { events: readonly string[]; filter?: EventFilter | undefined },
  event: Pick<StoredEvent, "type" | "stream" | "data">,
): boolean {
  return matchesType(subscription.events, event.type) && matchesFilter(subscription.filter, event);
}
