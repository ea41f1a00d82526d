import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  applyLateFault,
  errorData,
  jsonRpcError,
  NOT_FOUND_HTML,
  renderEarlyFault,
  sendHtml,
  sendJson,
} from "./http-util.ts";
import { authenticate, parseJsonBody, type TransportDeps } from "./jsonrpc-transport.ts";
import { accessDenied, OdooError } from "./odoo-error.ts";

interface Session {
  db: string;
  uid: number | false;
}

/** Browser sessions (cookie `session_id`), in memory. */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  create(session: Session): string {
    const sid = randomBytes(20).toString("hex");
    this.sessions.set(sid, session);
    return sid;
  }

  get(req: IncomingMessage): Session | undefined {
    const match = /(?:^|;\s*)session_id=([0-9a-f]+)/.exec(req.headers.cookie ?? "");
    return match ? this.sessions.get(match[1] as string) : undefined;
  }
}

function cookie(sid: string): string {
  return `session_id=${sid}; Expires=${new Date(Date.now() + 604_800_000).toUTCString()}; Max-Age=604800; HttpOnly; Path=/`;
}

function sessionExpired(): Record<string, unknown> {
  const error = new OdooError("odoo.http.SessionExpiredException", "Session expired", 401, [
    `  File "/opt/odoo/odoo/addons/base/models/ir_http.py", line 141, in _auth_method_user\n    raise http.SessionExpiredException("Session expired")`,
  ]);
  return {
    jsonrpc: "2.0",
    id: null,
    error: { code: 100, message: "Odoo Session Expired", data: errorData(error) },
  };
}

function sessionInfo(deps: TransportDeps, db: string, uid: number): Record<string, unknown> {
  const target = deps.databases.get(db);
  const user = target?.db
    .prepare(
      `SELECT u.login, u.sandbox_group AS grp, p.name, p.complete_name, p.id AS partner FROM res_users u JOIN res_partner p ON p.id = u.partner_id WHERE u.id = ?`,
    )
    .get(uid) as
    | { login: string; grp: string; name: string; complete_name: string; partner: number }
    | undefined;
  const admin = user?.grp === "admin";
  return {
    uid,
    is_system: admin,
    is_admin: admin,
    is_internal_user: true,
    user_context: { lang: "en_US", tz: "Europe/Brussels", uid },
    db,
    server_version: deps.profile.serverVersion,
    server_version_info: [deps.profile.version, 0, 0, "final", 0, ""],
    support_url: "https://www.odoo.com/buy",
    name: user?.name ?? "",
    username: user?.login ?? "",
    partner_display_name: user?.complete_name ?? user?.name ?? "",
    partner_id: user?.partner ?? false,
    "web.base.url": "http://127.0.0.1:8069",
    active_ids_limit: 20000,
    max_file_upload_size: 134217728,
    home_action_id: false,
    currencies: { "1": { symbol: "$", position: "before", digits: [69, 2] } },
    user_companies: {
      current_company: 1,
      allowed_companies: {
        "1": { id: 1, name: "YourCompany", sequence: 0, child_ids: [], parent_id: false },
      },
      disallowed_ancestor_companies: {},
    },
    user_id: [uid],
  };
}

/**
 * The interactive session API, only as far as the recordings need: `/web/session/authenticate`
 * (passwords only: API keys are refused), `GET /web/login?db=` (a session bound to a db, no user), and
 * `/web/dataset/call_kw` (404 without session when several dbs exist, code 100 without a user).
 */
export async function handleSessionRoute(
  deps: TransportDeps,
  sessions: SessionStore,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: string,
): Promise<void> {
  const path = url.pathname;
  const version = deps.profile.version;
  if (path === "/web/login") {
    const db =
      url.searchParams.get("db") ?? (deps.databases.size === 1 ? [...deps.databases.keys()][0] : undefined);
    if (!db || !deps.databases.has(db)) return sendHtml(res, 404, NOT_FOUND_HTML);
    const sid = sessions.create({ db, uid: false });
    return sendHtml(res, 200, "<!DOCTYPE html><html><body><form>Login</form></body></html>", {
      "Set-Cookie": cookie(sid),
    });
  }
  if (path === "/web/session/authenticate") {
    const parsed = parseJsonBody(res, body);
    if (!parsed.ok) return;
    const request = parsed.value as {
      id?: unknown;
      params?: { db?: unknown; login?: unknown; password?: unknown };
    };
    const id = request?.id ?? null;
    try {
      const params = request?.params ?? {};
      const db = String(params.db);
      const uid = authenticate(deps, db, params.login, params.password);
      // Interactive logins take the password only: an API key is refused.
      const byPassword =
        uid !== false &&
        deps.databases
          .get(db)
          ?.db.prepare(`SELECT 1 FROM res_users WHERE id = ? AND password = ?`)
          .get(uid, params.password);
      if (uid === false || !byPassword) throw accessDenied();
      const sid = sessions.create({ db, uid });
      return sendJson(
        res,
        200,
        { jsonrpc: "2.0", id, result: sessionInfo(deps, db, uid) },
        { "Set-Cookie": cookie(sid) },
      );
    } catch (error) {
      const odoo =
        error instanceof OdooError ? error : new OdooError("builtins.Exception", String(error), 500);
      return sendJson(res, 200, jsonRpcError(id, odoo, version));
    }
  }
  if (path === "/web/dataset/call_kw" || path.startsWith("/web/dataset/call_kw/")) {
    const session = sessions.get(req);
    // With several databases and neither a session nor a valid ?db=, no db is selected: Werkzeug's 404.
    const dbParam = url.searchParams.get("db");
    if (!session && deps.databases.size > 1 && !(dbParam && deps.databases.has(dbParam))) {
      return sendHtml(res, 404, NOT_FOUND_HTML);
    }
    const parsed = parseJsonBody(res, body);
    if (!parsed.ok) return;
    if (!session || session.uid === false) return sendJson(res, 200, sessionExpired());
    const request = parsed.value as {
      id?: unknown;
      params?: { model?: unknown; method?: unknown; args?: unknown; kwargs?: unknown };
    };
    const params = request?.params ?? {};
    const outcome = await deps.dispatcher.dispatch({
      transport: "session",
      db: session.db,
      model: String(params.model),
      method: String(params.method),
      positional: params.args ?? [],
      kwargs: params.kwargs ?? {},
      auth: { trustedUid: session.uid },
    });
    const id = request?.id ?? null;
    if (outcome.kind === "fault") return renderEarlyFault(res, outcome.fault);
    if (applyLateFault(res, outcome.fault, deps.parked)) return;
    if (outcome.kind === "error") return sendJson(res, 200, jsonRpcError(id, outcome.error, version));
    // Same JSON-route envelope as /jsonrpc: a None result leaves the `result` key out.
    return sendJson(
      res,
      200,
      outcome.value === undefined ? { jsonrpc: "2.0", id } : { jsonrpc: "2.0", id, result: outcome.value },
    );
  }
  if (path === "/web/session/get_session_info") {
    const session = sessions.get(req);
    if (!session || session.uid === false) return sendJson(res, 200, sessionExpired());
    return sendJson(res, 200, {
      jsonrpc: "2.0",
      id: null,
      result: sessionInfo(deps, session.db, session.uid),
    });
  }
  return sendHtml(res, 404, NOT_FOUND_HTML);
}
