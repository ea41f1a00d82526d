/**
 * The client of a `rest` connection: calls its named endpoints with the connection's credentials,
 * within its rate limit, and walks its paged lists.
 *
 * - **Auth**: API key header, HTTP Basic, or OAuth2 client credentials (token kept until shortly
 *   before it expires; on a 401 the token is dropped and the call retried once with a new one; a
 *   second 401 is `CDK_TARGET_AUTH`).
 * - **Rate limit**: one token bucket per client (`rateLimit`); a 429 pauses the bucket for its
 *   `Retry-After` (1 s when absent) and the call waits it out up to `rateLimitRetries` times if the
 *   wait is at most `maxRateLimitWaitMs`; beyond that it fails `CDK_TARGET_UNAVAILABLE` with `retryAfterMs`.
 * - **Answers**: at most `maxResponseBytes`, parsed as JSON with located syntax errors, and classified
 *   like the HTTP target (see `rest-response.ts`).
 * - **Pages**: `pages()` yields page after page until the list ends, `maxPages` pages were read
 *   (the last page then says `hasMore`), or a cursor or link repeats (a loop: a config failure).
 *
 * Left out: retries of transient failures (the delivery layer and the poller back off), a circuit
 * breaker, aborting a wait for the bucket.
 *
 * @example
 * const client = createRestClient({ name: "market", config: parseRestConnection(settings) });
 * for await (const page of client.pages("orders", { query: { updated_since: since } })) use(page.items);
 * await client.call("updateStock", { params: { sku: "A-1" }, body: { quantity: 4 } });
 */
import { Agent, type Dispatcher, request } from "undici";
import { type Clock, systemClock } from "../../core/clock.ts";
import { CrossdockError } from "../../core/errors.ts";
import { systemTimers, type Timers } from "../../core/timers.ts";
import { parseRetryAfter } from "../http/http-target.ts";
import { createRestAuthorizer, type RestAuthorizer } from "./rest-auth.ts";
import type { RestConnectionConfig, RestEndpointConfig } from "./rest-connection.ts";
import { type RestPage, walkPages } from "./rest-pages.ts";
import {
  type CallContext,
  checkStatus,
  networkError,
  parseJsonAnswer,
  readBounded,
} from "./rest-response.ts";
import { endpointUrl, type RestParams, type RestQuery } from "./rest-url.ts";
import { TokenBucket } from "./token-bucket.ts";

export type { RestPage } from "./rest-pages.ts";

export interface RestClientOptions {
  /** The connection name, in errors. */
  name: string;
  config: RestConnectionConfig;
  clock?: Clock;
  timers?: Timers;
  /** Sockets kept open to the partner. Default 4. */
  connections?: number;
  /** 429s waited out within one call. Default 3. */
  rateLimitRetries?: number;
  /** Longest `Retry-After` waited out within a call, ms. Default 60,000. */
  maxRateLimitWaitMs?: number;
}

export interface RestCallOptions {
  /** Values of the path's `{name}` placeholders. */
  params?: RestParams;
  query?: RestQuery;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as `Idempotency-Key`, for partners that honour it. */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export interface RestPagesOptions extends RestCallOptions {
  /** Default: the connection's `maxPages`. */
  maxPages?: number;
  /** Resume at a page's `nextUrl` from an earlier walk (same origin only). */
  startUrl?: string;
}

/** A 2xx answer, its body parsed (undefined when empty). */
export interface RestAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  url: string;
}

export interface RestClient {
  readonly name: string;
  readonly config: RestConnectionConfig;
  readonly bucket: TokenBucket;
  readonly auth: RestAuthorizer;
  call(endpoint: string, options?: RestCallOptions): Promise<RestAnswer>;
  /** Walks a paged list; `maxPages` defaults to the connection's. */
  pages(endpoint: string, options?: RestPagesOptions): AsyncGenerator<RestPage, void>;
  close(): Promise<void>;
}

