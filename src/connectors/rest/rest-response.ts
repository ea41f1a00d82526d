/**
 * Reading a partner's answer: bounded in size, parsed as JSON with the place of a syntax error, and
 * sorted like the HTTP target sorts its outcomes: 408, 425, 429, 5xx transient (`CDK_TARGET_UNAVAILABLE`
 * with the partner's `Retry-After`); 401, 403 config (`CDK_TARGET_AUTH`); other 4xx business
 * (`CDK_TARGET_REJECTED`), the partner's own body kept in `details.body`.
 */
import { CrossdockError } from "../../core/errors.ts";
import { redactUrl } from "../../security/secret-ref.ts";
import { parseRetryAfter } from "../http/http-target.ts";
import { jsonErrorPlace } from "./json-error-place.ts";

/** Which call an answer belongs to, for messages and details. */
export interface CallContext {
  connection: string;
  method: string;
  url: string;
}

/** Partner bodies kept in error details are cut to this many characters. */
export const KEPT_BODY_CHARS = 2_000;

const what = (c: CallContext) => `rest ${c.connection}: ${c.method} ${redactUrl(c.url)}`;

/**
 * Reads a body up to `maxBytes`; past that the stream is destroyed (the rest is never read) and the
 * call fails with `CDK_TARGET_REJECTED` as a config failure: retrying cannot help, a larger
 * `maxResponseBytes` or a smaller page size can.
 */
export async function readBounded(
  body: AsyncIterable<Buffer> & { destroy?(error?: Error): unknown },
  maxBytes: number,
  context: CallContext,
  declaredLength?: string | string[],
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = Number(Array.isArray(declaredLength) ? declaredLength[0] : (declaredLength ?? 0)) || 0;
  if (size <= maxBytes) {
    size = 0;
    for await (const chunk of body) {
      size += chunk.length;
      if (size > maxBytes) break;
      chunks.push(chunk);
    }
  }
  if (size > maxBytes) {
    body.destroy?.();
    throw new CrossdockError(
      "CDK_TARGET_REJECTED",
      `${what(context)}: answer larger than ${maxBytes} bytes`,
      {
        failureClass: "config",
        details: { url: redactUrl(context.url), maxResponseBytes: maxBytes, receivedBytes: size },
      },
    );
  }
  return Buffer.concat(chunks);
}

/** Throws the classified error of a non-2xx answer; returns for 2xx. */
export function checkStatus(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  text: string,
  context: CallContext,
  now: number,
): void {
  if (status >= 200 && status < 300) return;
  const details = { status, body: text.slice(0, KEPT_BODY_CHARS), url: redactUrl(context.url) };
  const message = `${what(context)} answered ${status}`;
  if (status === 408 || status === 425 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(headers["retry-after"], now);
    throw new CrossdockError("CDK_TARGET_UNAVAILABLE", message, {
      details,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  if (status === 401 || status === 403) throw new CrossdockError("CDK_TARGET_AUTH", message, { details });
  throw new CrossdockError("CDK_TARGET_REJECTED", message, { details });
}

// JSON.parse's reviver gets each primitive's source text (Node 21+); TypeScript's lib lacks it.
type Reviver = (this: unknown, key: string, value: unknown, context: { source?: string }) => unknown;
const parseWithSource = JSON.parse as (text: string, reviver: Reviver) => unknown;
const rawJson = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

/**
 * Parses an answer as JSON. Integers a double cannot hold exactly (ids above 2^53) are kept as
 * `JSON.rawJSON` values, so `JSON.stringify` writes them back unchanged. A syntax error is
 * `CDK_TARGET_UNAVAILABLE` (transient: a truncated answer or a proxy's error page usually is) with
 * its place: `details.position`, `line`, `column` and the text `near` it.
 */
export function parseJsonAnswer(text: string, context: CallContext): unknown {
  if (text.trim() === "") return undefined;
  try {
    return parseWithSource(text, (_key, value, ctx) =>
      typeof value === "number" && !Number.isSafeInteger(value) && /^-?\d+$/.test(ctx.source ?? "")
        ? rawJson(ctx.source as string)
        : value,
    );
  } catch (cause) {
    const reason = (cause as Error).message;
    const { position, line, column } = jsonErrorPlace(text);
    throw new CrossdockError(
      "CDK_TARGET_UNAVAILABLE",
      `${what(context)}: answer is not valid JSON at line ${line} column ${column}`,
      {
        cause,
        details: {
          url: redactUrl(context.url),
          position,
          line,
          column,
          near: text.slice(Math.max(0, position - 40), position + 40),
          reason,
        },
      },
    );
  }
}

/** A network failure (refused, reset, timed out) as a transient error naming the call. */
export function networkError(cause: unknown, context: CallContext): CrossdockError {
  const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  return new CrossdockError("CDK_TARGET_UNAVAILABLE", `${what(context)} failed: ${reason}`, {
    cause,
    details: { url: redactUrl(context.url), reason },
  });
}
