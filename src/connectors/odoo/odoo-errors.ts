/**
 * Sorting Odoo's failures into Crossdock's classes. Odoo answers JSON-RPC errors with HTTP 200 and the
 * exception's Python name in `data.name`; JSON-2 uses real status codes with the same body fields. The
 * name decides, never the JSON-RPC `code` (200 in 16/17, 0 later). Odoo's own message is kept in
 * `details.odoo` so the person who reads the exception sees what Odoo said.
 *
 * `effect` says whether the failed call may have changed anything in Odoo: `none` when Odoo rolled the
 * transaction back or never received the call (a serialization failure, a refused connection, a 429 or
 * 503 from a rate limiter), `unknown` when the answer was lost after Odoo may have committed (a timeout,
 * a reset, a proxy's 502/504). Only `none` failures are safe to repeat for calls that are not idempotent.
 */
import { CrossdockError, type ErrorCode } from "../../core/errors.ts";

export type CallEffect = "none" | "unknown";

/** Where the failure happened, for messages and details. */
export interface OdooCallSite {
  model: string;
  method: string;
}

/** The fields of an Odoo error that both transports carry. */
export interface OdooErrorData {
  name?: string;
  message?: string;
  arguments?: unknown[];
}

const CONFLICT_NAMES = [
  "psycopg2.errors.SerializationFailure",
  "psycopg2.errors.LockNotAvailable",
  "psycopg2.errors.DeadlockDetected",
  "psycopg2.extensions.TransactionRollbackError",
  "odoo.exceptions.ConcurrencyError",
];

/** The Crossdock error for an Odoo exception (JSON-RPC `error.data` or a JSON-2 error body). */
export function odooServerError(
  site: OdooCallSite,
  data: OdooErrorData,
  httpStatus?: number,
): CrossdockError {
  const name = typeof data.name === "string" ? data.name : "unknown";
  const message = typeof data.message === "string" ? data.message : "";
  const code = codeForName(name, message, httpStatus);
  const details = { odoo: { name, message }, model: site.model, method: site.method, httpStatus };
  const effect: CallEffect = code === "CDK_ODOO_CONFLICT" ? "none" : "unknown";
  return withEffect(
    new CrossdockError(code, `Odoo ${site.model}.${site.method} failed: ${name}: ${firstLine(message)}`, {
      details,
    }),
    effect,
  );
}

function codeForName(name: string, message: string, httpStatus: number | undefined): ErrorCode {
  if (CONFLICT_NAMES.includes(name)) return "CDK_ODOO_CONFLICT";
  switch (name) {
    case "odoo.exceptions.AccessError":
    case "odoo.exceptions.AccessDenied":
    case "odoo.http.SessionExpiredException":
      return "CDK_ODOO_ACCESS";
    case "odoo.exceptions.MissingError":
      return "CDK_ODOO_MISSING_RECORD";
    case "odoo.exceptions.UserError":
    case "odoo.exceptions.ValidationError":
      // Odoo reports an unknown model as a UserError; that is a setup problem, not a person's data.
      return /^Object \S+ doesn't exist/.test(message) ? "CDK_ODOO_CONFIG" : "CDK_ODOO_REJECTED";
    case "builtins.AttributeError":
    case "builtins.TypeError":
    case "werkzeug.exceptions.NotFound":
      return "CDK_ODOO_CONFIG";
    case "psycopg2.OperationalError":
      return /database .* does not exist/.test(message) ? "CDK_ODOO_CONFIG" : "CDK_ODOO_UNAVAILABLE";
  }
  if (httpStatus === 401 || httpStatus === 403) return "CDK_ODOO_ACCESS";
  return "CDK_ODOO_SERVER_ERROR";
}

/** A failure of the HTTP exchange itself: no answer, or a status with no Odoo error body. */
export function odooTransportError(
  site: OdooCallSite,
  what: string,
  options: { cause?: unknown; httpStatus?: number; body?: string; retryAfterMs?: number; effect: CallEffect },
): CrossdockError {
  const status = options.httpStatus;
  const code: ErrorCode =
    status === 401 || status === 403
      ? "CDK_ODOO_ACCESS"
      : status !== undefined && status !== 429 && status < 500 && status !== 408
        ? "CDK_ODOO_PROTOCOL"
        : "CDK_ODOO_UNAVAILABLE";
  const error = new CrossdockError(code, `Odoo ${site.model}.${site.method}: ${what}`, {
    cause: options.cause,
    details: {
      model: site.model,
      method: site.method,
      ...(status === undefined ? {} : { httpStatus: status }),
      ...(options.body === undefined ? {} : { body: options.body.slice(0, 500) }),
    },
    ...(options.retryAfterMs === undefined ? {} : { retryAfterMs: options.retryAfterMs }),
  });
  return withEffect(error, options.effect);
}

const effects = new WeakMap<CrossdockError, CallEffect>();

function withEffect(error: CrossdockError, effect: CallEffect): CrossdockError {
  effects.set(error, effect);
  return error;
}

/** Whether a failed call may have had an effect in Odoo; errors not made here count as `unknown`. */
export function callEffect(error: unknown): CallEffect {
  return error instanceof CrossdockError ? (effects.get(error) ?? "unknown") : "unknown";
}

/** Odoo's name for the exception behind a Crossdock error, when it came from Odoo. */
export function odooErrorName(error: unknown): string | undefined {
  if (!(error instanceof CrossdockError)) return undefined;
  const odoo = error.details?.odoo as { name?: string } | undefined;
  return odoo?.name;
}

function firstLine(text: string): string {
  const line = text.split("\n", 1)[0] ?? "";
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
