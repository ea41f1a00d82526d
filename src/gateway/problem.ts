import { CrossdockError, type ErrorCode, isCrossdockError } from "../core/errors.ts";

/**
 * The gateway edge is the only place where catalogue codes become HTTP statuses. Errors leave as
 * RFC 9457 problem documents that carry the stable code, so clients branch on `code`, not on text.
 */
const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  CDK_HTTP_NOT_FOUND: 404,
  CDK_HTTP_SIGNATURE_INVALID: 401,
  CDK_HTTP_BODY_TOO_LARGE: 413,
  CDK_INBOX_MESSAGE_TOO_LARGE: 413,
  CDK_HTTP_UNSUPPORTED_MEDIA_TYPE: 415,
  CDK_INBOX_INVALID_MESSAGE: 400,
  CDK_INBOX_OVERLOADED: 503,
  CDK_STORE_UNAVAILABLE: 503,
  CDK_STORE_CLOSED: 503,
  CDK_DECODE_FAILED: 400,
  CDK_AUTH_REQUIRED: 401,
  CDK_AUTH_INVALID: 401,
  CDK_AUTH_FORBIDDEN: 403,
  CDK_RATE_LIMITED: 429,
  CDK_API_INVALID_REQUEST: 400,
  CDK_API_IDEMPOTENCY_CONFLICT: 422,
  CDK_API_IDEMPOTENCY_IN_PROGRESS: 409,
  CDK_IDENTITY_NOT_FOUND: 404,
  CDK_WEBHOOK_SUBSCRIPTION_NOT_FOUND: 404,
  CDK_EXCEPTION_NOT_FOUND: 404,
  CDK_JOB_NOT_FOUND: 404,
};

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance?: string;
  /** Each problem of an invalid request, with its JSON path (RFC 9457 extension member). */
  errors?: { path: string; message: string }[];
}

export function problemFor(
  error: unknown,
  instance?: string,
): { problem: ProblemDocument; retryAfterS?: number } {
  const known: CrossdockError = isCrossdockError(error)
    ? error
    : new CrossdockError("CDK_INTERNAL", "Unexpected internal error; see the server log", { cause: error });
  const status = STATUS_BY_CODE[known.code] ?? 500;
  const problem: ProblemDocument = {
    type: `https://crossdock.dev/errors#${known.code.toLowerCase()}`,
    title: known.message.split(":")[0] ?? known.code,
    status,
    code: known.code,
    detail: known.message,
    ...(instance ? { instance } : {}),
    ...(Array.isArray(known.details?.errors)
      ? { errors: known.details.errors as { path: string; message: string }[] }
      : {}),
  };
  return {
    problem,
    ...(known.retryAfterMs === undefined
      ? {}
      : { retryAfterS: Math.max(1, Math.ceil(known.retryAfterMs / 1_000)) }),
  };
}
