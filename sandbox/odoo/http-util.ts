import type { IncomingMessage, ServerResponse } from "node:http";
import type { FaultSpec } from "./fault-injector.ts";
import { type OdooError, tracebackOf } from "./odoo-error.ts";

/** Bodies above this answer 413 (Odoo sits behind a proxy with a similar limit). */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** Raised by `readBody` past the limit; the server answers 413. */
export class BodyTooLarge extends Error {}

/** Reads a request body as UTF-8, refusing more than `limit` bytes. */
export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLarge("body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Every answer closes the connection, like Odoo behind its usual setup (recordings: `Connection: close`). */
export function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    "Content-Type": contentType,
    "Content-Length": String(Buffer.byteLength(body)),
    Connection: "close",
    ...headers,
  });
  res.end(body);
}

/** A JSON answer (Odoo's `application/json; charset=utf-8`). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  send(res, status, "application/json; charset=utf-8", JSON.stringify(body), headers);
}

/** An HTML answer (Werkzeug pages, proxy error pages). */
export function sendHtml(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  send(res, status, "text/html; charset=utf-8", body, headers);
}

/** Werkzeug's 404 page (recording 20). */
export const NOT_FOUND_HTML =
  "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n";

const PROXY_PAGES: Record<string, [number, string]> = {
  http502: [502, "Bad Gateway"],
  http503: [503, "Service Unavailable"],
  http429: [429, "Too Many Requests"],
  html500: [500, "Internal Server Error"],
};

/** Answers a fault that happens before any work (proxy pages, connection reset). */
export function renderEarlyFault(res: ServerResponse, fault: FaultSpec): void {
  if (fault.kind === "reset-before") {
    res.socket?.destroy();
    return;
  }
  const [status, title] = PROXY_PAGES[fault.kind] ?? [500, "Internal Server Error"];
  const headers: Record<string, string> = {};
  if (fault.retryAfterS !== undefined) headers["Retry-After"] = String(fault.retryAfterS);
  sendHtml(
    res,
    status,
    `<html>\r\n<head><title>${status} ${title}</title></head>\r\n<body>\r\n<center><h1>${status} ${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
    headers,
  );
}

/**
 * Applies a fault that strikes after the work was committed: the answer is lost (socket reset) or never
 * sent (`hang-after`: the response is parked until the sandbox closes). Returns true when it handled `res`.
 */
export function applyLateFault(
  res: ServerResponse,
  fault: FaultSpec | undefined,
  parked: Set<ServerResponse>,
): boolean {
  if (!fault) return false;
  if (fault.kind === "reset-after") {
    res.socket?.destroy();
    return true;
  }
  if (fault.kind === "hang-after") {
    parked.add(res);
    res.on("close", () => parked.delete(res));
    return true;
  }
  return false;
}

/** `error.data` of a JSON-RPC error. */
export function errorData(error: OdooError): Record<string, unknown> {
  return {
    name: error.odooName,
    debug: tracebackOf(error),
    message: error.message,
    arguments: [error.message],
    context: {},
  };
}

/** A JSON-RPC error envelope (`code` 200 in 16/17, 0 from 18 on). */
export function jsonRpcError(id: unknown, error: OdooError, version: number): Record<string, unknown> {
  return {
    jsonrpc: "2.0",
    id: id ?? null,
    error: { code: version >= 18 ? 0 : 200, message: "Odoo Server Error", data: errorData(error) },
  };
}
