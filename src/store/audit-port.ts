/** The audit log: who did what, when, with what result. Part of the Store port (`store.ts`). */
import type { JsonValue, TraceContext } from "./store.ts";

export type AuditOutcome = "ok" | "denied" | "error";

/**
 * One thing someone did, or tried to do: an API call, an admin change. Append-only. Never holds a
 * secret: callers record key ids, not keys. Limits (checked before anything is queued, so one bad
 * entry never fails a batch): `actor` and `action` 1-200 characters, `resource` up to 1,000,
 * `details` up to 8 KiB as JSON, no NUL characters, at most 1,000 entries per call. Violations throw
 * `CDK_AUDIT_INVALID` with `details.index` and `details.field`.
 */
export interface AuditEntryInput {
  /** Default: a new `aud_` id. */
  id?: string;
  /** When it happened. Default: the store's clock. */
  at?: number;
  /** Who: an identity id (`idn_...`), `anonymous`, `cli:<user>`. */
  actor: string;
  /** What: e.g. `POST /api/v1/orders` (route pattern, not the URL) or `identity.create`. */
  action: string;
  /** On what, e.g. an identity id or an order reference. */
  resource?: string;
  outcome: AuditOutcome;
  /** The HTTP status, for calls. */
  status?: number;
  details?: JsonValue;
  trace?: TraceContext;
}

export interface AuditEntry {
  id: string;
  at: number;
  actor: string;
  action: string;
  resource: string | undefined;
  outcome: AuditOutcome;
  status: number | undefined;
  details: JsonValue | undefined;
  trace: TraceContext | undefined;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  /** Only entries at or after this time (`at`). */
  since?: number;
  /** Only entries before this time (`at`). */
  until?: number;
  /** Keyset paging: entries appended after this one. */
  afterId?: string;
  /** Default 100, at most 1,000. */
  limit?: number;
  /**
   * Take the newest `limit` matching entries instead of the oldest (what `audit ls` shows by
   * default). The result is still in append order, newest last.
   */
  latest?: boolean;
}

export interface AuditLog {
  /**
   * Appends durably and resolves after the commit. Concurrent calls are group-committed (one
   * transaction for many callers), so a busy gateway costs one commit per batch, not per request.
   * Throws `CDK_AUDIT_INVALID` (see `AuditEntryInput`), or `CDK_INBOX_OVERLOADED` when more calls are
   * waiting than the store's `maxPendingAppends`.
   */
  append(entries: AuditEntryInput[]): Promise<AuditEntry[]>;
  /** Entries in append order, newest last. */
  list(filter?: AuditFilter): Promise<AuditEntry[]>;
}
