import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Clock } from "../../src/core/clock.ts";

/** The credentials the sandbox marketplace accepts; a kind left out is refused. */
export interface MarketplaceCredentials {
  /** OAuth2 client credentials at `POST /oauth/token`; tokens live `tokenTtlSeconds` (default 3,600). */
  oauth2?: { clientId: string; clientSecret: string; tokenTtlSeconds?: number };
  /** A static key in a header, e.g. `X-Api-Key`. */
  apiKey?: { header: string; value: string };
  /** HTTP Basic. */
  basic?: { username: string; password: string };
}

export const DEFAULT_CREDENTIALS: Required<MarketplaceCredentials> = {
  oauth2: { clientId: "sandbox-client", clientSecret: "sandbox-client-secret", tokenTtlSeconds: 3_600 },
  apiKey: { header: "X-Api-Key", value: "sandbox-api-key" },
  basic: { username: "sandbox", password: "sandbox-password" },
};

const same = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** An OAuth2 error answer (RFC 6749 5.2) or the token (5.1). */
export type TokenAnswer =
  | { status: 200; body: { access_token: string; token_type: "Bearer"; expires_in: number; scope?: string } }
  | { status: 400 | 401; body: { error: string; error_description: string } };

/**
 * The OAuth2 side of the sandbox: issues opaque bearer tokens that expire on the sandbox clock, and
 * tells which credentials a request carries. `expireAll()` ends every token now (as a key rotation
 * or a server restart does), so clients meet a 401 on a token they thought valid.
 */
export class MarketplaceAuth {
  readonly #credentials: MarketplaceCredentials;
  readonly #clock: Clock;
  readonly #tokens = new Map<string, number>();
  /** Token requests answered with a token. */
  issued = 0;

  constructor(credentials: MarketplaceCredentials, clock: Clock) {
    this.#credentials = credentials;
    this.#clock = clock;
  }

  /** Answers a token request: `grant_type=client_credentials`, client by Basic or in the form. */
  token(req: IncomingMessage, form: URLSearchParams): TokenAnswer {
    const oauth = this.#credentials.oauth2;
    if (form.get("grant_type") !== "client_credentials") {
      const description = "only grant_type=client_credentials is supported";
      return { status: 400, body: { error: "unsupported_grant_type", error_description: description } };
    }
    let id = form.get("client_id") ?? undefined;
    let secret = form.get("client_secret") ?? undefined;
    const basic = /^Basic ([A-Za-z0-9+/=]+)$/.exec(req.headers.authorization ?? "");
    if (basic) {
      const [rawId = "", ...rest] = Buffer.from(basic[1] as string, "base64")
        .toString()
        .split(":");
      id = decodeURIComponent(rawId);
      secret = decodeURIComponent(rest.join(":"));
    }
    if (
      !oauth ||
      id === undefined ||
      secret === undefined ||
      !same(id, oauth.clientId) ||
      !same(secret, oauth.clientSecret)
    ) {
      return {
        status: 401,
        body: { error: "invalid_client", error_description: "client authentication failed" },
      };
    }
    const ttl = oauth.tokenTtlSeconds ?? 3_600;
    const token = `mkt_at_${randomBytes(16).toString("hex")}`;
    this.#tokens.set(token, this.#clock.now() + ttl * 1_000);
    this.issued++;
    const scope = form.get("scope");
    return {
      status: 200,
      body: { access_token: token, token_type: "Bearer", expires_in: ttl, ...(scope ? { scope } : {}) },
    };
  }

  /** Ends every token issued so far. */
  expireAll(): void {
    this.#tokens.clear();
  }

  /**
   * How a request authenticated: `ok` with the kind, or why not (`expired` for a bearer token that
   * was issued but is past its time, so the answer can say `invalid_token` as RFC 6750 asks).
   */
  check(
    req: IncomingMessage,
  ): { ok: true; kind: string } | { ok: false; reason: "missing" | "invalid" | "expired" } {
    const header = req.headers.authorization ?? "";
    const bearer = /^Bearer (\S+)$/.exec(header);
    if (bearer && this.#credentials.oauth2) {
      const expiresAt = this.#tokens.get(bearer[1] as string);
      if (expiresAt === undefined) return { ok: false, reason: "invalid" };
      if (this.#clock.now() >= expiresAt) return { ok: false, reason: "expired" };
      return { ok: true, kind: "oauth2" };
    }
    const basic = this.#credentials.basic;
    const basicMatch = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header);
    if (basic && basicMatch) {
      const pair = Buffer.from(basicMatch[1] as string, "base64").toString();
      return same(pair, `${basic.username}:${basic.password}`)
        ? { ok: true, kind: "basic" }
        : { ok: false, reason: "invalid" };
    }
    const key = this.#credentials.apiKey;
    const given = key ? req.headers[key.header.toLowerCase()] : undefined;
    if (key && typeof given === "string") {
      return same(given, key.value) ? { ok: true, kind: "api-key" } : { ok: false, reason: "invalid" };
    }
    return { ok: false, reason: header === "" ? "missing" : "invalid" };
  }
}
