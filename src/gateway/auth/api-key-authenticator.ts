/**
 * The gateway's `Authenticator` for API keys (`Authorization: Bearer cdk_...` or `X-Api-Key`): finds
 * the key by the id inside it, compares the secret's SHA-256 in constant time, checks expiry,
 * revocation and the identity's disabled flag, then takes one request from the identity's rate limit.
 *
 * Keys and identities are cached in memory for `cacheTtlMs` (default 5 s): changes made through this
 * process's `IdentityService` drop the cached copy at once (`invalidate`); changes made by another
 * process (the CLI, another gateway) apply within the TTL. What happened is kept per request
 * (`attemptOf`) for the audit plugin and the response headers; never the secret.
 */
import type { FastifyRequest } from "fastify";
import type { Clock } from "../../core/clock.ts";
import { CrossdockError } from "../../core/errors.ts";
import { parseApiKey, secretMatches } from "../../security/identities/api-key.ts";
import {
  type ApiKeyRecord,
  type IdentityRecord,
  keyStatus,
} from "../../security/identities/identity-records.ts";
import type { Authenticator, Identity } from "./identity.ts";
import { type RateDecision, RateLimiter } from "./rate-limiter.ts";

export type AuthFailure =
  | "missing"
  | "malformed"
  | "unknown"
  | "expired"
  | "revoked"
  | "disabled"
  | "rate-limited";

/** What the authenticator saw on one request (for audit and headers). */
export interface AuthAttempt {
  at: number;
  /** The key id from the presented key, when it was well-formed (never the secret). */
  keyId?: string;
  identity?: Identity;
  failure?: AuthFailure;
  rate?: RateDecision;
}

type Loaded = { key: ApiKeyRecord; identity: IdentityRecord } | undefined;

export interface ApiKeyAuthenticatorOptions {
  clock: Clock;
  /** Loads a key and its identity from the store (`IdentityService.loadKey`). */
  loadKey: (keyId: string) => Promise<Loaded>;
  /** Default 5,000 ms. */
  cacheTtlMs?: number;
  /** Default 10,000 keys. */
  maxCachedKeys?: number;
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

export class ApiKeyAuthenticator implements Authenticator {
  readonly #clock: Clock;
  readonly #load: (keyId: string) => Promise<Loaded>;
  readonly #ttl: number;
  readonly #max: number;
  readonly #cache = new Map<string, { at: number; value: Promise<Loaded> }>();
  readonly #attempts = new WeakMap<FastifyRequest, AuthAttempt>();
  readonly limiter: RateLimiter;

  constructor(options: ApiKeyAuthenticatorOptions) {
    this.#clock = options.clock;
    this.#load = options.loadKey;
    this.#ttl = options.cacheTtlMs ?? 5_000;
    this.#max = options.maxCachedKeys ?? 10_000;
    this.limiter = new RateLimiter(options.clock);
  }

  async authenticate(request: FastifyRequest): Promise<Identity> {
    const at = this.#clock.now();
    const attempt: AuthAttempt = { at };
    this.#attempts.set(request, attempt);
    const presented = presentedKey(request);
    if (presented === undefined) {
      attempt.failure = "missing";
      throw new CrossdockError(
        "CDK_AUTH_REQUIRED",
        "this call needs an API key: send Authorization: Bearer <key> or X-Api-Key: <key>",
      );
    }
    const parsed = parseApiKey(presented);
    if (!parsed) return this.#refuse(attempt, "malformed");
    attempt.keyId = parsed.keyId;
    const loaded = await this.#cached(parsed.keyId, at);
    // The secret is checked before anything about the key is revealed (expired, revoked, disabled).
    if (!loaded || !secretMatches(parsed.secret, loaded.key.secretHash))
      return this.#refuse(attempt, "unknown");
    const status = keyStatus(loaded.key, at);
    if (status !== "active") return this.#refuse(attempt, status);
    if (loaded.identity.disabled) return this.#refuse(attempt, "disabled");
    const identity: Identity = {
      id: loaded.identity.id,
      name: loaded.identity.name,
      scopes: loaded.identity.scopes,
      keyId: parsed.keyId,
    };
    attempt.identity = identity;
    const rate = this.limiter.take(identity.id, loaded.identity.rateLimitPerMinute);
    attempt.rate = rate;
    if (!rate.allowed) {
      attempt.failure = "rate-limited";
      throw new CrossdockError(
        "CDK_RATE_LIMITED",
        `identity ${identity.name} is over its limit of ${rate.limit} requests per minute; retry later`,
        { retryAfterMs: rate.retryAfterMs, details: { limit: rate.limit } },
      );
    }
    return identity;
  }

  /** What happened when `request` was authenticated; undefined if it never was. */
  attemptOf(request: FastifyRequest): AuthAttempt | undefined {
    return this.#attempts.get(request);
  }

  /** Drops cached keys (after an admin change in this process); without ids, everything. */
  invalidate(keyIds?: readonly string[]): void {
    if (keyIds === undefined) this.#cache.clear();
    else for (const keyId of keyIds) this.#cache.delete(keyId);
  }

  #refuse(attempt: AuthAttempt, failure: AuthFailure): never {
    attempt.failure = failure;
    const why = {
      malformed: "is not a Crossdock API key (cdk_<keyId>_<secret>)",
      unknown: "is not valid",
      expired: "has expired",
      revoked: "has been revoked",
      disabled: "belongs to a disabled identity",
    }[failure as "malformed"];
    throw new CrossdockError("CDK_AUTH_INVALID", `the API key ${why}`, {
      details: { reason: failure, ...(attempt.keyId ? { keyId: attempt.keyId } : {}) },
    });
  }

  /** Concurrent requests with the same key share one load; failed loads are not cached. */
  #cached(keyId: string, now: number): Promise<Loaded> {
    const hit = this.#cache.get(keyId);
    if (hit && now - hit.at < this.#ttl && now >= hit.at) return hit.value;
    if (this.#cache.size >= this.#max) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    const value = this.#load(keyId);
    const entry = { at: now, value };
    this.#cache.delete(keyId);
    this.#cache.set(keyId, entry);
    value.catch(() => {
      if (this.#cache.get(keyId) === entry) this.#cache.delete(keyId);
    });
    return value;
  }
}

/** The key from `Authorization: Bearer` or else `X-Api-Key`; undefined when neither is present. */
function presentedKey(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization === "string" && authorization.length > 0) {
    return BEARER.exec(authorization)?.[1] ?? "";
  }
  const header = request.headers["x-api-key"];
  if (typeof header === "string" && header.length > 0) return header.trim();
  return undefined;
}
