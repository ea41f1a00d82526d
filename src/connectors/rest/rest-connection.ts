/**
 * A `rest` connection in `crossdock.yaml`: a channel or partner without a built-in connector, spoken to
 * through its JSON REST API. The settings say where it is, how to authenticate, how fast it may be
 * called, how its lists are paged and which endpoints do what. See docs/rest-connector.md.
 *
 * ```yaml
 * connections:
 *   market:
 *     type: rest
 *     baseUrl: https://api.market.example/v1
 *     auth:
 *       kind: oauth2-client-credentials
 *       tokenUrl: https://api.market.example/oauth/token
 *       clientId: crossdock
 *       clientSecret: env:MARKET_CLIENT_SECRET
 *     rateLimit: { requestsPerSecond: 5, burst: 10 }
 *     pagination: { kind: cursor, cursorParam: cursor, nextCursorPointer: /meta/next_cursor }
 *     endpoints:
 *       orders: { method: GET, path: /orders, itemsPointer: /data, sinceParam: updated_since }
 *       updateStock: { method: PUT, path: "/inventory/{sku}" }
 * ```
 */
import type { Secret } from "../../security/secret-ref.ts";
import {
  checkAuth,
  checkEndpoint,
  checkPagination,
  isInt,
  isMap,
  type REST_METHODS,
  type RestConnectionProblem,
  urlProblem,
} from "./rest-settings-checks.ts";

export type { RestConnectionProblem } from "./rest-settings-checks.ts";

export const REST_CONNECTION_TYPE = "rest";

export type RestAuthConfig =
  | { kind: "api-key"; header: string; value: Secret; prefix?: string }
  | { kind: "basic"; username: string; password: Secret }
  | {
      kind: "oauth2-client-credentials";
      tokenUrl: string;
      clientId: string;
      clientSecret: Secret;
      scope?: string;
      /** How the client authenticates at the token endpoint. Default `basic` (RFC 6749 2.3.1). */
      clientAuth: "basic" | "body";
    };

export type RestPaginationConfig =
  | { kind: "cursor"; cursorParam: string; nextCursorPointer: string; sizeParam?: string; size?: number }
  | { kind: "page"; pageParam: string; sizeParam: string; size: number; firstPage: number }
  | { kind: "link-header"; sizeParam?: string; size?: number }
  | { kind: "offset"; offsetParam: string; limitParam: string; limit: number }
  | { kind: "none" };

export interface RestEndpointConfig {
  method: (typeof REST_METHODS)[number];
  /** Path after `baseUrl`, with `{name}` placeholders filled (percent-encoded) from call params. */
  path: string;
  /** Where the list is in a page's answer. Default `""`: the answer is the list. */
  itemsPointer?: string;
  /** Query parameter that takes the poller's watermark (`updated_since`). */
  sinceParam?: string;
  /** Overrides the connection's pagination for this endpoint. */
  pagination?: RestPaginationConfig;
  /** Fixed query parameters sent on every call (`sort: updated_at`). */
  query?: Record<string, string>;
  /** For the order poller: the order id and its last-change time in each item. Defaults `/id`, `/updated_at`. */
  idPointer?: string;
  updatedAtPointer?: string;
}

/** The resolved, frozen settings of a `rest` connection. */
export interface RestConnectionConfig {
  baseUrl: string;
  auth: RestAuthConfig;
  /** Default 5 requests a second, bursts of 10. */
  rateLimit: { requestsPerSecond: number; burst: number };
  /** Per request, until the answer is read. Default 30,000 ms. */
  timeoutMs: number;
  /** Larger answers are refused. Default 5 MiB. */
  maxResponseBytes: number;
  /** Pages read by one walk of a list. Default 100. */
  maxPages: number;
  /** Default `{ kind: none }` (one page). */
  pagination: RestPaginationConfig;
  endpoints: Record<string, RestEndpointConfig>;
  /** Order poll interval. Default 60,000 ms. */
  pollIntervalMs: number;
  /** Channel of the orders. Default: the connection name. */
  channel?: string;
  /** The mapping (`name@version`) the inbox processing runs on each order; resolved by the mapping catalog. */
  mapping?: string;
}

const KNOWN = [
  "type",
  "baseUrl",
  "allowInsecureHttp",
  "auth",
  "rateLimit",
  "timeoutMs",
  "maxResponseBytes",
  "maxPages",
  "pagination",
  "endpoints",
  "pollIntervalMs",
  "channel",
  "mapping",
];
const NUMBERS: [string, number, number][] = [
  ["timeoutMs", 100, 600_000],
  ["maxResponseBytes", 1_024, 268_435_456],
  ["maxPages", 1, 100_000],
  ["pollIntervalMs", 1_000, 86_400_000],
];