export function createRestClient(options: RestClientOptions): RestClient {
  const { name, config } = options;
  const clock = options.clock ?? systemClock;
  const agent = new Agent({ connections: options.connections ?? 4, keepAliveTimeout: 10_000 });
  const bucket = new TokenBucket({
    ratePerSecond: config.rateLimit.requestsPerSecond,
    burst: config.rateLimit.burst,
    clock,
    timers: options.timers ?? systemTimers,
  });
  const auth = createRestAuthorizer(config.auth, {
    connection: name,
    dispatcher: agent,
    clock,
    timeoutMs: config.timeoutMs,
  });
  const maxRateRetries = options.rateLimitRetries ?? 3;
  const maxRateWait = options.maxRateLimitWaitMs ?? 60_000;

  function endpointOf(endpoint: string): RestEndpointConfig {
    const found = config.endpoints[endpoint];
    if (found) return found;
    throw new CrossdockError("CDK_CONFIG_INVALID", `rest ${name}: no endpoint named ${endpoint}`, {
      details: { endpoint, known: Object.keys(config.endpoints) },
    });
  }

  async function send(method: string, url: URL, callOptions: RestCallOptions): Promise<RestAnswer> {
    const context: CallContext = { connection: name, method, url: url.href };
    const body = callOptions.body === undefined ? undefined : JSON.stringify(callOptions.body);
    let reauthorized = false;
    let rateRetries = 0;
    for (;;) {
      await bucket.take();
      const applied = await auth.header();
      const headers: Record<string, string> = { accept: "application/json", "user-agent": "crossdock" };
      if (body !== undefined) headers["content-type"] = "application/json";
      if (callOptions.idempotencyKey) headers["idempotency-key"] = callOptions.idempotencyKey;
      headers[applied.name] = applied.value;
      let response: Dispatcher.ResponseData;
      let text: string;
      try {
        response = await request(url, {
          method: method as Dispatcher.HttpMethod,
          headers,
          body,
          dispatcher: agent,
          headersTimeout: config.timeoutMs,
          bodyTimeout: config.timeoutMs,
          ...(callOptions.signal ? { signal: callOptions.signal } : {}),
        });
        const limit = config.maxResponseBytes;
        text = (
          await readBounded(response.body, limit, context, response.headers["content-length"])
        ).toString();
      } catch (cause) {
        if (cause instanceof CrossdockError) throw cause;
        throw networkError(cause, context);
      }
      const status = response.statusCode;
      if (status === 401 && !reauthorized && auth.refused(applied)) {
        reauthorized = true;
        continue;
      }
      if (status === 429) {
        const waitMs = parseRetryAfter(response.headers["retry-after"], clock.now()) ?? 1_000;
        bucket.pauseFor(waitMs);
        if (rateRetries < maxRateRetries && waitMs <= maxRateWait) {
          rateRetries++;
          continue;
        }
      }
      checkStatus(status, response.headers, text, context, clock.now());
      return { status, headers: response.headers, body: parseJsonAnswer(text, context), url: url.href };
    }
  }

  return {
    name,
    config,
    bucket,
    auth,
    call(endpoint, callOptions = {}) {
      const spec = endpointOf(endpoint);
      const url = endpointUrl(
        config.baseUrl,
        spec,
        callOptions.params ?? {},
        callOptions.query ?? {},
        endpoint,
      );
      return send(spec.method, url, callOptions);
    },
    pages(endpoint, callOptions = {}) {
      const spec = endpointOf(endpoint);
      const url = endpointUrl(
        config.baseUrl,
        spec,
        callOptions.params ?? {},
        callOptions.query ?? {},
        endpoint,
      );
      return walkPages({
        url,
        pagination: spec.pagination ?? config.pagination,
        itemsPointer: spec.itemsPointer ?? "",
        maxPages: callOptions.maxPages ?? config.maxPages,
        ...(callOptions.startUrl ? { startUrl: new URL(callOptions.startUrl) } : {}),
        fetch: (pageUrl) => send(spec.method, pageUrl, callOptions),
        what: `rest ${name}: ${endpoint}`,
      });
    },
    close: () => agent.close(),
  };
}
