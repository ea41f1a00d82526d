import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * HTTP plumbing shared by the partner simulators (storefront, 3PL, carrier): bounded body reading,
 * JSON that keeps integers above 2^53 exact both ways, and answers that never throw.
 */

/** Default body limit; the real services refuse far smaller bodies than this with a 413. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Raised by `readBody` past its limit; the simulators answer 413. */
export class BodyTooLarge extends Error {}

/** Reads the raw request body, refusing more than `limit` bytes (checked on `Content-Length` first). */
export async function readBody(req: IncomingMessage, limit = DEFAULT_MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLarge("body too large");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLarge("body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The outcome of parsing a JSON body: a value, or why it is not JSON. */
export type JsonParse = { ok: true; value: unknown } | { ok: false; reason: string };

// JSON.parse's reviver gets the source text of each primitive (Node 21+); TypeScript's lib lacks it.
type Reviver = (this: unknown, key: string, value: unknown, context: { source?: string }) => unknown;
const parseWithSource = JSON.parse as (text: string, reviver: Reviver) => unknown;
const rawJson = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

/**
 * Parses JSON; integers that a double cannot hold exactly (Shopify ids above 2^53) become `bigint`,
 * so an id a client sends back is the id it was given.
 */
export function parseJson(bytes: Buffer | string): JsonParse {
  const text = typeof bytes === "string" ? bytes : bytes.toString("utf8");
  try {
    const value = parseWithSource(text, (_key, value, context) =>
      typeof value === "number" && !Number.isSafeInteger(value) && /^-?\d+$/.test(context.source ?? "")
        ? BigInt(context.source as string)
        : value,
    );
    return { ok: true, value };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** JSON text in which `bigint` values are written as plain numbers, the way Shopify writes its ids. */
export function stringifyJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? rawJson(v.toString()) : v), indent);
}

/** True for a plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Sends a JSON answer unless one was already sent or the client went away. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const text = body === undefined ? "" : stringifyJson(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** Listens on `port` (0: any) and returns the base URL. */
export async function listen(server: Server, port = 0, host = "127.0.0.1"): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return `http://${shown}:${address.port}`;
}

/** Closes the server and every open connection. */
export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * Wraps an async route function so that a body over the limit answers 413 and any other failure a
 * 500 with `errorBody`: a simulator never crashes on a request.
 */
export function guarded(
  route: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  errorBody: (status: number) => unknown,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    route(req, res).catch((error: unknown) => {
      const status = error instanceof BodyTooLarge ? 413 : 500;
      sendJson(res, status, errorBody(status), status === 413 ? { Connection: "close" } : {});
      if (status === 413) req.resume();
    });
  };
}
