/**
 * `IdentityService`: machine identities and their API keys, kept as store records. Every change runs
 * in one store transaction with its audit entry (`tx.appendAudit`), so the audit log never misses a
 * change and never records one that did not happen. Used by the admin API and by the CLI (which works
 * on the store directly, e.g. to create the first admin identity).
 *
 * Rotation: `rotateKey` issues a new key and shortens the identity's other active keys to the end of
 * the rotation window (default 24 h), so partners can switch over without downtime; after the window
 * the old keys stop working by themselves. `revokeKey` ends a key at once.
 */
import type { Clock } from "../../core/clock.ts";
import { CrossdockError } from "../../core/errors.ts";
import type { IdGenerator } from "../../core/ids.ts";
import type { JsonValue, Store, StoreTx } from "../../store/store.ts";
import { generateApiKey, isKeyId } from "./api-key.ts";
import {
  API_KEY_KIND,
  type ApiKeyRecord,
  asApiKey,
  asIdentity,
  checkExpiry,
  checkName,
  checkRateLimit,
  checkScopes,
  IDENTITY_KIND,
  IDENTITY_LIMITS,
  type IdentityRecord,
  type IdentityView,
  isIdentityId,
  keyStatus,
  viewIdentity,
} from "./identity-records.ts";

export interface IdentityServiceOptions {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  /** Requests per minute of a new identity. Default 600. */
  defaultRateLimitPerMinute?: number;
  /** How long the previous keys keep working after a rotation. Default 24 h. */
  rotationWindowMs?: number;
  /** Called after each committed change (the authenticator drops its cached copy). */
  onChange?: (identityId: string, keyIds: readonly string[]) => void;
}

export interface CreateIdentityInput {
  name: string;
  scopes: readonly string[];
  rateLimitPerMinute?: number;
  disabled?: boolean;
  /** When the first key stops working (default: never; rotate or revoke it). */
  keyExpiresAt?: number;
}

export interface UpdateIdentityInput {
  name?: string;
  scopes?: readonly string[];
  rateLimitPerMinute?: number;
  disabled?: boolean;
}

/** A new key, shown once: only its hash is stored. */
export interface IssuedKey {
  identity: IdentityView;
  keyId: string;
  apiKey: string;
}

export const DEFAULT_RATE_LIMIT_PER_MINUTE = 600;
export const DEFAULT_ROTATION_WINDOW_MS = 24 * 60 * 60 * 1_000;

function notFound(what: string): CrossdockError {
  return new CrossdockError("CDK_IDENTITY_NOT_FOUND", `no ${what}`, { details: { what } });
}

export class IdentityService {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #ids: IdGenerator;
  readonly #defaultRate: number;
  readonly #window: number;
  readonly #onChange: ((identityId: string, keyIds: readonly string[]) => void) | undefined;

  constructor(options: IdentityServiceOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#ids = options.ids;
    this.#defaultRate = options.defaultRateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE;
    this.#window = options.rotationWindowMs ?? DEFAULT_ROTATION_WINDOW_MS;
    this.#onChange = options.onChange;
  }

