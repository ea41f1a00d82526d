/**
 * The error catalogue: every failure Crossdock reports carries one of these stable codes.
 *
 * Codes are stored (in exception records and job errors) and printed to users, so they never change
 * meaning once released. Each code is documented in `docs/errors.md` with what to do about it; a test
 * checks that this catalogue and the document agree.
 *
 * `failureClass` is how the delivery layer treats the failure by default:
 * - `transient`: retry with backoff (network, lock contention, a partner's 5xx or 429);
 * - `config`: no retry; the target is paused and someone is alerted (bad credentials, missing setup);
 * - `business`: no retry; an exception record waits for a person (invalid data, a rule refused it).
 */
export type FailureClass = "transient" | "config" | "business";

export interface ErrorSpec {
  readonly title: string;
  readonly failureClass: FailureClass;
}

export const ERROR_CATALOGUE = {
  CDK_CONFIG_NOT_FOUND: { title: "Configuration file not found", failureClass: "config" },
  CDK_CONFIG_SYNTAX: { title: "Configuration file is not valid YAML", failureClass: "config" },
  CDK_CONFIG_INVALID: { title: "Configuration does not match the schema", failureClass: "config" },
  CDK_SECRET_UNRESOLVED: { title: "A secret reference could not be resolved", failureClass: "config" },
  CDK_STORE_UNAVAILABLE: { title: "The store cannot be reached", failureClass: "transient" },
  CDK_STORE_CORRUPT: { title: "The store file is damaged or not a Crossdock store", failureClass: "config" },
  CDK_STORE_SCHEMA_TOO_NEW: {
    title: "The store was migrated by a newer Crossdock version",
    failureClass: "config",
  },
  CDK_STORE_CLOSED: { title: "The store has been closed", failureClass: "transient" },
  CDK_STORE_CONFLICT: {
    title: "A concurrent write conflicted; the operation can be retried",
    failureClass: "transient",
  },
  CDK_INBOX_MESSAGE_TOO_LARGE: { title: "Message exceeds the size limit", failureClass: "business" },
  CDK_INBOX_INVALID_MESSAGE: { title: "Message is missing a required field", failureClass: "business" },
  CDK_INBOX_OVERLOADED: { title: "Intake is over capacity; retry later", failureClass: "transient" },
  CDK_DECODE_FAILED: { title: "Message payload could not be decoded", failureClass: "business" },
  CDK_EVENT_INVALID: { title: "Event is missing a required field", failureClass: "business" },
  CDK_SUBSCRIPTION_NOT_FOUND: { title: "Unknown event subscription", failureClass: "config" },
  CDK_JOB_NOT_FOUND: { title: "Job not found", failureClass: "business" },
  CDK_JOB_LEASE_LOST: {
    title: "The job's lease expired and another worker may hold it",
    failureClass: "transient",
  },
  CDK_JOB_HANDLER_MISSING: { title: "No handler is registered for the job's target", failureClass: "config" },
  CDK_JOB_TIMEOUT: { title: "The job handler did not finish within its timeout", failureClass: "transient" },
  CDK_JOB_FAILED: { title: "The job handler failed without a classified error", failureClass: "transient" },
  CDK_JOB_PAYLOAD_INVALID: {
    title: "The job's payload does not match what its kind expects",
    failureClass: "business",
  },
  CDK_TARGET_UNAVAILABLE: {
    title: "The target could not be reached or answered with a temporary failure",
    failureClass: "transient",
  },
  CDK_TARGET_AUTH: { title: "The target refused our credentials", failureClass: "config" },
  CDK_TARGET_REJECTED: { title: "The target refused the request as invalid", failureClass: "business" },
  CDK_TARGET_PAUSED: { title: "The target is paused after a configuration failure", failureClass: "config" },
  CDK_EXCEPTION_NOT_FOUND: { title: "Exception record not found", failureClass: "business" },
  CDK_EXCEPTION_NOT_OPEN: { title: "Exception record is already resolved", failureClass: "business" },
  CDK_WORKFLOW_UNKNOWN_TYPE: { title: "No workflow of this type is registered", failureClass: "config" },
  CDK_WORKFLOW_NOT_FOUND: { title: "Workflow run not found", failureClass: "business" },
  CDK_WORKFLOW_STEP_FAILED: { title: "A workflow step failed", failureClass: "business" },
  CDK_WORKFLOW_DUPLICATE_STEP: { title: "A workflow used the same step id twice", failureClass: "config" },
  CDK_WORKFLOW_WAIT_TIMEOUT: { title: "A workflow waited longer than its timeout", failureClass: "business" },
  CDK_WORKFLOW_APPROVAL_REJECTED: {
    title: "A person rejected the workflow's approval",
    failureClass: "business",
  },
  CDK_APPROVAL_NOT_FOUND: {
    title: "Approval request not found or already decided",
    failureClass: "business",
  },
  CDK_HTTP_BODY_TOO_LARGE: { title: "Request body exceeds the size limit", failureClass: "business" },
  CDK_HTTP_UNSUPPORTED_MEDIA_TYPE: {
    title: "Request content type is not accepted",
    failureClass: "business",
  },
  CDK_HTTP_SIGNATURE_INVALID: {
    title: "The webhook signature is missing or does not match",
    failureClass: "config",
  },
  CDK_HTTP_NOT_FOUND: { title: "No such route or connection", failureClass: "business" },
  CDK_ODOO_REJECTED: {
    title: "Odoo refused the call as a business rule (UserError or ValidationError)",
    failureClass: "business",
  },
  CDK_ODOO_MISSING_RECORD: { title: "The Odoo record no longer exists", failureClass: "business" },
  CDK_ODOO_ACCESS: { title: "Odoo refused the bot user's key or rights", failureClass: "config" },
  CDK_ODOO_CONFLICT: {
    title: "Odoo gave up on a concurrent update after its own retries",
    failureClass: "transient",
  },
  CDK_ODOO_UNAVAILABLE: {
    title: "Odoo could not be reached, timed out or answered with a temporary HTTP failure",
    failureClass: "transient",
  },
  CDK_ODOO_CONFIG: {
    title: "Odoo does not match the configuration (database, model, method, field or module)",
    failureClass: "config",
  },
  CDK_ODOO_PROTOCOL: { title: "Odoo's answer could not be understood", failureClass: "transient" },
  CDK_ODOO_SERVER_ERROR: { title: "Odoo failed with an unclassified server error", failureClass: "business" },
  CDK_ODOO_UNEXPECTED_WIZARD: {
    title: "An Odoo action asked for a wizard Crossdock does not know how to answer",
    failureClass: "business",
  },
  CDK_AUTH_REQUIRED: { title: "The request carries no API key", failureClass: "config" },
  CDK_AUTH_INVALID: {
    title: "The API key is unknown, expired or revoked",
    failureClass: "config",
  },
  CDK_AUTH_FORBIDDEN: { title: "The identity lacks the scope this call needs", failureClass: "config" },
  CDK_RATE_LIMITED: { title: "The identity's rate limit is used up; retry later", failureClass: "transient" },
  CDK_API_INVALID_REQUEST: {
    title: "The request does not match the API's schema",
    failureClass: "business",
  },
  CDK_API_IDEMPOTENCY_CONFLICT: {
    title: "The Idempotency-Key was used before with a different request",
    failureClass: "business",
  },
  CDK_API_IDEMPOTENCY_IN_PROGRESS: {
    title: "A request with this Idempotency-Key is still being processed",
    failureClass: "transient",
  },
  CDK_IDENTITY_NOT_FOUND: { title: "Identity or API key not found", failureClass: "business" },
  CDK_AUDIT_INVALID: {
    title: "An audit entry is missing a field or exceeds a size limit",
    failureClass: "business",
  },
  CDK_WEBHOOK_SUBSCRIPTION_NOT_FOUND: { title: "Webhook subscription not found", failureClass: "business" },
  CDK_WEBHOOK_ENDPOINT_DISABLED: {
    title: "The webhook endpoint was disabled after failing for too long",
    failureClass: "config",
  },
  CDK_MAPPING_NOT_FOUND: { title: "No mapping with this name and version", failureClass: "config" },
  CDK_MAPPING_SYNTAX: { title: "A mapping file could not be compiled", failureClass: "config" },
  CDK_MAPPING_FAILED: { title: "A mapping could not map this document", failureClass: "business" },
  CDK_MAPPING_LIMIT: {
    title: "A mapping exceeded its time, depth or size limit on this document",
    failureClass: "business",
  },
  CDK_MAPPING_OUTPUT_INVALID: {
    title: "A mapping's output does not match its target schema",
    failureClass: "business",
  },
  CDK_ORDER_NOT_PLACEABLE: {
    title: "The order cannot be placed in Odoo as it is (unknown product, unit or country)",
    failureClass: "business",
  },
  CDK_EDI_SYNTAX: {
    title: "The EDI interchange is not well formed (delimiters, segments or envelope)",
    failureClass: "business",
  },
  CDK_EDI_CONTROL: {
    title: "The EDI envelope's counts or control numbers do not match",
    failureClass: "business",
  },
  CDK_EDI_UNSUPPORTED: {
    title: "The EDI document type, version or character set is not supported",
    failureClass: "business",
  },
  CDK_EDI_CONTENT: {
    title: "The EDI document is well formed but lacks data the canonical record needs",
    failureClass: "business",
  },
  CDK_EDI_ACK_OVERDUE: {
    title: "A trading partner did not acknowledge an interchange within its deadline",
    failureClass: "business",
  },
  CDK_FILE_LAYOUT_INVALID: {
    title: "A flat-file layout in the configuration is not valid",
    failureClass: "config",
  },
  CDK_FILE_RECORD_INVALID: {
    title: "A record of a flat file does not match its layout",
    failureClass: "business",
  },
  CDK_SFTP_UNAVAILABLE: { title: "The SFTP server could not be reached", failureClass: "transient" },
  CDK_SFTP_AUTH: { title: "The SFTP server refused our credentials or host key", failureClass: "config" },
  CDK_CLI_USAGE: { title: "The command was called with invalid arguments", failureClass: "config" },
  CDK_INTERNAL: { title: "Unexpected internal error", failureClass: "transient" },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface CrossdockErrorOptions {
  cause?: unknown;
  /** Overrides the catalogue's default class, e.g. a partner error that is business for one call only. */
  failureClass?: FailureClass;
  /** A hint from the partner (a `Retry-After`) or from back-pressure; the retry policy honours it. */
  retryAfterMs?: number;
  /** Structured context: where (file, line, path), what was expected, the partner's own error body. */
  details?: Record<string, unknown>;
}

/** The one base error of Crossdock. Domain code throws it; only the gateway edge turns it into HTTP. */
export class CrossdockError extends Error {
  readonly code: ErrorCode;
  readonly failureClass: FailureClass;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: CrossdockErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "CrossdockError";
    this.code = code;
    this.failureClass = options.failureClass ?? ERROR_CATALOGUE[code].failureClass;
    this.retryable = this.failureClass === "transient";
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details;
  }

  /** A plain, storable form (no stack): what exception records and job errors keep. */
  toJSON(): StoredError {
    return {
      code: this.code,
      message: this.message,
      failureClass: this.failureClass,
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

/** An error as it is kept in the store: code, message, class and details, never a stack or a secret. */
export interface StoredError {
  code: string;
  message: string;
  failureClass: FailureClass;
  retryAfterMs?: number;
  details?: Record<string, unknown>;
}

export function isCrossdockError(value: unknown): value is CrossdockError {
  return value instanceof CrossdockError;
}

/** Turns anything thrown into a storable error; unknown errors are transient `CDK_JOB_FAILED`. */
export function toStoredError(error: unknown): StoredError {
  if (isCrossdockError(error)) return error.toJSON();
  const message = error instanceof Error ? error.message : String(error);
  return { code: "CDK_JOB_FAILED", message, failureClass: "transient" };
}
