/**
 * Opaque cursors for keyset pagination: the client passes back `nextCursor` as `?cursor=` and never
 * reads it. Inside is the last key of the previous page, base64url-encoded with a version tag, so the
 * format can change without breaking clients that only pass it back.
 */
import { CrossdockError } from "../../core/errors.ts";

export function encodeCursor(lastKey: string): string {
  return Buffer.from(JSON.stringify({ v: 1, k: lastKey })).toString("base64url");
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as {
      v?: unknown;
      k?: unknown;
    };
    if (parsed.v === 1 && typeof parsed.k === "string") return parsed.k;
  } catch {
    // fall through: a cursor this server did not write
  }
  throw new CrossdockError(
    "CDK_API_INVALID_REQUEST",
    "invalid querystring: cursor is not one this API returned",
    {
      details: {
        errors: [{ path: "querystring/cursor", message: "must be a nextCursor returned by this API" }],
      },
    },
  );
}

/** `?limit=` (already checked as 1-200 by the schema), default 50. */
export function pageLimit(limit: string | undefined): number {
  return limit === undefined ? 50 : Number(limit);
}
