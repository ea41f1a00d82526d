import { createHash } from "node:crypto";
import type { RequestHeaders } from "./webhook-verifier.ts";

/**
 * Headers that name a sender's own message id, in order of preference, for connections whose scheme
 * gave no id (or that are unsigned).
 */
export const DEDUPE_HEADERS: readonly string[] = [
  "idempotency-key",
  "webhook-id",
  "x-shopify-webhook-id",
  "x-wc-webhook-delivery-id",
  "x-request-id",
];

/** Longest sender id kept as written; longer ones (and ones with control characters) are hashed. */
export const MAX_SENDER_ID_CHARS = 200;
const PRINTABLE = /^[\x20-\x7e]+$/;

/**
 * The inbox dedupe key of a webhook: the scheme's own id for the message (`senderId`, already
 * verified), else the first of `DEDUPE_HEADERS`, else `sha256:<hex>` of the body. An id that is too
 * long or not printable ASCII becomes `id-sha256:<hex>` of itself: still stable for retries, never a
 * way to put megabytes or terminal escapes into the store's unique index and logs.
 */
export function dedupeKeyFor(senderId: string | undefined, headers: RequestHeaders, body: Buffer): string {
  const id = senderId ?? headerId(headers);
  if (id === undefined) return `sha256:${createHash("sha256").update(body).digest("hex")}`;
  if (id.length <= MAX_SENDER_ID_CHARS && PRINTABLE.test(id)) return id;
  return `id-sha256:${createHash("sha256").update(id).digest("hex")}`;
}

function headerId(headers: RequestHeaders): string | undefined {
  for (const name of DEDUPE_HEADERS) {
    const value = headers[name];
    if (typeof value === "string" && value.trim() !== "") return value;
  }
  return undefined;
}
