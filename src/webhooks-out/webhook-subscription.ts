/**
 * A partner's subscription to canonical events, delivered as signed webhooks to one URL. Stored as a
 * record (kind `WEBHOOK_SUBSCRIPTION_KIND`, key = id); its deliveries are jobs on the target
 * `webhook:<id>`, so each subscription has its own queue, concurrency budget, pause switch and
 * delivery log.
 *
 * This module holds the shape, its limits and the checks on user input (shared by the admin API and
 * the CLI); `webhook-subscriptions.ts` stores and changes them.
 */
import { CrossdockError } from "../core/errors.ts";
import type { JsonValue } from "../store/store.ts";
import { endpointUrlProblem, type UrlPolicy } from "./endpoint-url.ts";
import {
  type EventFilter,
  FILTER_LIMITS,
  type FilterCondition,
  pathProblem,
  patternProblem,
} from "./event-filter.ts";
import { secretKey } from "./webhook-signer.ts";

export const WEBHOOK_SUBSCRIPTION_KIND = "webhook.subscription";
/** Job kind of one delivery. */
export const WEBHOOK_DELIVER_KIND = "webhook.deliver";
/** Prefix of every subscription's job target; the worker's `webhook:*` handler serves them all. */
export const WEBHOOK_TARGET_PREFIX = "webhook:";

/** Default of `disableAfterMs`: five days of uninterrupted failure, as Svix does. */
export const DEFAULT_DISABLE_AFTER_MS = 5 * 24 * 3_600_000;
export const MIN_DISABLE_AFTER_MS = 60_000;
export const MAX_DISABLE_AFTER_MS = 90 * 24 * 3_600_000;
/** Default time the previous secret keeps signing after a rotation. */
export const DEFAULT_ROTATION_WINDOW_MS = 24 * 3_600_000;
export const MAX_NAME_LENGTH = 200;

export type DisabledReason = "manual" | "endpoint-failing" | "gone";

export interface WebhookSecret {
  /** `whsec_<base64>`; never returned by the API after creation or rotation. */
  secret: string;
  createdAt: number;
  /** After a rotation, when this (previous) secret stops signing. */
  expiresAt?: number;
}

export interface WebhookSubscription {
  id: string;
  name: string;
  /** Who it is for (an identity id or a partner name); free text used to group and filter lists. */
  partner?: string;
  url: string;
  /** Event-type patterns (`order.confirmed`, `shipment.*`, `*`); see `event-filter.ts`. */
  events: string[];
  filter?: EventFilter;
  /** Newest first. The first one always signs; older ones sign until their `expiresAt`. */
  secrets: WebhookSecret[];
  enabled: boolean;
  disabledReason?: DisabledReason;
  disabledAt?: number;
  /** How long an endpoint may fail without a single success before it is disabled. */
  disableAfterMs: number;
  createdAt: number;
  updatedAt: number;
}

/** What a user gives to create or update (update: every field optional). */
export interface SubscriptionInput {
  name?: string;
  partner?: string;
  url?: string;
  events?: string[];
  filter?: Record<string, FilterCondition> | null;
  disableAfterMs?: number;
  /** On create only: a secret the partner already holds; default a new random one. */
  secret?: string;
}

export function webhookTarget(subscriptionId: string): string {
  return `${WEBHOOK_TARGET_PREFIX}${subscriptionId}`;
}

/** The subscription id of a `webhook:<id>` target, or `undefined` for other targets. */
export function subscriptionIdOf(target: string): string | undefined {
  return target.startsWith(WEBHOOK_TARGET_PREFIX) ? target.slice(WEBHOOK_TARGET_PREFIX.length) : undefined;
}

/** The secrets that sign a delivery made at `now`, newest first (never empty: the newest always signs). */
export function activeSecrets(subscription: WebhookSubscription, now: number): string[] {
  return subscription.secrets
    .filter((entry, index) => index === 0 || entry.expiresAt === undefined || entry.expiresAt > now)
    .map((entry) => entry.secret);
}

function invalid(path: string, problem: string): CrossdockError {
  // `errors` is the shape the gateway's problem documents carry for schema errors.
  return new CrossdockError("CDK_API_INVALID_REQUEST", `${path} ${problem}`, {
    details: { path, problem, errors: [{ path: `body${path}`, message: problem }] },
  });
}

