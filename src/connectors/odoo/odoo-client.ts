/**
 * The Odoo client every Crossdock flow shares for one Odoo database: it finds the version, picks the
 * transport, authenticates with an API key, and sends calls within a concurrency budget (default 3 in
 * flight, the rest wait in FIFO order), because Odoo, not the hub, is the slow side and must never be
 * overrun. Calls that fail transiently are retried with jitter only when repeating them cannot do
 * anything twice: the caller marks reads and idempotent writes `safe`, and a failure Odoo rolled back
 * (a serialization conflict, a refused connection, a 429/503) is safe for any call.
 *
 * @example
 * const odoo = createOdooClient({ url, database: "prod", login: "crossdock-bot", apiKey: secret });
 * const partners = await odoo.searchRead("res.partner", [["email", "=", email]], ["id", "name"]);
 */
import { setTimeout as delay } from "node:timers/promises";
import PQueue from "p-queue";
import { request } from "undici";
import { CrossdockError } from "../../core/errors.ts";
import { nextRetryDelay, type RetryPolicy, resolveRetryPolicy } from "../../store/retry-policy.ts";
import { type OdooDialect, odooDialect, parseOdooMajor } from "./odoo-dialect.ts";
import { callEffect } from "./odoo-errors.ts";
import {
  callJsonRpcService,
  createJson2Transport,
  createJsonRpcTransport,
  type OdooCall,
  type OdooTransport,
} from "./odoo-transport.ts";

export interface OdooClientOptions {
  /** Base URL, e.g. `https://erp.example.com` (no trailing path). */
  url: string;
  database: string;
  /** The bot user's login (JSON-RPC authenticates with it to learn the uid). */
  login: string;
  apiKey: { reveal(): string };
  /** Context sent with every call (`lang`, `tz`, `allowed_company_ids`); a call's own context wins. */
  context?: Record<string, unknown>;
  /** Calls in flight to this database at once. Default 3. */
  maxInFlight?: number;
  /** Per call. Default 60 s: above Odoo's own 13-21 s of serialization retries. */
  timeoutMs?: number;
  /** Client-side retries of safe calls. Default 3 attempts, 250 ms doubling to 5 s, jitter 0.5. */
  retry?: Partial<RetryPolicy>;
  /** `auto` (default) picks JSON-2 from 19 and JSON-RPC before. */
  transport?: "auto" | "jsonrpc" | "json2";
  /** Largest answer read, bytes. Default 64 MiB. */
  maxResponseBytes?: number;
  random?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Told about every attempt, for metrics and traces. */
  onCall?: (event: OdooCallEvent) => void;
}

export interface OdooCallEvent {
  model: string;
  method: string;
  attempt: number;
  durationMs: number;
  outcome: "ok" | "error";
  code?: string;
}

export interface OdooServerInfo {
  major: number;
  transport: "jsonrpc" | "json2";
  uid?: number;
}

export interface CallOptions {
  /** True when repeating the call cannot have a second effect (reads, idempotent writes). */
  safe?: boolean;
  signal?: AbortSignal;
}

export interface SearchReadOptions {
  limit?: number;
  offset?: number;
  order?: string;
  context?: Record<string, unknown>;
  signal?: AbortSignal;
}

export interface OdooClient {
  readonly database: string;
  /** Finds the version and authenticates; calls do it on first use. */
  connect(signal?: AbortSignal): Promise<OdooServerInfo>;
  /** The connected server's dialect; throws before `connect`. */
  readonly dialect: OdooDialect;
  call<T = unknown>(call: OdooCall, options?: CallOptions): Promise<T>;
  searchRead<T = Record<string, unknown>>(
    model: string,
    domain: readonly unknown[],
    fields: readonly string[],
    options?: SearchReadOptions,
  ): Promise<T[]>;
  read<T = Record<string, unknown>>(
    model: string,
    ids: readonly number[],
    fields: readonly string[],
    options?: { context?: Record<string, unknown>; signal?: AbortSignal },
  ): Promise<T[]>;
  /** Calls sent (attempts) and waiting for a slot, for tests, benchmarks and `status`. */
  stats(): { attempts: number; retries: number; inFlight: number; waiting: number };
  close(): Promise<void>;
}

const CLIENT_RETRY: Partial<RetryPolicy> = {
  initialIntervalMs: 250,
  backoffCoefficient: 2,
  maximumIntervalMs: 5_000,
  maximumAttempts: 3,
  jitter: 0.5,
};

