import {
  type SandboxOdoo,
  type SandboxOdooOptions,
  startSandboxOdoo,
} from "../../sandbox/odoo/sandbox-odoo.ts";

/** Parsed JSON of unknown shape (what `JSON.parse` returns). */
export type Json = ReturnType<typeof JSON.parse>;

/** A small JSON-RPC client for the tests: raw access to status, headers and body. */
export interface RawResponse {
  status: number;
  contentType: string;
  headers: Headers;
  text: string;
  json: Json;
}

export async function post(
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body,
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return {
    status: res.status,
    contentType: res.headers.get("content-type") ?? "",
    headers: res.headers,
    text,
    json,
  };
}

let nextId = 1;

export interface Rpc {
  odoo: SandboxOdoo;
  db: string;
  /** execute_kw as `uid`/`secret` (default admin). Returns the whole JSON-RPC envelope. */
  raw(
    model: string,
    method: string,
    args?: unknown[],
    kwargs?: Record<string, unknown>,
    as?: [number, string],
  ): Promise<Json>;
  /** execute_kw returning `result`, throwing on an error envelope (the error data is on `.data`). */
  call(
    model: string,
    method: string,
    args?: unknown[],
    kwargs?: Record<string, unknown>,
    as?: [number, string],
  ): Promise<Json>;
}

export class RpcError extends Error {
  readonly data: Json;
  constructor(data: Json) {
    super(`${data?.name}: ${data?.message}`);
    this.data = data;
  }
}

export function rpcFor(odoo: SandboxOdoo, db = "crossdock"): Rpc {
  const raw = async (
    model: string,
    method: string,
    args: unknown[] = [],
    kwargs: Record<string, unknown> = {},
    as: [number, string] = [2, "admin"],
  ) => {
    const body = {
      jsonrpc: "2.0",
      method: "call",
      id: nextId++,
      params: {
        service: "object",
        method: "execute_kw",
        args: [db, as[0], as[1], model, method, args, kwargs],
      },
    };
    const res = await post(`${odoo.url}/jsonrpc`, JSON.stringify(body));
    return res.json;
  };
  return {
    odoo,
    db,
    raw,
    call: async (model, method, args, kwargs, as) => {
      const envelope = await raw(model, method, args, kwargs, as);
      if (envelope.error) throw new RpcError(envelope.error.data);
      return envelope.result;
    },
  };
}

/** Starts a sandbox and returns it with an RPC client on its first database. */
export async function startWithRpc(options: SandboxOdooOptions = {}): Promise<Rpc> {
  const odoo = await startSandboxOdoo(options);
  return rpcFor(odoo, options.databases?.[0] ?? "crossdock");
}
