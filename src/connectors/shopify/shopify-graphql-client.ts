/**
 * A client of Shopify's GraphQL Admin API (`POST /admin/api/<version>/graphql.json`) that keeps
 * within the shop's calculated-cost rate limit instead of running into it.
 *
 * Shopify limits GraphQL by cost, not by calls: a bucket per app and shop (1,000 points restoring 50
 * a second on standard plans; more on Plus) from which each query's requested cost is taken before it
 * runs, the difference to its actual cost given back after. Every answer reports the bucket in
 * `extensions.cost.throttleStatus` (`maximumAvailable`, `currentlyAvailable`, `restoreRate`). The
 * client keeps the last report and restores it with time; before sending a query it waits until the
 * query's `estimatedCost` is available (until the first answer the bucket is unknown and nothing is
 * waited). Queries through one client run one at a time, so the estimate is never shared by two
 * queries in flight.
 *
 * A `THROTTLED` answer (HTTP 200; another app or client spent the bucket) is waited out for the time
 * its deficit needs at the reported restore rate and sent again, up to `maxThrottledRetries` times;
 * then it is a transient `CDK_TARGET_UNAVAILABLE` with `retryAfterMs`.
 *
 * Failure classes: network, 408, 429, 5xx, an unreadable answer, Shopify's `INTERNAL_SERVER_ERROR`:
 * transient. 401, 403, `ACCESS_DENIED`: `CDK_TARGET_AUTH`. Other 4xx and other top-level GraphQL
 * errors (`MAX_COST_EXCEEDED`, an unknown field after an API version change): `CDK_TARGET_REJECTED`
 * as a config failure, because the hub's own query is wrong, not the data. Shopify's `errors` are kept
 * in `details`. Answers are read up to `maxResponseBytes`.
 *
 * Left out: mutations' `userErrors` (the caller reads them in `data`), bulk operations, partial data
 * next to errors (any top-level error fails the query), sharing the bucket between processes.
 *
 * @example
 * const shopify = createShopifyGraphqlClient({ shopUrl, accessToken, apiVersion: "2024-10", clock });
 * const { data, cost } = await shopify.query(DOC, { first: 20 }, { estimatedCost: 862 });
 */
import { Agent, request } from "undici";
import type { Clock } from "../../core/clock.ts";
import { CrossdockError } from "../../core/errors.ts";
import { systemTimers, type Timers } from "../../core/timers.ts";
import { parseRetryAfter } from "../http/http-target.ts";

export interface ShopifyGraphqlOptions {
  /** The shop's base URL, e.g. `https://example.myshopify.com`. */
  shopUrl: string;
  accessToken: { reveal(): string };
  /** Admin API version, e.g. `2024-10`. */
  apiVersion: string;
  clock: Clock;
  /** Waits go through these. Default: the system's timers. */
  timers?: Timers;
  /** `THROTTLED` answers waited out per query. Default 3. */
  maxThrottledRetries?: number;
  /** Largest answer read, bytes. Default 8 MiB. */
  maxResponseBytes?: number;
  /** Name in error messages. Default "shopify". */
  name?: string;
  timeoutMs?: number;
}

/** The bucket as Shopify last reported it (`throttleStatus`). */
export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface ShopifyGraphqlResult<T> {
  data: T;
  /** Shopify's `extensions.cost` of the answer that succeeded (undefined fields when not reported). */
  cost: { requested: number | undefined; actual: number | undefined };
  /** Time waited for the bucket before sending (and after `THROTTLED` answers), ms. */
  waitedMs: number;
  /** `THROTTLED` answers before this one. */
  throttled: number;
}

export interface ShopifyGraphqlClient {
  /**
   * Sends `document` with `variables` once `estimatedCost` points are available (default: the cost
   * Shopify last requested for the same document, else 1).
   */
  query<T = unknown>(
    document: string,
    variables?: Record<string, unknown>,
    options?: { estimatedCost?: number },
  ): Promise<ShopifyGraphqlResult<T>>;
  /** The bucket estimated now, from the last report and the time since; undefined before any answer. */
  bucket(): ThrottleStatus | undefined;
  close(): Promise<void>;
}

/** Shopify's body kept in error details is cut to this many characters. */
const KEPT_CHARS = 2_000;

