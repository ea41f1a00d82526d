import type { IncomingMessage, ServerResponse } from "node:http";
import { applyLateFault, NOT_FOUND_HTML, renderEarlyFault, sendHtml, sendJson } from "./http-util.ts";
import type { TransportDeps } from "./jsonrpc-transport.ts";
import { OdooError, tracebackOf } from "./odoo-error.ts";

function errorBody(error: OdooError): Record<string, unknown> {
  return {
    name: error.odooName,
    message: error.message,
    arguments: [error.message],
    context: {},
    debug: tracebackOf(error),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * `POST /json/2/<model>/<method>` (Odoo 19): bearer API key, `X-Odoo-Database` when the server has several
 * databases, named arguments in the body, the raw result as the answer, real HTTP statuses on errors.
 */
export async function handleJson2(
  deps: TransportDeps,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  body: string,
): Promise<void> {
  const match = /^\/json\/2\/([^/]+)\/([^/]+)$/.exec(path);
  if (!deps.profile.json2 || !match) return sendHtml(res, 404, NOT_FOUND_HTML);
  const model = decodeURIComponent(match[1] as string);
  const method = decodeURIComponent(match[2] as string);
  const dbHeader = header(req, "x-odoo-database");
  const db = dbHeader ?? (deps.databases.size === 1 ? [...deps.databases.keys()][0] : undefined);
  if (!db || !deps.databases.has(db)) return sendHtml(res, 404, NOT_FOUND_HTML);
  const auth = /^bearer\s+(\S+)\s*$/i.exec(header(req, "authorization") ?? "");
  if (!auth) {
    const error = new OdooError(
      "werkzeug.exceptions.Unauthorized",
      "401 Unauthorized: Missing bearer API key",
      401,
    );
    return sendJson(res, 401, errorBody(error), { "WWW-Authenticate": 'Bearer realm="odoo"' });
  }
  const user = deps.databases
    .get(db)
    ?.db.prepare(`SELECT id FROM res_users WHERE sandbox_api_key = ? AND active = 1`)
    .get(auth[1]) as { id: number } | undefined;
  if (!user) return sendJson(res, 401, "Invalid apikey", { "WWW-Authenticate": 'Bearer realm="odoo"' });
  let named: unknown;
  try {
    named = body.trim() ? JSON.parse(body) : {};
  } catch {
    const error = new OdooError("werkzeug.exceptions.BadRequest", "400 Bad Request: Invalid JSON data", 400);
    return sendJson(res, 400, errorBody(error));
  }
  const outcome = await deps.dispatcher.dispatch({
    transport: "json2",
    db,
    model,
    method,
    named,
    auth: { trustedUid: user.id },
  });
  if (outcome.kind === "fault") return renderEarlyFault(res, outcome.fault);
  if (applyLateFault(res, outcome.fault, deps.parked)) return;
  if (outcome.kind === "error") return sendJson(res, outcome.error.status, errorBody(outcome.error));
  return sendJson(res, 200, outcome.value ?? null);
}
