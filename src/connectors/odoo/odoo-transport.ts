/**
 * The two wire protocols of Odoo's external API behind one interface: JSON-RPC `execute_kw` (16-18, and
 * still served by 19-21) and JSON-2 `/json/2/<model>/<method>` (19+). A call is described by name
 * (`ids` the method runs on, named parameters, context); each transport turns it into its own shape.
 *
 * JSON-RPC puts some parameters in positional `args` because Odoo requires it: `create` reads
 * `args[0]` to decide between one record and a list, and a record method takes its ids as `args[0]`.
 */
import { Agent, request } from "undici";
import { parseRetryAfter } from "../http/http-target.ts";
import { type CallEffect, type OdooCallSite, odooServerError, odooTransportError } from "./odoo-errors.ts";

export interface OdooCall {
  model: string;
  method: string;
  /** Records the method runs on (`self`); omit for model-level methods such as `search_read`. */
  ids?: readonly number[];
  /** Named parameters, e.g. `{ domain, fields, limit }`. */
  params?: Readonly<Record<string, unknown>>;
  context?: Readonly<Record<string, unknown>>;
}

export interface OdooTransport {
  readonly kind: "jsonrpc" | "json2";
  /** Sends one call and returns Odoo's result (`undefined` when the method returned None). */
  execute(call: OdooCall, signal: AbortSignal): Promise<unknown>;
  close(): Promise<void>;
}

export interface OdooTransportOptions {
  url: string;
  database: string;
  /** API key (stands in for the password on JSON-RPC; bearer token on JSON-2). */
  apiKey: () => string;
  /** JSON-RPC only: the bot user's id, from `common.authenticate`. */
  uid?: number;
  /** No answer within this time fails the call as `CDK_ODOO_UNAVAILABLE`. */
  timeoutMs: number;
  /** Largest answer read, bytes. */
  maxResponseBytes: number;
  connections: number;
}

/** Parameters JSON-RPC must receive positionally, in this order, when they are given. */
const POSITIONAL: Record<string, readonly string[]> = {
  create: ["vals_list"],
  write: ["vals"],
  read: ["fields"],
  search: ["domain"],
  search_read: ["domain"],
  search_count: ["domain"],
  load: ["fields", "data"],
  check_access_rights: ["operation"],
  has_access: ["operation"],
  default_get: ["fields_list"],
};

export function createJsonRpcTransport(options: OdooTransportOptions): OdooTransport {
  const agent = new Agent({ connections: options.connections });
  let nextId = 1;
  return {
    kind: "jsonrpc",
    async execute(call, signal) {
      if (options.uid === undefined) throw new Error("JSON-RPC transport needs the uid");
      const positionalNames = POSITIONAL[call.method] ?? [];
      const params = { ...call.params };
      const positional: unknown[] = [];
      for (const name of positionalNames) {
        if (!(name in params)) break;
        positional.push(params[name]);
        delete params[name];
      }
      const args = call.ids === undefined ? positional : [call.ids, ...positional];
      const kwargs = call.context === undefined ? params : { ...params, context: call.context };
      const id = nextId++;
      const body = JSON.stringify({
        jsonrpc: "2.0",
        method: "call",
        id,
        params: {
          service: "object",
          method: "execute_kw",
          args: [options.database, options.uid, options.apiKey(), call.model, call.method, args, kwargs],
        },
      });
      const answer = await post(agent, `${options.url}/jsonrpc`, body, {}, call, options, signal);
      return readJsonRpc(answer, call, id);
    },
    close: () => agent.close(),
  };
}

/** One JSON-RPC call outside `object.execute_kw` (`common.version`, `common.authenticate`). */
export async function callJsonRpcService(
  options: Omit<OdooTransportOptions, "apiKey" | "uid">,
  service: string,
  method: string,
  args: unknown[],
  signal: AbortSignal,
): Promise<unknown> {
  const agent = new Agent({ connections: 1 });
  try {
    const body = JSON.stringify({ jsonrpc: "2.0", method: "call", id: 0, params: { service, method, args } });
    const site = { model: service, method };
    const answer = await post(agent, `${options.url}/jsonrpc`, body, {}, site, options, signal);
    return readJsonRpc(answer, site, 0);
  } finally {
    await agent.close();
  }
}

export function createJson2Transport(options: OdooTransportOptions): OdooTransport {
  const agent = new Agent({ connections: options.connections });
  return {
    kind: "json2",
    async execute(call, signal) {
      const payload: Record<string, unknown> = { ...call.params };
      if (call.ids !== undefined) payload.ids = call.ids;
      if (call.context !== undefined) payload.context = call.context;
      const headers = {
        authorization: `bearer ${options.apiKey()}`,
        "x-odoo-database": options.database,
      };
      const url = `${options.url}/json/2/${encodeURIComponent(call.model)}/${encodeURIComponent(call.method)}`;
      const answer = await post(agent, url, JSON.stringify(payload), headers, call, options, signal);
      return readJson2(answer, call);
    },
    close: () => agent.close(),
  };
}

