import type { ServerResponse } from "node:http";
import type { CallDispatcher, DispatcherDeps } from "./call-dispatcher.ts";
import { unknownDatabase } from "./call-dispatcher.ts";
import type { CallLog } from "./call-log.ts";
import { applyLateFault, jsonRpcError, renderEarlyFault, send, sendJson } from "./http-util.ts";
import { OdooError } from "./odoo-error.ts";
import type { VersionProfile } from "./version-profile.ts";

/** What every transport needs: the dispatcher, the databases, the version, parked answers and the log. */
export interface TransportDeps {
  dispatcher: CallDispatcher;
  databases: DispatcherDeps["databases"];
  profile: VersionProfile;
  parked: Set<ServerResponse>;
  log: CallLog;
}

/** `common.version`'s answer. */
export function versionInfo(profile: VersionProfile): Record<string, unknown> {
  return {
    server_version: profile.serverVersion,
    server_version_info: [profile.version, 0, 0, "final", 0, ""],
    server_serie: profile.serverVersion,
    protocol_version: 1,
  };
}

/** Login + password (or API key) -> uid, false on bad credentials; OperationalError for an unknown db. */
export function authenticate(
  deps: TransportDeps,
  db: unknown,
  login: unknown,
  secret: unknown,
): number | false {
  const target = deps.databases.get(String(db));
  if (!target) throw unknownDatabase(String(db));
  if (typeof login !== "string" || typeof secret !== "string" || !secret) return false;
  const row = target.db
    .prepare(
      `SELECT id FROM res_users WHERE login = ? AND active = 1 AND (password = ? OR sandbox_api_key = ?)`,
    )
    .get(login, secret, secret) as { id: number } | undefined;
  return row ? row.id : false;
}

function success(res: ServerResponse, id: unknown, value: unknown): void {
  // A method returning None answers with neither `result` nor `error` (recording 13).
  sendJson(res, 200, value === undefined ? { jsonrpc: "2.0", id } : { jsonrpc: "2.0", id, result: value });
}

/** Parses a JSON body; answers Odoo's 400 "Invalid JSON data" and returns undefined when it is not JSON. */
export function parseJsonBody(
  res: ServerResponse,
  body: string,
): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    send(res, 400, "text/html; charset=utf-8", "Invalid JSON data");
    return { ok: false };
  }
}

/** `POST /jsonrpc`: services `common` (version, authenticate, login), `db` (list), `object` (execute_kw, execute). */
export async function handleJsonRpc(deps: TransportDeps, res: ServerResponse, body: string): Promise<void> {
  const parsed = parseJsonBody(res, body);
  if (!parsed.ok) return;
  const request = parsed.value as {
    id?: unknown;
    params?: { service?: unknown; method?: unknown; args?: unknown };
  } | null;
  const id = request && typeof request === "object" ? (request.id ?? null) : null;
  const version = deps.profile.version;
  try {
    if (!request || typeof request !== "object" || Array.isArray(request)) {
      throw new OdooError(
        "builtins.AttributeError",
        `'${Array.isArray(request) ? "list" : typeof request}' object has no attribute 'get'`,
        500,
      );
    }
    const params = request.params ?? {};
    const service = params.service;
    const method = params.method;
    const args = Array.isArray(params.args) ? params.args : [];
    if (service === "common") {
      if (method === "version") return success(res, id, versionInfo(deps.profile));
      if (method === "authenticate" || method === "login") {
        const started = Date.now();
        let uid: number | false = false;
        try {
          uid = authenticate(deps, args[0], args[1], args[2]);
        } finally {
          // Logins are RPCs too: they show in the call log as model "common".
          deps.log.add({
            transport: "jsonrpc",
            db: String(args[0]),
            uid,
            model: "common",
            method: String(method),
            records: 0,
            startedAt: started,
            durationMs: Date.now() - started,
            outcome: uid === false ? "denied" : "ok",
          });
        }
        return success(res, id, uid);
      }
      if (method === "about") return success(res, id, "See http://openerp.com");
      throw new OdooError("builtins.KeyError", `'${String(method)}'`, 500);
    }
    if (service === "db") {
      if (method === "list") return success(res, id, [...deps.databases.keys()]);
      if (method === "server_version") return success(res, id, deps.profile.serverVersion);
      throw new OdooError("builtins.KeyError", `'${String(method)}'`, 500);
    }
    if (service !== "object")
      throw new OdooError("builtins.Exception", `No such service: ${String(service)}`, 500);
    if (method !== "execute_kw" && method !== "execute")
      throw new OdooError("builtins.NameError", `Method not available ${String(method)}`, 500);
    const [db, uid, secret, model, name, ...rest] = args;
    const outcome = await deps.dispatcher.dispatch({
      transport: "jsonrpc",
      db: String(db),
      model: String(model),
      method: String(name),
      positional: method === "execute_kw" ? (rest[0] ?? []) : rest,
      kwargs: method === "execute_kw" ? (rest[1] ?? {}) : {},
      auth: { uid, secret },
    });
    if (outcome.kind === "fault") return renderEarlyFault(res, outcome.fault);
    if (applyLateFault(res, outcome.fault, deps.parked)) return;
    if (outcome.kind === "error") return sendJson(res, 200, jsonRpcError(id, outcome.error, version));
    return success(res, id, outcome.value);
  } catch (error) {
    const odoo = error instanceof OdooError ? error : new OdooError("builtins.Exception", String(error), 500);
    sendJson(res, 200, jsonRpcError(id, odoo, version));
  }
}