export function createOdooClient(options: OdooClientOptions): OdooClient {
  const url = options.url.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? 60_000;
  const maxInFlight = options.maxInFlight ?? 3;
  const retry = resolveRetryPolicy({ ...CLIENT_RETRY, ...options.retry });
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? ((ms: number, signal: AbortSignal) => delay(ms, undefined, { signal }));
  const queue = new PQueue({ concurrency: maxInFlight });
  const never = new AbortController().signal;
  let connecting:
    | Promise<{ info: OdooServerInfo; transport: OdooTransport; dialect: OdooDialect }>
    | undefined;
  let connected: { info: OdooServerInfo; transport: OdooTransport; dialect: OdooDialect } | undefined;
  let attempts = 0;
  let retries = 0;

  const transportOptions = {
    url,
    database: options.database,
    apiKey: () => options.apiKey.reveal(),
    timeoutMs,
    maxResponseBytes: options.maxResponseBytes ?? 64 * 1024 * 1024,
    connections: maxInFlight,
  };

  async function doConnect(signal: AbortSignal) {
    const major = await detectMajor(url, transportOptions, signal);
    const dialect = odooDialect(major);
    const kind =
      options.transport === undefined || options.transport === "auto"
        ? dialect.preferredTransport
        : options.transport;
    if (kind === "json2") {
      const transport = createJson2Transport(transportOptions);
      return { info: { major, transport: kind }, transport, dialect };
    }
    const uid = await callJsonRpcService(
      transportOptions,
      "common",
      "authenticate",
      [options.database, options.login, options.apiKey.reveal(), {}],
      signal,
    );
    if (typeof uid !== "number") {
      throw new CrossdockError(
        "CDK_ODOO_ACCESS",
        `Odoo refused login ${JSON.stringify(options.login)} with the configured API key on database ${JSON.stringify(options.database)}`,
        { details: { url, database: options.database, login: options.login } },
      );
    }
    const transport = createJsonRpcTransport({ ...transportOptions, uid });
    return { info: { major, transport: kind, uid }, transport, dialect };
  }

  async function ensureConnected(signal: AbortSignal) {
    if (connected) return connected;
    connecting ??= doConnect(signal).then(
      (value) => {
        connected = value;
        return value;
      },
      (error: unknown) => {
        connecting = undefined;
        throw error;
      },
    );
    return connecting;
  }

  async function call<T>(odooCall: OdooCall, callOptions: CallOptions = {}): Promise<T> {
    const signal = callOptions.signal ?? never;
    const { transport } = await ensureConnected(signal);
    const context =
      options.context || odooCall.context ? { ...options.context, ...odooCall.context } : undefined;
    const prepared: OdooCall = context === undefined ? odooCall : { ...odooCall, context };
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      try {
        attempts++;
        const result = await queue.add(() => transport.execute(prepared, signal), { signal });
        options.onCall?.({
          ...site(odooCall),
          attempt,
          durationMs: performance.now() - started,
          outcome: "ok",
        });
        return result as T;
      } catch (error) {
        const code = error instanceof CrossdockError ? error.code : "CDK_ODOO_UNAVAILABLE";
        options.onCall?.({
          ...site(odooCall),
          attempt,
          durationMs: performance.now() - started,
          outcome: "error",
          code,
        });
        const repeatable = callOptions.safe === true || callEffect(error) === "none";
        const transient = error instanceof CrossdockError && error.failureClass === "transient";
        if (!transient || !repeatable || signal.aborted || attempt >= retry.maximumAttempts) throw error;
        retries++;
        await sleep(nextRetryDelay(retry, attempt, (error as CrossdockError).retryAfterMs, random), signal);
      }
    }
  }

  return {
    database: options.database,
    connect: async (signal) => (await ensureConnected(signal ?? never)).info,
    get dialect() {
      if (!connected) throw new Error("Odoo client used before connect()");
      return connected.dialect;
    },
    call,
    searchRead: (model, domain, fields, o = {}) =>
      call(
        {
          model,
          method: "search_read",
          params: {
            domain,
            fields,
            ...(o.limit === undefined ? {} : { limit: o.limit }),
            ...(o.offset === undefined ? {} : { offset: o.offset }),
            ...(o.order === undefined ? {} : { order: o.order }),
          },
          ...(o.context === undefined ? {} : { context: o.context }),
        },
        { safe: true, ...(o.signal === undefined ? {} : { signal: o.signal }) },
      ),
    read: (model, ids, fields, o = {}) =>
      call(
        {
          model,
          method: "read",
          ids,
          params: { fields },
          ...(o.context === undefined ? {} : { context: o.context }),
        },
        { safe: true, ...(o.signal === undefined ? {} : { signal: o.signal }) },
      ),
    stats: () => ({ attempts, retries, inFlight: queue.pending, waiting: queue.size }),
    async close() {
      queue.clear();
      await connected?.transport.close();
    },
  };
}

function site(call: OdooCall) {
  return { model: call.model, method: call.method };
}

/** `GET /web/version`, falling back to JSON-RPC `common.version` on servers without that route. */
async function detectMajor(
  url: string,
  transportOptions: {
    timeoutMs: number;
    maxResponseBytes: number;
    connections: number;
    url: string;
    database: string;
  },
  signal: AbortSignal,
): Promise<number> {
  try {
    const response = await request(`${url}/web/version`, {
      method: "GET",
      signal: AbortSignal.any([signal, AbortSignal.timeout(transportOptions.timeoutMs)]),
    });
    const text = await response.body.text();
    if (response.statusCode === 200) {
      const body = JSON.parse(text) as { version_info?: unknown; version?: unknown };
      const major = parseOdooMajor(body.version_info, body.version);
      if (major !== undefined) return major;
    }
  } catch (cause) {
    if (signal.aborted) throw cause;
    // Fall through: older servers or proxies without the route still answer common.version.
  }
  const info = (await callJsonRpcService(transportOptions, "common", "version", [], signal)) as {
    server_version_info?: unknown;
    server_version?: unknown;
  } | null;
  const major = parseOdooMajor(info?.server_version_info, info?.server_version);
  if (major === undefined) {
    throw new CrossdockError("CDK_ODOO_PROTOCOL", `${url} did not say which Odoo version it runs`, {
      details: { url, answer: JSON.stringify(info).slice(0, 200) },
    });
  }
  return major;
}