interface HttpAnswer {
  status: number;
  contentType: string;
  retryAfter: string | string[] | undefined;
  text: string;
}

async function post(
  agent: Agent,
  url: string,
  body: string,
  headers: Record<string, string>,
  site: OdooCallSite,
  options: Pick<OdooTransportOptions, "timeoutMs" | "maxResponseBytes">,
  signal: AbortSignal,
): Promise<HttpAnswer> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  try {
    const response = await request(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
      dispatcher: agent,
      signal: AbortSignal.any([signal, timeout]),
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > options.maxResponseBytes) {
        response.body.destroy();
        throw odooTransportError(site, `answer larger than ${options.maxResponseBytes} bytes`, {
          httpStatus: response.statusCode,
          effect: "unknown",
        });
      }
      chunks.push(chunk);
    }
    return {
      status: response.statusCode,
      contentType: String(response.headers["content-type"] ?? ""),
      retryAfter: response.headers["retry-after"],
      text: Buffer.concat(chunks).toString("utf8"),
    };
  } catch (cause) {
    if (cause instanceof Error && cause.name === "CrossdockError") throw cause;
    const timedOut = timeout.aborted && !signal.aborted;
    const what = timedOut
      ? `no answer within ${options.timeoutMs} ms`
      : signal.aborted
        ? `call abandoned (${String((signal.reason as Error | undefined)?.message ?? signal.reason)})`
        : `request failed: ${(cause as Error).message}`;
    return Promise.reject(odooTransportError(site, what, { cause, effect: effectOfNetworkError(cause) }));
  }
}

/** Errors raised before the request left this machine cannot have reached Odoo. */
function effectOfNetworkError(cause: unknown): CallEffect {
  const code = (cause as { code?: string } | undefined)?.code;
  return code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN" ? "none" : "unknown";
}

function httpFailure(answer: HttpAnswer, site: OdooCallSite, now: number): Error {
  // A rate limiter (429) or a server that says it is unavailable (503) has not run the call.
  const effect: CallEffect = answer.status === 429 || answer.status === 503 ? "none" : "unknown";
  const retryAfterMs = parseRetryAfter(answer.retryAfter, now);
  return odooTransportError(site, `HTTP ${answer.status} (${answer.contentType || "no content type"})`, {
    httpStatus: answer.status,
    body: answer.text,
    effect,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

function parseJson(answer: HttpAnswer, site: OdooCallSite): unknown {
  try {
    return JSON.parse(answer.text);
  } catch (cause) {
    throw odooTransportError(site, `answer is not JSON (HTTP ${answer.status}, ${answer.contentType})`, {
      cause,
      httpStatus: answer.status,
      body: answer.text,
      effect: "unknown",
    });
  }
}

function readJsonRpc(answer: HttpAnswer, site: OdooCallSite, id: number): unknown {
  if (answer.status !== 200) throw httpFailure(answer, site, Date.now());
  const body = parseJson(answer, site);
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw odooTransportError(site, "answer is not a JSON-RPC object", {
      body: answer.text,
      effect: "unknown",
    });
  }
  const envelope = body as { id?: unknown; result?: unknown; error?: { message?: string; data?: unknown } };
  if (envelope.error !== undefined) {
    const data = (envelope.error.data ?? { name: envelope.error.message }) as Record<string, unknown>;
    throw odooServerError(site, data, answer.status);
  }
  if (envelope.id !== id && envelope.id !== null) {
    throw odooTransportError(site, `answer is for request ${String(envelope.id)}, not ${id}`, {
      effect: "unknown",
    });
  }
  // A method that returns None answers with no `result` key at all.
  return envelope.result;
}

function readJson2(answer: HttpAnswer, site: OdooCallSite): unknown {
  if (answer.status === 200) return answer.text === "" ? undefined : (parseJson(answer, site) ?? undefined);
  if (!answer.contentType.includes("json")) throw httpFailure(answer, site, Date.now());
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    throw httpFailure(answer, site, Date.now());
  }
  // Early builds and auth failures answer a bare string, e.g. "Invalid apikey".
  const data =
    typeof body === "string"
      ? {
          name: answer.status === 401 ? "odoo.exceptions.AccessDenied" : `http.${answer.status}`,
          message: body,
        }
      : (body as Record<string, unknown>);
  if ([429, 502, 503, 504].includes(answer.status) && typeof data.name !== "string") {
    throw httpFailure(answer, site, Date.now());
  }
  throw odooServerError(site, data, answer.status);
}
