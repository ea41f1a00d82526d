import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { FaultInjector, FaultSpec } from "./fault-injector.ts";
import { BodyTooLarge, NOT_FOUND_HTML, readBody, send, sendHtml, sendJson } from "./http-util.ts";
import { handleJson2 } from "./json2-transport.ts";
import { handleJsonRpc, type TransportDeps } from "./jsonrpc-transport.ts";
import { handleSessionRoute, SessionStore } from "./session-transport.ts";
import { handleXmlRpc } from "./xmlrpc-transport.ts";

/** The transports' dependencies plus the fault injector the control routes feed. */
export interface HttpDeps extends TransportDeps {
  faults: FaultInjector;
}

/**
 * Odoo's HTTP surface: /jsonrpc, /json/2 (19), /web/version, the session API, /xmlrpc/2, and the
 * sandbox's own control routes under /__sandbox/. Every failure inside a handler becomes a clean HTTP
 * answer: the server never crashes on a request.
 */
export function createOdooHttpServer(deps: HttpDeps): Server {
  const sessions = new SessionStore();
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const path = url.pathname;
    if (req.method === "GET" && path === "/web/version") {
      return sendJson(res, 200, {
        version_info: [deps.profile.version, 0, 0, "final", 0, ""],
        version: deps.profile.serverVersion,
      });
    }
    if (req.method === "GET" && path === "/__sandbox/calls") return sendJson(res, 200, deps.log.all());
    if (req.method === "GET" && path === "/web/login")
      return handleSessionRoute(deps, sessions, req, res, url, "");
    if (req.method !== "POST") return sendHtml(res, 404, NOT_FOUND_HTML);
    const body = await readBody(req);
    if (path === "/jsonrpc") return handleJsonRpc(deps, res, body);
    if (path.startsWith("/json/2/")) return handleJson2(deps, req, res, path, body);
    if (path === "/xmlrpc/2/common" || path === "/xmlrpc/2/object" || path === "/xmlrpc/2/db") {
      return handleXmlRpc(deps, res, path.slice("/xmlrpc/2/".length), body);
    }
    if (path.startsWith("/web/")) return handleSessionRoute(deps, sessions, req, res, url, body);
    if (path === "/__sandbox/faults") {
      try {
        const spec = JSON.parse(body) as FaultSpec | FaultSpec[];
        for (const one of Array.isArray(spec) ? spec : [spec]) deps.faults.inject(one);
        return sendJson(res, 200, { pending: deps.faults.pending() });
      } catch (error) {
        return sendJson(res, 400, { error: error instanceof Error ? error.message : String(error) });
      }
    }
    if (path === "/__sandbox/faults/clear") {
      deps.faults.clear();
      return sendJson(res, 200, { pending: 0 });
    }
    if (path === "/__sandbox/reset-calls") {
      deps.log.reset();
      return sendJson(res, 200, { ok: true });
    }
    return sendHtml(res, 404, NOT_FOUND_HTML);
  };
  return createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (error instanceof BodyTooLarge) {
        send(res, 413, "text/html; charset=utf-8", "<h1>413 Request Entity Too Large</h1>");
        return;
      }
      send(res, 500, "text/html; charset=utf-8", "<h1>500 Internal Server Error</h1>");
    });
  });
}
