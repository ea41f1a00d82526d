/**
 * `crossdock conformance` for recorded Odoo exchanges: a JSON recording (`{ request, response }` of a
 * JSON-RPC or JSON-2 call), an XML-RPC recording (the call and the answer, separated by the recorder's
 * `<!-- <<< HTTP ... -->` comment), or a raw HTTP message (`.http`). Each answer is read the way the
 * Odoo client reads it and classified into the error catalogue (an AccessError is `CDK_ODOO_ACCESS`, a
 * serialization failure `CDK_ODOO_CONFLICT`, a bare 401 `CDK_ODOO_ACCESS`), so a user can check that
 * Crossdock understands what their Odoo answers. A recording that cannot be read is a located error.
 */
import { parseMethodCall, parseMethodResponse } from "../../../sandbox/odoo/xmlrpc-codec.ts";
import type { ErrorCode } from "../../core/errors.ts";
import { decodeJsonDocument } from "../../mapping/decode-json.ts";
import type { ConformanceDecoder, ConformanceResult } from "../conformance.ts";
import { odooServerError, odooTransportError } from "./odoo-errors.ts";

const FORMAT = "odoo-rpc";
const site = { model: "recording", method: "call" };

function result(file: string, type: string): ConformanceResult {
  return { file, format: FORMAT, outcome: "parsed", documents: [{ type, count: 1 }], records: {} };
}

function error(file: string, code: ErrorCode, message: string, line = 1): ConformanceResult {
  return {
    file,
    format: FORMAT,
    outcome: "error",
    documents: [],
    records: {},
    error: { code, message: `${file}: ${message}`, location: { line } },
  };
}

/** The catalogue code Crossdock gives an Odoo answer, or `ok`. */
function classify(body: unknown, status: number): string {
  const error = (body as { error?: { data?: Record<string, unknown> } } | null)?.error;
  if (error && typeof error === "object") {
    return odooServerError(site, (error.data ?? {}) as { name?: string; message?: string }, status).code;
  }
  if (status >= 400)
    return odooTransportError(site, `HTTP ${status}`, { httpStatus: status, effect: "none" }).code;
  return "ok";
}

function decodeJsonRecording(file: string, text: string): ConformanceResult {
  const decoded = decodeJsonDocument(text, file);
  if (!decoded.ok) return error(file, "CDK_DECODE_FAILED", decoded.error.message);
  const { request, response } = decoded.document as {
    request?: { url?: string };
    response?: { status?: number; body?: unknown };
  };
  if (!request || !response || typeof response.status !== "number") {
    return error(file, "CDK_DECODE_FAILED", "expected a recording { request, response: { status, body } }");
  }
  const body =
    typeof response.body === "string"
      ? decodeJsonDocument(response.body, file)
      : { ok: true as const, document: response.body };
  const api = String(request.url ?? "").includes("/json/2/") ? "json-2" : "json-rpc";
  // An answer that is not JSON (Odoo's HTML 404, a plain-text 400) is classified by its HTTP status,
  // as the client does.
  if (!body.ok) {
    const code = odooTransportError(site, "not JSON", { httpStatus: response.status, effect: "none" }).code;
    return result(file, `${api} ${code} (answer not JSON)`);
  }
  return result(file, `${api} ${classify(body.document, response.status)}`);
}

function decodeXmlRecording(file: string, text: string): ConformanceResult {
  const split = /<!--\s*<<<\s*HTTP\s+(\d{3})[^>]*-->/.exec(text);
  if (!split)
    return error(
      file,
      "CDK_DECODE_FAILED",
      "expected the recorder's <!-- <<< HTTP <status> --> line between call and answer",
    );
  const answerLine = text.slice(0, split.index).split("\n").length;
  try {
    parseMethodCall(
      text
        .slice(0, split.index)
        .replace(/<!--[\s\S]*?-->/g, "")
        .trim(),
    );
  } catch (e) {
    return error(file, "CDK_ODOO_PROTOCOL", `the XML-RPC call does not parse: ${(e as Error).message}`);
  }
  try {
    const answer = parseMethodResponse(text.slice(split.index + split[0].length).trim());
    const fault = "fault" in answer ? (answer.fault as { faultString?: string }) : undefined;
    // XML-RPC carries Odoo's exception as text; its first line names it as JSON-RPC's `data.name` does.
    const name = fault
      ? /^(?:[\s\S]*\n)?([a-z_.]+(?:Error|Denied|Exception|Failure)):/m.exec(
          String(fault.faultString ?? ""),
        )?.[1]
      : undefined;
    const code = fault
      ? odooServerError(site, { name: name ?? "unknown", message: String(fault.faultString ?? "") }).code
      : "ok";
    return result(file, `xml-rpc ${code}`);
  } catch (e) {
    return error(
      file,
      "CDK_ODOO_PROTOCOL",
      `the XML-RPC answer does not parse: ${(e as Error).message}`,
      answerLine,
    );
  }
}

function decodeHttpMessage(file: string, text: string): ConformanceResult {
  const [head = "", ...rest] = text.split(/\r?\n\r?\n/);
  const [start = "", ...headers] = head.split(/\r?\n/);
  for (const [i, header] of headers.entries()) {
    if (!/^[A-Za-z0-9-]+:\s?.*$/.test(header))
      return error(
        file,
        "CDK_DECODE_FAILED",
        `header line "${header.slice(0, 60)}" is not "Name: value"`,
        i + 2,
      );
  }
  const body = rest.join("\n\n").trim();
  const parsed = body === "" ? { ok: true as const, document: null } : decodeJsonDocument(body, file);
  if (!parsed.ok) {
    // The body starts after the head and its blank line; the JSON error's line counts from there.
    const bodyStart = head.split(/\r?\n/).length + 2;
    const bodyLine = Number((parsed.error.details as { line?: number } | undefined)?.line ?? 1);
    return error(
      file,
      "CDK_ODOO_PROTOCOL",
      `the body (from line ${bodyStart}) is not JSON: ${parsed.error.message}`,
      bodyStart + bodyLine - 1,
    );
  }
  const status = /^HTTP\/[0-9.]+ (\d{3})/.exec(start);
  if (status) return result(file, `json-2 response ${classify(parsed.document, Number(status[1]))}`);
  const request = /^(GET|POST|PUT|PATCH|DELETE) (\S+) HTTP\/[0-9.]+$/.exec(start);
  if (request) return result(file, `json-2 request ${request[2]?.replace(/^\/json\/2\//, "") ?? ""}`);
  return error(
    file,
    "CDK_DECODE_FAILED",
    `line 1 "${start.slice(0, 60)}" is neither an HTTP request line nor a status line`,
  );
}

function text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
}

export const odooRecordingConformanceDecoder: ConformanceDecoder = {
  format: FORMAT,
  sniff(fileName, head) {
    const start = text(head).trimStart();
    if (fileName.endsWith(".http"))
      return /^(HTTP\/[0-9.]+ \d{3}|(GET|POST|PUT|PATCH|DELETE) \/)/.test(start);
    if (start.startsWith("<!--") && /xmlrpc/.test(start.slice(0, 400))) return true;
    return (
      start.startsWith("{") &&
      /"request"\s*:/.test(start) &&
      /jsonrpc|\/json\/2\/|\/web\/session\//.test(start)
    );
  },
  decode(fileName, bytes) {
    const body = text(bytes);
    const start = body.trimStart();
    if (start.startsWith("{")) return decodeJsonRecording(fileName, body);
    if (start.startsWith("<")) return decodeXmlRecording(fileName, body);
    return decodeHttpMessage(fileName, body);
  },
};