/** Reads a body up to `maxBytes`; past that the rest is never read and the query fails (config). */
async function readAnswer(
  body: AsyncIterable<Buffer> & { destroy?(): unknown; on?(event: "error", fn: () => void): unknown },
  maxBytes: number,
  what: string,
  declared: string | string[] | undefined,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = Number(Array.isArray(declared) ? declared[0] : (declared ?? 0)) || 0;
  if (size <= maxBytes) {
    size = 0;
    for await (const chunk of body) {
      size += chunk.length;
      if (size > maxBytes) break;
      chunks.push(chunk);
    }
  }
  if (size <= maxBytes) return Buffer.concat(chunks).toString("utf8");
  body.on?.("error", () => undefined); // undici reports the abort we cause as an error event
  body.destroy?.();
  throw new CrossdockError("CDK_TARGET_REJECTED", `${what}: answer larger than ${maxBytes} bytes`, {
    failureClass: "config",
    details: { maxResponseBytes: maxBytes, receivedBytes: size },
  });
}

type Outcome = {
  requested?: number | undefined;
  actual?: number | undefined;
  throttleStatus?: ThrottleStatus;
} & (
  | { kind: "data"; data: unknown }
  | { kind: "throttled"; errors: unknown }
  | { kind: "failed"; error: CrossdockError }
);

const num = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value : undefined);

function costOf(body: Record<string, unknown>): Pick<Outcome, "requested" | "actual" | "throttleStatus"> {
  const cost = (body.extensions as { cost?: Record<string, unknown> } | undefined)?.cost;
  const t = (cost?.throttleStatus ?? {}) as Record<string, unknown>;
  const status = {
    maximumAvailable: num(t.maximumAvailable),
    currentlyAvailable: num(t.currentlyAvailable),
    restoreRate: num(t.restoreRate),
  };
  return {
    requested: num(cost?.requestedQueryCost),
    actual: num(cost?.actualQueryCost),
    ...(Object.values(status).every((v) => v !== undefined)
      ? { throttleStatus: status as ThrottleStatus }
      : {}),
  };
}

/** Sorts one HTTP answer: data, a THROTTLED answer, or the classified error. */
function classify(
  http: { status: number; text: string; retryAfter: string | string[] | undefined },
  what: string,
  url: string,
  now: number,
): Outcome {
  const details = { status: http.status, body: http.text.slice(0, KEPT_CHARS), url };
  const fail = (error: CrossdockError): Outcome => ({ kind: "failed", error });
  if (http.status < 200 || http.status >= 300) {
    const message = `${what} answered ${http.status}: ${http.text.slice(0, 300)}`;
    if (http.status === 408 || http.status === 429 || http.status >= 500) {
      const retryAfterMs = parseRetryAfter(http.retryAfter, now);
      const hint = retryAfterMs === undefined ? {} : { retryAfterMs };
      return fail(new CrossdockError("CDK_TARGET_UNAVAILABLE", message, { details, ...hint }));
    }
    if (http.status === 401 || http.status === 403)
      return fail(new CrossdockError("CDK_TARGET_AUTH", message, { details }));
    return fail(new CrossdockError("CDK_TARGET_REJECTED", message, { details, failureClass: "config" }));
  }
  let body: unknown;
  try {
    body = JSON.parse(http.text);
  } catch (cause) {
    return fail(
      new CrossdockError("CDK_TARGET_UNAVAILABLE", `${what}: answer is not JSON`, { cause, details }),
    );
  }
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return fail(
      new CrossdockError("CDK_TARGET_UNAVAILABLE", `${what}: answer is not a JSON object`, { details }),
    );
  const record = body as Record<string, unknown>;
  const cost = costOf(record);
  const errors = Array.isArray(record.errors) ? (record.errors as Record<string, unknown>[]) : [];
  if (errors.length === 0 && record.errors === undefined && record.data !== undefined)
    return { ...cost, kind: "data", data: record.data };
  const codes = errors.map((e) => String((e?.extensions as { code?: unknown } | undefined)?.code ?? ""));
  const kept = JSON.stringify(record.errors ?? null).slice(0, KEPT_CHARS);
  if (codes.includes("THROTTLED")) return { ...cost, kind: "throttled", errors: kept };
  const first = errors[0]?.message;
  const message = `${what}: ${codes.filter(Boolean).join(", ") || "error"}: ${typeof first === "string" ? first.slice(0, 300) : kept.slice(0, 300)}`;
  const errorDetails = { url, codes, errors: kept };
  if (codes.includes("ACCESS_DENIED"))
    return { ...cost, ...fail(new CrossdockError("CDK_TARGET_AUTH", message, { details: errorDetails })) };
  if (codes.includes("INTERNAL_SERVER_ERROR"))
    return {
      ...cost,
      ...fail(new CrossdockError("CDK_TARGET_UNAVAILABLE", message, { details: errorDetails })),
    };
  return {
    ...cost,
    ...fail(
      new CrossdockError("CDK_TARGET_REJECTED", message, { details: errorDetails, failureClass: "config" }),
    ),
  };
}