function checkText(path: string, value: unknown, max: number): void {
  if (typeof value !== "string" || value.trim().length === 0 || value.length > max) {
    throw invalid(path, `must be a non-empty text of at most ${max} characters`);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
  if (/[\u0000-\u001f\u007f]/.test(value)) throw invalid(path, "must not contain control characters");
}

/**
 * Checks user input field by field and throws `CDK_API_INVALID_REQUEST` naming the first bad one
 * (`details.path` is a JSON pointer such as `/events/3`). With `creating`, `name`, `url` and `events`
 * are required. The API's schemas check the shape first; this checks what schemas cannot (URL policy,
 * pattern grammar, duplicates, secret format) and is the only check the CLI has.
 */
export function checkSubscriptionInput(input: SubscriptionInput, policy: UrlPolicy, creating: boolean): void {
  if (creating) {
    for (const field of ["name", "url", "events"] as const) {
      if (input[field] === undefined) throw invalid(`/${field}`, "is required");
    }
  }
  if (input.name !== undefined) checkText("/name", input.name, MAX_NAME_LENGTH);
  if (input.partner !== undefined) checkText("/partner", input.partner, MAX_NAME_LENGTH);
  if (input.url !== undefined) {
    if (typeof input.url !== "string") throw invalid("/url", "must be a URL");
    const problem = endpointUrlProblem(input.url, policy);
    if (problem) throw invalid("/url", problem);
  }
  if (input.events !== undefined) {
    if (!Array.isArray(input.events) || input.events.length === 0)
      throw invalid("/events", "must list at least one event type");
    if (input.events.length > FILTER_LIMITS.maxPatterns)
      throw invalid("/events", `must list at most ${FILTER_LIMITS.maxPatterns} patterns`);
    const seen = new Set<string>();
    input.events.forEach((pattern, index) => {
      const problem = typeof pattern === "string" ? patternProblem(pattern) : "must be a text";
      if (problem) throw invalid(`/events/${index}`, problem);
      if (seen.has(pattern)) throw invalid(`/events/${index}`, `repeats "${pattern}"`);
      seen.add(pattern);
    });
  }
  if (input.filter !== undefined && input.filter !== null) checkFilter(input.filter);
  if (input.disableAfterMs !== undefined) {
    const value = input.disableAfterMs;
    if (!Number.isInteger(value) || value < MIN_DISABLE_AFTER_MS || value > MAX_DISABLE_AFTER_MS) {
      throw invalid(
        "/disableAfterMs",
        `must be an integer from ${MIN_DISABLE_AFTER_MS} to ${MAX_DISABLE_AFTER_MS}`,
      );
    }
  }
  if (input.secret !== undefined) {
    if (!creating) throw invalid("/secret", "can only be set at creation; rotate to change it");
    if (typeof input.secret !== "string" || !secretKey(input.secret)) {
      throw invalid("/secret", "must be whsec_ followed by the base64 of 24 to 64 random bytes");
    }
  }
}

function checkFilter(filter: unknown): void {
  if (typeof filter !== "object" || filter === null || Array.isArray(filter))
    throw invalid("/filter", "must be an object");
  const entries = Object.entries(filter);
  if (entries.length > FILTER_LIMITS.maxFilterKeys)
    throw invalid("/filter", `must have at most ${FILTER_LIMITS.maxFilterKeys} conditions`);
  for (const [path, condition] of entries) {
    const where = `/filter/${path.replaceAll("~", "~0").replaceAll("/", "~1")}`;
    const problem = pathProblem(path);
    if (problem) throw invalid(where, `path ${problem}`);
    if (condition === null || typeof condition === "boolean") continue;
    if (typeof condition === "number") {
      if (!Number.isFinite(condition)) throw invalid(where, "must be a finite number");
      continue;
    }
    if (typeof condition === "string") {
      if (condition.length > FILTER_LIMITS.maxValueLength)
        throw invalid(where, `must be at most ${FILTER_LIMITS.maxValueLength} characters`);
      continue;
    }
    const keys = typeof condition === "object" && !Array.isArray(condition) ? Object.keys(condition) : [];
    const prefix = (condition as { prefix?: unknown }).prefix;
    if (
      keys.length !== 1 ||
      keys[0] !== "prefix" ||
      typeof prefix !== "string" ||
      prefix.length > FILTER_LIMITS.maxValueLength
    ) {
      throw invalid(where, 'must be a text, number, boolean, null or { "prefix": "<text>" }');
    }
  }
}

/** The stored form is the object itself; this reads it back with a shape check (records are JSON). */
export function subscriptionFromJson(data: JsonValue): WebhookSubscription {
  const value = data as unknown as WebhookSubscription;
  if (typeof value?.id !== "string" || !Array.isArray(value.events) || !Array.isArray(value.secrets)) {
    throw new CrossdockError("CDK_STORE_CORRUPT", "a webhook.subscription record is damaged");
  }
  return value;
}

export function subscriptionToJson(subscription: WebhookSubscription): JsonValue {
  return JSON.parse(JSON.stringify(subscription)) as JsonValue;
}

/** A subscription as the API and CLI show it: secrets never leave, only how many and their ages. */
export function publicView(subscription: WebhookSubscription): Omit<WebhookSubscription, "secrets"> & {
  secrets: { createdAt: number; expiresAt?: number }[];
} {
  const { secrets, ...rest } = subscription;
  return {
    ...rest,
    secrets: secrets.map((entry) => ({
      createdAt: entry.createdAt,
      ...(entry.expiresAt === undefined ? {} : { expiresAt: entry.expiresAt }),
    })),
  };
}