  async create(input: CreateIdentityInput, actor: string): Promise<IssuedKey> {
    const now = this.#clock.now();
    const name = checkName(input.name);
    const scopes = checkScopes(input.scopes);
    const rateLimitPerMinute = checkRateLimit(input.rateLimitPerMinute ?? this.#defaultRate);
    const expiresAt =
      input.keyExpiresAt === undefined ? null : checkExpiry(input.keyExpiresAt, now, "keyExpiresAt");
    const id = this.#ids.next("idn_");
    const issued = generateApiKey();
    const identity: IdentityRecord = {
      id,
      name,
      scopes,
      rateLimitPerMinute,
      disabled: input.disabled === true,
      keyIds: [issued.keyId],
      createdAt: now,
      updatedAt: now,
    };
    const key = this.#keyRecord(issued, id, now, expiresAt);
    await this.#store.transaction(async (tx) => {
      await tx.putRecord(IDENTITY_KIND, id, identity as unknown as JsonValue, { expectedVersion: 0 });
      await tx.putRecord(API_KEY_KIND, key.keyId, key as unknown as JsonValue, { expectedVersion: 0 });
      await audit(tx, actor, "identity.create", id, { name, scopes, rateLimitPerMinute, keyId: key.keyId });
    });
    this.#onChange?.(id, [key.keyId]);
    return { identity: viewIdentity(identity, [key], now), keyId: key.keyId, apiKey: issued.key };
  }

  /** Identities in id order (creation order), keyset-paged. */
  async list(options: { afterId?: string; limit?: number } = {}): Promise<IdentityView[]> {
    const records = await this.#store.records.list(IDENTITY_KIND, {
      ...(options.afterId === undefined ? {} : { afterKey: options.afterId }),
      limit: options.limit ?? 100,
    });
    const now = this.#clock.now();
    const views: IdentityView[] = [];
    for (const record of records) {
      const identity = asIdentity(record.data);
      if (identity) views.push(viewIdentity(identity, await this.#keys(identity), now));
    }
    return views;
  }

  async get(id: string): Promise<IdentityView> {
    const identity = await this.#identity(id);
    return viewIdentity(identity, await this.#keys(identity), this.#clock.now());
  }

  async update(id: string, patch: UpdateIdentityInput, actor: string): Promise<IdentityView> {
    const changes: Partial<IdentityRecord> = {};
    if (patch.name !== undefined) changes.name = checkName(patch.name);
    if (patch.scopes !== undefined) changes.scopes = checkScopes(patch.scopes);
    if (patch.rateLimitPerMinute !== undefined)
      changes.rateLimitPerMinute = checkRateLimit(patch.rateLimitPerMinute);
    if (patch.disabled !== undefined) changes.disabled = patch.disabled === true;
    const updated = await this.#change(id, actor, "identity.update", async (_tx, identity, now) => ({
      identity: { ...identity, ...changes, updatedAt: now },
      details: changes as JsonValue,
    }));
    return this.get(updated.id);
  }

  /**
   * Issues a new key. The identity's other active keys keep working until the rotation window ends
   * (`windowMs`, default the service's), or their own earlier expiry; 0 ends them at once.
   */
  async rotateKey(
    id: string,
    options: { windowMs?: number; keyExpiresAt?: number },
    actor: string,
  ): Promise<IssuedKey & { previousKeysValidUntil: number }> {
    const windowMs = options.windowMs ?? this.#window;
    if (!Number.isSafeInteger(windowMs) || windowMs < 0) {
      throw new CrossdockError("CDK_API_INVALID_REQUEST", "invalid windowMs: must be a non-negative integer");
    }
    const issued = generateApiKey();
    let until = 0;
    let created: ApiKeyRecord | undefined;
    const identity = await this.#change(id, actor, "identity.rotate-key", async (tx, identity, now) => {
      const expiresAt =
        options.keyExpiresAt === undefined ? null : checkExpiry(options.keyExpiresAt, now, "keyExpiresAt");
      until = now + windowMs;
      const keys = await this.#keysIn(tx, identity);
      for (const key of keys) {
        if (keyStatus(key, now) !== "active") continue;
        if (key.expiresAt !== null && key.expiresAt <= until) continue;
        await tx.putRecord(API_KEY_KIND, key.keyId, { ...key, expiresAt: until } as unknown as JsonValue);
      }
      created = this.#keyRecord(issued, id, now, expiresAt);
      await tx.putRecord(API_KEY_KIND, created.keyId, created as unknown as JsonValue, {
        expectedVersion: 0,
      });
      const keyIds = await this.#pruneKeys(tx, [...identity.keyIds, created.keyId], now);
      return {
        identity: { ...identity, keyIds, updatedAt: now },
        details: { keyId: created.keyId, previousKeysValidUntil: until },
      };
    });
    return {
      identity: await this.get(identity.id),
      keyId: issued.keyId,
      apiKey: issued.key,
      previousKeysValidUntil: until,
    };
  }

  /** Ends a key at once. Revoking a revoked key changes nothing. */
  async revokeKey(id: string, keyId: string, actor: string): Promise<IdentityView> {
    if (!isKeyId(keyId)) throw notFound(`API key ${JSON.stringify(String(keyId).slice(0, 40))}`);
    await this.#change(id, actor, "identity.revoke-key", async (tx, identity, now) => {
      if (!identity.keyIds.includes(keyId)) throw notFound(`API key ${keyId} on identity ${id}`);
      const key = asApiKey((await tx.getRecord(API_KEY_KIND, keyId))?.data);
      if (!key) throw notFound(`API key ${keyId}`);
      if (key.revokedAt === null) {
        await tx.putRecord(API_KEY_KIND, keyId, { ...key, revokedAt: now } as unknown as JsonValue);
      }
      return { identity: { ...identity, updatedAt: now }, details: { keyId } };
    });
    return this.get(id);
  }

  /** Deletes the identity and all its keys; they stop working at once. */
  async delete(id: string, actor: string): Promise<void> {
    const identity = await this.#identity(id);
    await this.#store.transaction(async (tx) => {
      const current = await tx.getRecord(IDENTITY_KIND, id);
      if (!current) throw notFound(`identity ${id}`);
      const keyIds = asIdentity(current.data)?.keyIds ?? [];
      for (const keyId of keyIds) await tx.deleteRecord(API_KEY_KIND, keyId);
      await tx.deleteRecord(IDENTITY_KIND, id, { expectedVersion: current.version });
      await audit(tx, actor, "identity.delete", id, { name: identity.name, keyIds });
    });
    this.#onChange?.(id, identity.keyIds);
  }

  /** The key and its identity, for the authenticator (which caches them). Undefined if either is gone. */
  async loadKey(keyId: string): Promise<{ key: ApiKeyRecord; identity: IdentityRecord } | undefined> {
    const key = asApiKey((await this.#store.records.get(API_KEY_KIND, keyId))?.data);
    if (!key) return undefined;
    const identity = asIdentity((await this.#store.records.get(IDENTITY_KIND, key.identityId))?.data);
    return identity?.keyIds.includes(keyId) ? { key, identity } : undefined;
  }

  #keyRecord(
    issued: { keyId: string; secretHash: string },
    identityId: string,
    now: number,
    expiresAt: number | null,
  ): ApiKeyRecord {
    return {
      keyId: issued.keyId,
      identityId,
      secretHash: issued.secretHash,
      createdAt: now,
      expiresAt,
      revokedAt: null,
    };
  }

  async #identity(id: string): Promise<IdentityRecord> {
    if (!isIdentityId(id)) throw notFound(`identity ${JSON.stringify(String(id).slice(0, 60))}`);
    const identity = asIdentity((await this.#store.records.get(IDENTITY_KIND, id))?.data);
    if (!identity) throw notFound(`identity ${id}`);
    return identity;
  }

  async #keys(identity: IdentityRecord): Promise<ApiKeyRecord[]> {
    const keys = await Promise.all(identity.keyIds.map((k) => this.#store.records.get(API_KEY_KIND, k)));
    return keys.map((r) => asApiKey(r?.data)).filter((k): k is ApiKeyRecord => k !== undefined);
  }

  async #keysIn(tx: StoreTx, identity: IdentityRecord): Promise<ApiKeyRecord[]> {
    const keys: ApiKeyRecord[] = [];
    for (const keyId of identity.keyIds) {
      const key = asApiKey((await tx.getRecord(API_KEY_KIND, keyId))?.data);
      if (key) keys.push(key);
    }
    return keys;
  }

  /** Keeps at most `maxKeys`: forgets the oldest revoked or expired keys first; refuses if all are live. */
  async #pruneKeys(tx: StoreTx, keyIds: string[], now: number): Promise<string[]> {
    const kept = [...keyIds];
    for (const keyId of keyIds) {
      if (kept.length <= IDENTITY_LIMITS.maxKeys) break;
      const key = asApiKey((await tx.getRecord(API_KEY_KIND, keyId))?.data);
      if (key && keyStatus(key, now) === "active") continue;
      await tx.deleteRecord(API_KEY_KIND, keyId);
      kept.splice(kept.indexOf(keyId), 1);
    }
    if (kept.length > IDENTITY_LIMITS.maxKeys) {
      throw new CrossdockError(
        "CDK_API_INVALID_REQUEST",
        `the identity already has ${IDENTITY_LIMITS.maxKeys} working keys; revoke one before issuing another`,
      );
    }
    return kept;
  }

  /** Read, change and write one identity in a transaction (optimistically versioned), with its audit entry. */
  async #change(
    id: string,
    actor: string,
    action: string,
    fn: (
      tx: StoreTx,
      identity: IdentityRecord,
      now: number,
    ) => Promise<{ identity: IdentityRecord; details: JsonValue }>,
  ): Promise<IdentityRecord> {
    await this.#identity(id);
    const result = await this.#store.transaction(async (tx) => {
      const current = await tx.getRecord(IDENTITY_KIND, id);
      const identity = asIdentity(current?.data);
      if (!current || !identity) throw notFound(`identity ${id}`);
      const now = this.#clock.now();
      const next = await fn(tx, identity, now);
      await tx.putRecord(IDENTITY_KIND, id, next.identity as unknown as JsonValue, {
        expectedVersion: current.version,
      });
      await audit(tx, actor, action, id, next.details);
      return { before: identity, after: next.identity };
    });
    this.#onChange?.(id, [...new Set([...result.before.keyIds, ...result.after.keyIds])]);
    return result.after;
  }
}

function audit(tx: StoreTx, actor: string, action: string, resource: string, details: JsonValue) {
  return tx.appendAudit([{ actor: actor.slice(0, 200), action, resource, outcome: "ok", details }]);
}

export function createIdentityService(options: IdentityServiceOptions): IdentityService {
  return new IdentityService(options);
}