export function createShopifyGraphqlClient(options: ShopifyGraphqlOptions): ShopifyGraphqlClient {
  const name = options.name ?? "shopify";
  const url = `${options.shopUrl.replace(/\/+$/, "")}/admin/api/${encodeURIComponent(options.apiVersion)}/graphql.json`;
  const timeout = options.timeoutMs ?? 30_000;
  const agent = new Agent({ connections: 1, headersTimeout: timeout, bodyTimeout: timeout });
  const timers = options.timers ?? systemTimers;
  const maxThrottled = options.maxThrottledRetries ?? 3;
  const maxBytes = options.maxResponseBytes ?? 8 * 1024 * 1024;
  const sleep = (ms: number) => new Promise<void>((resolve) => timers.setTimeout(resolve, ms));
  const learned = new Map<string, number>();
  let reported: (ThrottleStatus & { at: number }) | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  const estimate = (): ThrottleStatus | undefined => {
    if (!reported) return undefined;
    const restored = ((options.clock.now() - reported.at) * reported.restoreRate) / 1_000;
    const { maximumAvailable, restoreRate } = reported;
    return {
      maximumAvailable,
      restoreRate,
      currentlyAvailable: Math.min(maximumAvailable, reported.currentlyAvailable + restored),
    };
  };

  /** Ms until `cost` points are available (never more than a full bucket's worth). */
  const deficitMs = (cost: number): number => {
    const now = estimate();
    if (!now || now.restoreRate <= 0) return 0;
    const missing = Math.min(cost, now.maximumAvailable) - now.currentlyAvailable;
    return missing > 0 ? Math.ceil((missing / now.restoreRate) * 1_000) : 0;
  };

  async function post(body: string, what: string) {
    try {
      const response = await request(url, {
        method: "POST",
        headers: {
          "x-shopify-access-token": options.accessToken.reveal(),
          "content-type": "application/json",
          accept: "application/json",
        },
        body,
        dispatcher: agent,
      });
      const text = await readAnswer(response.body, maxBytes, what, response.headers["content-length"]);
      return { status: response.statusCode, text, retryAfter: response.headers["retry-after"] };
    } catch (cause) {
      if (cause instanceof CrossdockError) throw cause;
      throw new CrossdockError("CDK_TARGET_UNAVAILABLE", `${what} failed: ${(cause as Error).message}`, {
        cause,
        details: { url },
      });
    }
  }

  async function run<T>(
    document: string,
    variables: Record<string, unknown>,
    given: number | undefined,
  ): Promise<ShopifyGraphqlResult<T>> {
    const operation = /^\s*(?:query|mutation)\s+([A-Za-z_]\w*)/.exec(document)?.[1] ?? "anonymous";
    const what = `${name}: GraphQL ${operation} (POST ${url})`;
    const body = JSON.stringify({ query: document, variables });
    let waitedMs = 0;
    for (let throttled = 0; ; throttled++) {
      const cost = given ?? learned.get(document) ?? 1;
      const wait = deficitMs(cost);
      if (wait > 0) {
        waitedMs += wait;
        await sleep(wait);
      }
      const http = await post(body, what);
      const outcome = classify(http, what, url, options.clock.now());
      if (outcome.throttleStatus) reported = { ...outcome.throttleStatus, at: options.clock.now() };
      if (outcome.requested !== undefined) learned.set(document, outcome.requested);
      if (outcome.kind === "data") {
        const { requested, actual } = outcome;
        return { data: outcome.data as T, cost: { requested, actual }, waitedMs, throttled };
      }
      if (outcome.kind === "throttled" && throttled < maxThrottled) continue;
      if (outcome.kind === "throttled") {
        const retryAfterMs = Math.max(1, deficitMs(outcome.requested ?? cost));
        throw new CrossdockError("CDK_TARGET_UNAVAILABLE", `${what} throttled ${throttled + 1} times`, {
          details: { url, operation, errors: outcome.errors },
          retryAfterMs,
        });
      }
      throw outcome.error;
    }
  }

  return {
    query<T>(
      document: string,
      variables: Record<string, unknown> = {},
      opts: { estimatedCost?: number } = {},
    ) {
      const next = queue.then(() => run<T>(document, variables, opts.estimatedCost));
      queue = next.catch(() => undefined);
      return next;
    },
    bucket: estimate,
    close: () => agent.close(),
  };
}
