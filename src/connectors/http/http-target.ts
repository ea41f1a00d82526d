import { Agent, request } from "undici";
import { CrossdockError } from "../../core/errors.ts";
import type { ClaimedJob, JsonValue } from "../../store/store.ts";
import type { DeliveryContext, DeliveryTarget } from "../connector.ts";

export const HTTP_TARGET_TYPE = "http";

export interface HttpTargetOptions {
  /** Target name, used in error messages. */
  name: string;
  url: string;
  /** Sent as `Authorization: Bearer <token>` when set (resolved from a secret reference). */
  token?: { reveal(): string } | undefined;
  /** Sockets kept open to the target; match the target's concurrency budget. Default 8. */
  connections?: number;
  /** Largest response body read, bytes. Default 1 MiB. */
  maxResponseBytes?: number;
}

/** Parses `Retry-After` (delta seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === "") return undefined;
  // Delta seconds; Shopify writes them with a fraction ("2.0"), which Date.parse would misread as a date.
  if (/^\d+(\.\d+)?$/.test(raw.trim())) return Math.ceil(Number(raw.trim()) * 1_000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Delivers a job as `POST <url>` with its JSON payload and the job's idempotency key in the
 * `Idempotency-Key` header, so a retry or replay after a crash is recognised by the target. Outcomes are
 * classified: 2xx done; 408, 425, 429 and 5xx or a network failure transient (honouring `Retry-After`);
 * 401 and 403 config (the target is paused); any other status business (an exception for a person),
 * with the target's own response body kept in the error details.
 */
export function createHttpTarget(options: HttpTargetOptions, now: () => number = Date.now): DeliveryTarget {
  const agent = new Agent({ connections: options.connections ?? 8, keepAliveTimeout: 10_000 });
  const maxBytes = options.maxResponseBytes ?? 1_048_576;
  return {
    async deliver(job: ClaimedJob, context: DeliveryContext): Promise<JsonValue | undefined> {
      const headers: Record<string, string> = {
        "content-type": "application/json",
        "idempotency-key": job.idempotencyKey,
        "x-crossdock-attempt": String(context.attempt),
      };
      if (job.trace) headers.traceparent = job.trace.traceparent;
      if (options.token) headers.authorization = `Bearer ${options.token.reveal()}`;
      let response: Awaited<ReturnType<typeof request>>;
      try {
        response = await request(options.url, {
          method: "POST",
          headers,
          body: JSON.stringify(job.payload),
          dispatcher: agent,
          signal: context.signal,
        });
      } catch (cause) {
        throw new CrossdockError(
          "CDK_TARGET_UNAVAILABLE",
          `target ${options.name}: POST ${options.url} failed: ${(cause as Error).message}`,
          { cause },
        );
      }
      const text = await readLimited(response.body, maxBytes);
      const status = response.statusCode;
      if (status >= 200 && status < 300) return parseMaybeJson(text);
      const details = { status, body: text.slice(0, 2_000), url: options.url };
      const what = `target ${options.name}: POST ${options.url} answered ${status}`;
      if (status === 408 || status === 425 || status === 429 || status >= 500) {
        const retryAfterMs = parseRetryAfter(response.headers["retry-after"], now());
        throw new CrossdockError("CDK_TARGET_UNAVAILABLE", what, {
          details,
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        });
      }
      if (status === 401 || status === 403) throw new CrossdockError("CDK_TARGET_AUTH", what, { details });
      throw new CrossdockError("CDK_TARGET_REJECTED", what, { details });
    },
    async close() {
      await agent.close();
    },
  };
}

async function readLimited(body: AsyncIterable<Buffer>, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size <= maxBytes) chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseMaybeJson(text: string): JsonValue | undefined {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text.slice(0, 2_000);
  }
}
