/**
 * `Idempotency-Key` for every POST of the REST API: the same key with the same request gets the first
 * answer again (status and body, with `Idempotent-Replayed: true`); the same key with a different
 * request is refused with `CDK_API_IDEMPOTENCY_CONFLICT` (422); a key whose first request is still
 * running gets `CDK_API_IDEMPOTENCY_IN_PROGRESS` (409, `Retry-After`).
 *
 * Keys are scoped to the calling identity and kept as store records (kind `api.idempotency`), so they
 * hold across restarts and processes. "The same request" is the method, the route and the body parsed
 * as JSON and written back with sorted keys: whitespace and key order do not count.
 *
 * A first request that crashed between claiming its key and recording its answer leaves the key
 * `running`; after `staleMs` another request may take it over. The handlers behind it are idempotent
 * themselves (an order's inbox dedupe key), so a takeover never does the work twice.
 */
import { createHash } from "node:crypto";
import type { Clock } from "../../core/clock.ts";
import { CrossdockError } from "../../core/errors.ts";
import type { JsonValue, Store } from "../../store/store.ts";

export const IDEMPOTENCY_KIND = "api.idempotency";

export interface StoredAnswer {
  status: number;
  body: JsonValue;
}

interface IdempotencyRecord {
  fingerprint: string;
  state: "running" | "done";
  startedAt: number;
  answer?: StoredAnswer;
}

export type IdempotencyOutcome = { replay: StoredAnswer } | { run: (answer: StoredAnswer) => Promise<void> };

export interface IdempotencyOptions {
  store: Store;
  clock: Clock;
  /** A running key older than this may be taken over. Default 60 s. */
  staleMs?: number;
}

/** JSON with sorted keys, so equal requests have equal fingerprints whatever their formatting. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export function createIdempotency(options: IdempotencyOptions) {
  const staleMs = options.staleMs ?? 60_000;
  const { store, clock } = options;

  /**
   * Claims `key` for this request or returns the answer to replay. The caller runs its handler only on
   * `run`, then calls it with the answer to record.
   */
  async function begin(
    identityId: string,
    key: string,
    method: string,
    route: string,
    body: unknown,
  ): Promise<IdempotencyOutcome> {
    const recordKey = `${identityId}:${key}`;
    const fingerprint = createHash("sha256")
      .update(`${method} ${route}\n${canonicalJson(body)}`)
      .digest("hex");
    const now = clock.now();
    const claimed = await store.transaction(
      async (tx): Promise<{ replay: StoredAnswer } | { version: number }> => {
        const existing = await tx.getRecord(IDEMPOTENCY_KIND, recordKey);
        const record = existing?.data as IdempotencyRecord | undefined;
        if (record) {
          if (record.fingerprint !== fingerprint) {
            throw new CrossdockError(
              "CDK_API_IDEMPOTENCY_CONFLICT",
              `Idempotency-Key ${JSON.stringify(key)} was already used with a different request`,
              { details: { key } },
            );
          }
          if (record.state === "done" && record.answer) return { replay: record.answer };
          if (now - record.startedAt < staleMs) {
            throw new CrossdockError(
              "CDK_API_IDEMPOTENCY_IN_PROGRESS",
              `a request with Idempotency-Key ${JSON.stringify(key)} is still being processed`,
              { retryAfterMs: 1_000, details: { key } },
            );
          }
        }
        const fresh: IdempotencyRecord = { fingerprint, state: "running", startedAt: now };
        await tx.putRecord(IDEMPOTENCY_KIND, recordKey, fresh as unknown as JsonValue, {
          expectedVersion: existing?.version ?? 0,
        });
        return { version: (existing?.version ?? 0) + 1 };
      },
    );
    if ("replay" in claimed) return { replay: claimed.replay };
    return {
      run: async (answer) => {
        const done: IdempotencyRecord = { fingerprint, state: "done", startedAt: now, answer };
        await store.transaction((tx) =>
          tx.putRecord(IDEMPOTENCY_KIND, recordKey, done as unknown as JsonValue, {
            expectedVersion: claimed.version,
          }),
        );
      },
    };
  }

  /** Forgets a claim whose request failed before an answer worth keeping (so a retry may run again). */
  async function abandon(identityId: string, key: string): Promise<void> {
    const recordKey = `${identityId}:${key}`;
    await store.transaction(async (tx) => {
      const existing = await tx.getRecord(IDEMPOTENCY_KIND, recordKey);
      const record = existing?.data as IdempotencyRecord | undefined;
      if (existing && record?.state === "running") {
        const released: IdempotencyRecord = { ...record, startedAt: 0 };
        await tx.putRecord(IDEMPOTENCY_KIND, recordKey, released as unknown as JsonValue, {
          expectedVersion: existing.version,
        });
      }
    });
  }

  return { begin, abandon };
}

export type Idempotency = ReturnType<typeof createIdempotency>;

/**
 * One idempotent POST: replays a stored answer (with `Idempotency-Replayed: true`), or runs `handle`,
 * records its `{ status, body }` as the key's answer and sends it; a handler that throws releases the
 * key so the client may retry with it. What every `POST /api/v1/...` route does around its own work.
 */
export async function idempotentPost<B>(
  idempotency: Pick<Idempotency, "begin" | "abandon">,
  request: { identityId: string; key: string; route: string; body: unknown },
  reply: { header(name: string, value: string): unknown; status(code: number): unknown },
  handle: () => Promise<{ status: number; body: B }>,
): Promise<B | unknown> {
  const claim = await idempotency.begin(request.identityId, request.key, "POST", request.route, request.body);
  if ("replay" in claim) {
    reply.header("idempotent-replayed", "true");
    reply.status(claim.replay.status);
    return claim.replay.body;
  }
  try {
    const answer = await handle();
    await claim.run(answer as unknown as StoredAnswer);
    reply.status(answer.status);
    return answer.body;
  } catch (error) {
    await idempotency.abandon(request.identityId, request.key).catch(() => undefined);
    throw error;
  }
}
