/**
 * Sorting SFTP failures into the catalogue: `CDK_SFTP_AUTH` (credentials or host key refused: config,
 * no retry) and `CDK_SFTP_UNAVAILABLE` (everything else: transient). The details say which kind of
 * unavailable it was, because the poller treats them differently: a `not-found` file was taken by
 * someone else, a `permission-denied` file is unreadable (it goes to `error/`), and a `connection`
 * failure ends the session (the next call reconnects).
 */
import { CrossdockError } from "../../core/errors.ts";

/** Why an SFTP call failed; `details.reason` of the thrown error. */
export type SftpFailureReason =
  | "auth"
  | "host-key"
  | "not-found"
  | "permission-denied"
  | "failure"
  | "unsupported"
  | "timeout"
  | "connection";

// SFTP v3 status codes (draft-ietf-secsh-filexfer-02), as ssh2 puts them in `error.code`.
const STATUS_REASONS: Record<number, SftpFailureReason> = {
  2: "not-found",
  3: "permission-denied",
  4: "failure",
  8: "unsupported",
};

/** What the client knew at the time of the failure, besides the error itself. */
export interface SftpFailureContext {
  connection: string;
  operation: string;
  path?: string;
  /** Set by the host verifier when it refused the server's key. */
  hostKeyMismatch?: { expected: string; actual: string };
  /** `level` of the last raw ssh2 error (`client-authentication`, `client-socket`, ...). */
  sshLevel?: string;
}

/** The reason a thrown SFTP error carries, or undefined for other errors. */
export function sftpFailureReason(error: unknown): SftpFailureReason | undefined {
  if (!(error instanceof CrossdockError)) return undefined;
  if (error.code !== "CDK_SFTP_UNAVAILABLE" && error.code !== "CDK_SFTP_AUTH") return undefined;
  return error.details?.reason as SftpFailureReason | undefined;
}

/** True when the session can go on after this failure (it was about one file, not the connection). */
export function keepsSession(reason: SftpFailureReason | undefined): boolean {
  return reason === "not-found" || reason === "permission-denied" || reason === "failure";
}

/** Turns anything an SFTP call threw into a classified `CrossdockError`. */
export function classifySftpError(error: unknown, context: SftpFailureContext): CrossdockError {
  if (error instanceof CrossdockError) return error;
  const raw = error as { message?: string; code?: unknown; level?: string } | undefined;
  const message = String(raw?.message ?? error);
  const where = { connection: context.connection, operation: context.operation, path: context.path };
  if (context.hostKeyMismatch) {
    const { expected, actual } = context.hostKeyMismatch;
    return new CrossdockError(
      "CDK_SFTP_AUTH",
      `SFTP server of ${context.connection} presented host key ${actual}, expected ${expected}`,
      { cause: error, details: { ...where, reason: "host-key", expected, actual } },
    );
  }
  const level = raw?.level ?? context.sshLevel;
  if (level === "client-authentication" || /authentication methods failed/i.test(message)) {
    return new CrossdockError(
      "CDK_SFTP_AUTH",
      `SFTP server of ${context.connection} refused our credentials`,
      {
        cause: error,
        details: { ...where, reason: "auth" },
      },
    );
  }
  const status = typeof raw?.code === "number" ? raw.code : undefined;
  const reason: SftpFailureReason =
    (status !== undefined ? STATUS_REASONS[status] : undefined) ??
    (raw?.code === "ENOENT" ? "not-found" : raw?.code === "EACCES" ? "permission-denied" : "connection");
  return new CrossdockError(
    "CDK_SFTP_UNAVAILABLE",
    `SFTP ${context.operation} on ${context.connection}${context.path ? ` (${JSON.stringify(context.path)})` : ""} failed: ${message}`,
    { cause: error, details: { ...where, reason, ...(status === undefined ? {} : { sftpStatus: status }) } },
  );
}

/** The error for an SFTP call that did not finish in time (the session is then ended). */
export function sftpTimeout(context: SftpFailureContext, ms: number): CrossdockError {
  return new CrossdockError(
    "CDK_SFTP_UNAVAILABLE",
    `SFTP ${context.operation} on ${context.connection} did not finish within ${ms} ms`,
    {
      details: {
        connection: context.connection,
        operation: context.operation,
        path: context.path,
        reason: "timeout",
      },
    },
  );
}
