/**
 * OAuth2 client credentials (RFC 6749 4.4): fetches an access token from the token endpoint, keeps it
 * until shortly before its `expires_in`, and fetches a new one when it is due or when the API refused
 * it (`invalidate`). Concurrent callers share one fetch. A token without `expires_in` is kept until
 * the API refuses it.
 *
 * The token endpoint's refusals (400 `invalid_client`, `invalid_grant`, `unauthorized_client`, 401,
 * 403) are `CDK_TARGET_AUTH` with the endpoint's `error` and `error_description`; its 5xx, 429 and
 * network failures are `CDK_TARGET_UNAVAILABLE`.
 */
import { type Dispatcher, request } from "undici";
import type { Clock } from "../../core/clock.ts";
import { CrossdockError } from "../../core/errors.ts";
import type { Secret } from "../../security/secret-ref.ts";
import {
  type CallContext,
  checkStatus,
  networkError,
  parseJsonAnswer,
  readBounded,
} from "./rest-response.ts";

export interface OAuth2TokenSourceOptions {
  connection: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: Secret;
  scope?: string;
  clientAuth: "basic" | "body";
  dispatcher: Dispatcher;
  clock: Clock;
  timeoutMs: number;
  /** Renew this long before the token expires (at most half its lifetime). Default 30,000 ms. */
  refreshSkewMs?: number;
}

export class OAuth2TokenSource {
  readonly #options: OAuth2TokenSourceOptions;
  #current: { token: string; renewAt: number } | undefined;
  #pending: Promise<string> | undefined;
  #fetches = 0;

  constructor(options: OAuth2TokenSourceOptions) {
    this.#options = options;
  }

  /** Token requests made so far (for tests and metrics). */
  get fetches(): number {
    return this.#fetches;
  }

  /** A valid access token: the kept one, or a new one when it is due. */
  token(): Promise<string> {
    const current = this.#current;
    if (current && this.#options.clock.now() < current.renewAt) return Promise.resolve(current.token);
    this.#pending ??= this.#fetch().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** Forgets `token` after the API refused it (a token fetched meanwhile by another call is kept). */
  invalidate(token: string): void {
    if (this.#current?.token === token) this.#current = undefined;
  }

  async #fetch(): Promise<string> {
    const o = this.#options;
    this.#fetches++;
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    if (o.scope) form.set("scope", o.scope);
    const headers: Record<string, string> = {
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
    };
    if (o.clientAuth === "basic") {
      // RFC 6749 2.3.1: id and secret are form-urlencoded before they go into the Basic credentials.
      const pair = `${encodeURIComponent(o.clientId)}:${encodeURIComponent(o.clientSecret.reveal())}`;
      headers.authorization = `Basic ${Buffer.from(pair).toString("base64")}`;
    } else {
      form.set("client_id", o.clientId);
      form.set("client_secret", o.clientSecret.reveal());
    }
    const context: CallContext = { connection: o.connection, method: "POST", url: o.tokenUrl };
    const started = o.clock.now();
    let response: Dispatcher.ResponseData;
    try {
      response = await request(o.tokenUrl, {
        method: "POST",
        headers,
        body: form.toString(),
        dispatcher: o.dispatcher,
        headersTimeout: o.timeoutMs,
        bodyTimeout: o.timeoutMs,
      });
    } catch (cause) {
      throw networkError(cause, context);
    }
    const text = (await readBounded(response.body, 64 * 1024, context)).toString("utf8");
    const status = response.statusCode;
    if (status === 400 || status === 401 || status === 403) {
      const body = safeParse(text);
      const error = typeof body?.error === "string" ? body.error : undefined;
      const description = typeof body?.error_description === "string" ? body.error_description : undefined;
      throw new CrossdockError(
        "CDK_TARGET_AUTH",
        `rest ${o.connection}: the token endpoint refused the client credentials (${status}${error ? ` ${error}` : ""})`,
        { details: { status, error, description, body: text.slice(0, 2_000), url: o.tokenUrl } },
      );
    }
    checkStatus(status, response.headers, text, context, o.clock.now());
    const body = parseJsonAnswer(text, context) as Record<string, unknown> | undefined;
    const token = body?.access_token;
    if (typeof token !== "string" || token === "") {
      throw new CrossdockError(
        "CDK_TARGET_AUTH",
        `rest ${o.connection}: the token answer has no access_token`,
        {
          details: { status, url: o.tokenUrl, keys: Object.keys(body ?? {}) },
        },
      );
    }
    const lifetimeMs = typeof body?.expires_in === "number" ? body.expires_in * 1_000 : undefined;
    const skew = Math.min(o.refreshSkewMs ?? 30_000, (lifetimeMs ?? 0) / 2);
    const renewAt = lifetimeMs === undefined ? Number.POSITIVE_INFINITY : started + lifetimeMs - skew;
    this.#current = { token, renewAt };
    return token;
  }
}

function safeParse(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text);
    return typeof value === "object" && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}
