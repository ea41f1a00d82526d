/**
 * How identities and API keys are stored (as store records) and shown (views without secrets), and
 * the checks on what an administrator may set. Records are stable once released: fields are only added.
 *
 * - kind `identity`, key = identity id: name, scopes, rate limit, disabled flag, the ids of its keys;
 * - kind `api-key`, key = key id: the owning identity, the secret's SHA-256, creation, expiry and
 *   revocation times. The authenticator finds a key's record from the id in the presented key alone.
 */
import { CrossdockError } from "../../core/errors.ts";
import { SCOPES } from "../../gateway/auth/identity.ts";

export const IDENTITY_KIND = "identity";
export const API_KEY_KIND = "api-key";

export interface IdentityRecord {
  id: string;
  name: string;
  scopes: string[];
  /** Requests per minute across all of the identity's keys (per gateway process). */
  rateLimitPerMinute: number;
  disabled: boolean;
  /** Its keys, oldest first; revoked and expired ones are pruned when new keys need the room. */
  keyIds: string[];
  createdAt: number;
  updatedAt: number;
}

export interface ApiKeyRecord {
  keyId: string;
  identityId: string;
  /** SHA-256 of the secret, hex (see `api-key.ts` for why no slow hash). */
  secretHash: string;
  createdAt: number;
  /** The key stops working at this time (a set expiry, or the end of a rotation window). */
  expiresAt: number | null;
  revokedAt: number | null;
}

export type KeyStatus = "active" | "expired" | "revoked";

/** A key as administrators see it: never the secret or its hash. */
export interface ApiKeyView {
  keyId: string;
  /** What callers' keys start with, to recognise it: `cdk_<keyId>_`. */
  prefix: string;
  status: KeyStatus;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
}

export interface IdentityView {
  id: string;
  name: string;
  scopes: string[];
  rateLimitPerMinute: number;
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
  keys: ApiKeyView[];
}

export function keyStatus(key: ApiKeyRecord, now: number): KeyStatus {
  if (key.revokedAt !== null && key.revokedAt <= now) return "revoked";
  if (key.expiresAt !== null && key.expiresAt <= now) return "expired";
  return "active";
}

export function viewKey(key: ApiKeyRecord, now: number): ApiKeyView {
  return {
    keyId: key.keyId,
    prefix: `cdk_${key.keyId}_`,
    status: keyStatus(key, now),
    createdAt: key.createdAt,
    expiresAt: key.expiresAt,
    revokedAt: key.revokedAt,
  };
}

export function viewIdentity(
  identity: IdentityRecord,
  keys: readonly ApiKeyRecord[],
  now: number,
): IdentityView {
  return {
    id: identity.id,
    name: identity.name,
    scopes: [...identity.scopes],
    rateLimitPerMinute: identity.rateLimitPerMinute,
    disabled: identity.disabled,
    createdAt: identity.createdAt,
    updatedAt: identity.updatedAt,
    keys: keys.map((k) => viewKey(k, now)),
  };
}

// ---------------------------------------------------------------------------------------------------
// What administrators may set
// ---------------------------------------------------------------------------------------------------

export const IDENTITY_LIMITS = Object.freeze({
  maxNameChars: 100,
  maxScopes: 32,
  minRateLimit: 1,
  maxRateLimit: 1_000_000,
  /** Keys kept per identity; past it, revoked and expired keys are forgotten first. */
  maxKeys: 10,
});

const KNOWN_SCOPES: ReadonlySet<string> = new Set(Object.values(SCOPES));
const IDENTITY_ID = /^idn_[0-9a-z]{1,40}$/;
// Printable text: no control characters (they would corrupt logs, tables and terminals).
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to refuse them
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

function invalid(field: string, message: string): CrossdockError {
  return new CrossdockError("CDK_API_INVALID_REQUEST", `invalid ${field}: ${message}`, {
    details: { errors: [{ path: field, message }] },
  });
}

export function isIdentityId(value: unknown): value is string {
  return typeof value === "string" && IDENTITY_ID.test(value);
}

export function checkName(name: unknown): string {
  if (typeof name !== "string" || name.trim().length === 0) throw invalid("name", "must be non-empty text");
  if (name.length > IDENTITY_LIMITS.maxNameChars) {
    throw invalid("name", `must be at most ${IDENTITY_LIMITS.maxNameChars} characters`);
  }
  if (CONTROL.test(name)) throw invalid("name", "must not contain control characters");
  return name.trim();
}

/** Known scopes only, each once, in a stable order. Unknown scopes are refused, never dropped. */
export function checkScopes(scopes: unknown): string[] {
  if (!Array.isArray(scopes)) throw invalid("scopes", "must be a list of scopes");
  if (scopes.length > IDENTITY_LIMITS.maxScopes) throw invalid("scopes", "too many scopes");
  const unknown = scopes.filter((s) => typeof s !== "string" || !KNOWN_SCOPES.has(s));
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 5).map((s) => JSON.stringify(s).slice(0, 60));
    throw invalid("scopes", `unknown scope ${shown.join(", ")}; known: ${[...KNOWN_SCOPES].join(", ")}`);
  }
  return [...new Set(scopes as string[])].sort();
}

export function checkRateLimit(value: unknown): number {
  if (
    typeof value !== "number" ||
    !Number.isInteger(value) ||
    value < IDENTITY_LIMITS.minRateLimit ||
    value > IDENTITY_LIMITS.maxRateLimit
  ) {
    throw invalid(
      "rateLimitPerMinute",
      `must be an integer from ${IDENTITY_LIMITS.minRateLimit} to ${IDENTITY_LIMITS.maxRateLimit}`,
    );
  }
  return value;
}

/** An expiry must be a time in the future (ms since the epoch). */
export function checkExpiry(value: unknown, now: number, field = "expiresAt"): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) throw invalid(field, "must be a time in ms");
  if (value <= now) throw invalid(field, "must be in the future");
  return value;
}

/** Reads a stored identity, refusing anything that is not one (a damaged or foreign record). */
export function asIdentity(data: unknown): IdentityRecord | undefined {
  const r = data as Partial<IdentityRecord> | null;
  if (typeof r !== "object" || r === null || typeof r.id !== "string" || !Array.isArray(r.scopes)) {
    return undefined;
  }
  return r as IdentityRecord;
}

export function asApiKey(data: unknown): ApiKeyRecord | undefined {
  const r = data as Partial<ApiKeyRecord> | null;
  if (
    typeof r !== "object" ||
    r === null ||
    typeof r.keyId !== "string" ||
    typeof r.secretHash !== "string"
  ) {
    return undefined;
  }
  return r as ApiKeyRecord;
}
