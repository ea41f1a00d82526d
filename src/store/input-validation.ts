import { CrossdockError } from "../core/errors.ts";
import type { AuditEntryInput, EventInput, InboxMessageInput, StoreConfig } from "./store.ts";

const REQUIRED_TEXT_FIELDS = ["source", "connection", "dedupeKey"] as const;

/**
 * Checks an inbox message before it is queued for a group commit, so that a bad message fails alone
 * and never takes its batch down with it. Throws `CDK_INBOX_INVALID_MESSAGE` (details: `field`) or
 * `CDK_INBOX_MESSAGE_TOO_LARGE` (details: `size`, `limit`).
 */
export function validateInboxMessage(
  message: InboxMessageInput,
  config: Pick<StoreConfig, "maxMessageBytes">,
) {
  for (const field of REQUIRED_TEXT_FIELDS) {
    const value = message?.[field];
    if (typeof value !== "string" || value.length === 0) {
      throw new CrossdockError("CDK_INBOX_INVALID_MESSAGE", `Inbox message has no ${field}`, {
        details: { field },
      });
    }
  }
  if (!(message.body instanceof Uint8Array)) {
    throw new CrossdockError("CDK_INBOX_INVALID_MESSAGE", "Inbox message has no body (bytes expected)", {
      details: { field: "body" },
    });
  }
  const size = message.body.byteLength;
  if (size > config.maxMessageBytes) {
    throw new CrossdockError(
      "CDK_INBOX_MESSAGE_TOO_LARGE",
      `Inbox message of ${size} bytes exceeds the limit of ${config.maxMessageBytes} bytes`,
      { details: { size, limit: config.maxMessageBytes } },
    );
  }
}

/**
 * Checks an event before it is appended. Throws `CDK_EVENT_INVALID` (details: `field`, `index`) for a
 * missing stream or type, or data that is not JSON (`undefined`).
 */
export function validateEventInput(event: EventInput, index = 0) {
  for (const field of ["stream", "type"] as const) {
    const value = event?.[field];
    if (typeof value !== "string" || value.length === 0) {
      throw new CrossdockError("CDK_EVENT_INVALID", `Event #${index} has no ${field}`, {
        details: { field, index },
      });
    }
  }
  if (event.data === undefined) {
    throw new CrossdockError("CDK_EVENT_INVALID", `Event #${index} has no data (use null for none)`, {
      details: { field: "data", index },
    });
  }
}

/** Limits of audit entries (documented on `AuditEntryInput`). */
export const AUDIT_LIMITS = Object.freeze({
  maxEntriesPerCall: 1_000,
  maxActorChars: 200,
  maxActionChars: 200,
  maxResourceChars: 1_000,
  maxDetailsBytes: 8 * 1024,
  maxIdChars: 100,
});

const AUDIT_OUTCOMES = new Set(["ok", "denied", "error"]);

function auditInvalid(message: string, index: number, field: string): CrossdockError {
  return new CrossdockError("CDK_AUDIT_INVALID", `Audit entry #${index}: ${message}`, {
    details: { index, field },
  });
}

function checkText(value: unknown, index: number, field: string, max: number, required: boolean) {
  if (value === undefined && !required) return;
  if (typeof value !== "string" || value.length === 0) {
    throw auditInvalid(`${field} must be a non-empty string`, index, field);
  }
  if (value.length > max) {
    throw auditInvalid(`${field} has ${value.length} characters, more than ${max}`, index, field);
  }
  // PostgreSQL text cannot hold NUL; refusing it on both adapters keeps them in agreement.
  if (value.includes("\u0000")) throw auditInvalid(`${field} contains a NUL character`, index, field);
}

/**
 * Checks audit entries before they are queued for a group commit, so that a bad entry fails its own
 * call and never its batch. Returns the `details` of each entry as JSON text (measured once here, and
 * reused by the adapters). Throws `CDK_AUDIT_INVALID` (details: `index`, `field`).
 */
export function validateAuditEntries(entries: readonly AuditEntryInput[]): (string | null)[] {
  if (!Array.isArray(entries)) throw auditInvalid("entries must be an array", 0, "entries");
  if (entries.length > AUDIT_LIMITS.maxEntriesPerCall) {
    throw auditInvalid(
      `${entries.length} entries in one call, more than ${AUDIT_LIMITS.maxEntriesPerCall}`,
      AUDIT_LIMITS.maxEntriesPerCall,
      "entries",
    );
  }
  return entries.map((entry, index) => {
    if (typeof entry !== "object" || entry === null) throw auditInvalid("not an object", index, "entry");
    checkText(entry.id, index, "id", AUDIT_LIMITS.maxIdChars, false);
    checkText(entry.actor, index, "actor", AUDIT_LIMITS.maxActorChars, true);
    checkText(entry.action, index, "action", AUDIT_LIMITS.maxActionChars, true);
    checkText(entry.resource, index, "resource", AUDIT_LIMITS.maxResourceChars, false);
    if (!AUDIT_OUTCOMES.has(entry.outcome as string)) {
      throw auditInvalid("outcome must be ok, denied or error", index, "outcome");
    }
    if (entry.at !== undefined && !Number.isSafeInteger(entry.at)) {
      throw auditInvalid("at must be an integer time in ms", index, "at");
    }
    if (
      entry.status !== undefined &&
      !(Number.isInteger(entry.status) && entry.status >= 0 && entry.status < 1000)
    ) {
      throw auditInvalid("status must be an integer from 0 to 999", index, "status");
    }
    if (entry.trace !== undefined) {
      checkText(entry.trace?.traceparent, index, "trace", 512, true);
      checkText(entry.trace?.tracestate, index, "trace", 512, false);
    }
    if (entry.details === undefined) return null;
    let text: string | undefined;
    try {
      text = JSON.stringify(entry.details);
    } catch {
      throw auditInvalid("details is not JSON", index, "details");
    }
    if (text === undefined) throw auditInvalid("details is not JSON", index, "details");
    if (Buffer.byteLength(text) > AUDIT_LIMITS.maxDetailsBytes) {
      throw auditInvalid(`details exceeds ${AUDIT_LIMITS.maxDetailsBytes} bytes as JSON`, index, "details");
    }
    if (text.includes("\\u0000")) throw auditInvalid("details contains a NUL character", index, "details");
    return text;
  });
}

/** Page size of the list calls of records and audit: default 100, clamped to 1..1,000. */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return 100;
  return Math.min(1_000, Math.max(1, Math.floor(limit)));
}