/** Every problem of a `rest` connection's settings (empty when they are fine). */
export function checkRestConnection(settings: Readonly<Record<string, unknown>>): RestConnectionProblem[] {
  const problems: RestConnectionProblem[] = [];
  const add = (message: string, path: (string | number)[]) =>
    problems.push({ field: String(path[0]), message, ...(path.length > 1 ? { path } : {}) });
  for (const key of Object.keys(settings))
    if (!KNOWN.includes(key)) add(`unknown key (expected one of ${KNOWN.join(", ")})`, [key]);
  const insecure = settings.allowInsecureHttp;
  if (insecure !== undefined && typeof insecure !== "boolean")
    add("must be true or false", ["allowInsecureHttp"]);
  const baseProblem = urlProblem(settings.baseUrl, insecure === true);
  if (baseProblem) add(baseProblem, ["baseUrl"]);
  checkAuth(settings.auth, insecure === true, add);
  const rate = settings.rateLimit;
  if (rate !== undefined) {
    if (!isMap(rate)) add("must be a map: requestsPerSecond, burst", ["rateLimit"]);
    else {
      for (const key of Object.keys(rate))
        if (key !== "requestsPerSecond" && key !== "burst") add("unknown key", ["rateLimit", key]);
      const rps = rate.requestsPerSecond;
      if (rps !== undefined && !(typeof rps === "number" && rps > 0 && rps <= 10_000))
        add("must be a number above 0, at most 10000", ["rateLimit", "requestsPerSecond"]);
      if (rate.burst !== undefined && !isInt(rate.burst, 1, 10_000))
        add("must be a whole number 1-10000", ["rateLimit", "burst"]);
    }
  }
  for (const [key, min, max] of NUMBERS)
    if (settings[key] !== undefined && !isInt(settings[key], min, max))
      add(`must be a whole number ${min}-${max}`, [key]);
  if (settings.pagination !== undefined) checkPagination(settings.pagination, ["pagination"], add);
  const endpoints = settings.endpoints;
  if (!isMap(endpoints) || Object.keys(endpoints).length === 0)
    add("required, a map of named endpoints such as orders: { method: GET, path: /orders }", ["endpoints"]);
  else
    for (const [name, endpoint] of Object.entries(endpoints)) {
      if (!/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(name))
        add("must be a name (letters, digits, _ -)", ["endpoints", name]);
      checkEndpoint(name, endpoint, add);
    }
  const channel = settings.channel;
  if (channel !== undefined && !(typeof channel === "string" && /^[a-z0-9][a-z0-9_.-]{0,63}$/i.test(channel)))
    add("must be a short code (letters, digits, . _ -)", ["channel"]);
  return problems;
}

/** The settings of a connection that passed `checkRestConnection`, with defaults, frozen. */
export function parseRestConnection(settings: Readonly<Record<string, unknown>>): RestConnectionConfig {
  const rate = (settings.rateLimit ?? {}) as { requestsPerSecond?: number; burst?: number };
  const auth = { ...(settings.auth as Record<string, unknown>) };
  if (auth.kind === "oauth2-client-credentials") auth.clientAuth ??= "basic";
  const pagination = (p: unknown): RestPaginationConfig => {
    const value = { ...((p ?? { kind: "none" }) as Record<string, unknown>) };
    if (value.kind === "page") value.firstPage ??= 1;
    return Object.freeze(value) as RestPaginationConfig;
  };
  const endpoints: Record<string, RestEndpointConfig> = {};
  for (const [name, raw] of Object.entries(settings.endpoints as Record<string, Record<string, unknown>>)) {
    const endpoint = { ...raw } as Record<string, unknown>;
    if (raw.pagination !== undefined) endpoint.pagination = pagination(raw.pagination);
    if (raw.query !== undefined)
      endpoint.query = Object.fromEntries(
        Object.entries(raw.query as object).map(([k, v]) => [k, String(v)]),
      );
    endpoints[name] = Object.freeze(endpoint) as unknown as RestEndpointConfig;
  }
  return Object.freeze({
    baseUrl: (settings.baseUrl as string).replace(/\/+$/, ""),
    auth: Object.freeze(auth) as unknown as RestAuthConfig,
    rateLimit: Object.freeze({ requestsPerSecond: rate.requestsPerSecond ?? 5, burst: rate.burst ?? 10 }),
    timeoutMs: (settings.timeoutMs as number | undefined) ?? 30_000,
    maxResponseBytes: (settings.maxResponseBytes as number | undefined) ?? 5 * 1024 * 1024,
    maxPages: (settings.maxPages as number | undefined) ?? 100,
    pagination: pagination(settings.pagination),
    endpoints: Object.freeze(endpoints),
    pollIntervalMs: (settings.pollIntervalMs as number | undefined) ?? 60_000,
    ...(settings.channel === undefined ? {} : { channel: settings.channel as string }),
    ...(typeof settings.mapping === "string" ? { mapping: settings.mapping } : {}),
  });
}
