/**
 * `POST /hooks/<connection>`: inbound webhooks into the durable inbox. A webhook is answered 202 only
 * after its message is committed; a duplicate (same sender id) is answered 200 with the first receipt
 * and stores nothing. Connections that only wake pollers (Odoo's base_automation hints) are answered
 * without storing anything.
 *
 * The order of checks is the contract: unknown connection 404, empty body 400, signature 401 (on the
 * raw bytes, before anything is stored; a provider's unsigned setup ping is answered 200 here), media
 * type 415, then the append. A body over the limit never reaches the route (413 from the parser). A
 * body that is not valid JSON is stored: webhooks are kept raw, and the decode step records a located
 * error that can be fixed and replayed.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { CrossdockError } from "../core/errors.ts";
import type { HubMetrics } from "../observability/metrics.ts";
import type { Store, TraceContext } from "../store/store.ts";
import { dedupeKeyFor } from "./signatures/dedupe-key.ts";
import type { WebhookVerifier } from "./signatures/webhook-verifier.ts";

/** How one inbound connection's webhooks are checked at the door. */
export interface HookEndpoint {
  /** The signature scheme; absent for an unsigned connection. */
  verifier?: WebhookVerifier;
  /**
   * Which declared media types are accepted; absent: any. A request without `Content-Type` is always
   * accepted, since some senders omit it, and decoding judges the bytes.
   */
  mediaTypes?: MediaTypeRule;
}

/** Accepted media types, checked on the lower-cased type without parameters. */
export interface MediaTypeRule {
  accepts(mediaType: string): boolean;
  /** For the refusal message, e.g. `application/json or a +json type`. */
  readonly expected: string;
}

/** `application/json` and structured-syntax JSON types such as `application/cloudevents+json`. */
export const JSON_MEDIA_TYPES: MediaTypeRule = Object.freeze({
  accepts: (mediaType: string) =>
    mediaType === "application/json" || /^[a-z0-9.+-]+\/[a-z0-9.+-]+\+json$/.test(mediaType),
  expected: "application/json or a +json type",
});

export interface HookRoutesOptions {
  store: Store;
  metrics: HubMetrics;
  /** Connections that accept inbound webhooks, by name; undefined means unsigned and any media type. */
  inboundConnections: ReadonlyMap<string, HookEndpoint | undefined>;
  wakeHints?: ReadonlyMap<string, WakeHintEndpoint>;
  onAppended?: () => void;
}

export interface WakeHintEndpoint {
  hint: {
    handle(
      body: Uint8Array | string,
    ): { ok: true; model: string; woken: number } | { ok: false; reason: string; message: string };
  };
  token: { reveal(): string } | undefined;
}

function tokenMatches(expected: string, given: unknown): boolean {
  if (typeof given !== "string") return false;
  const a = createHash("sha256").update(expected).digest();
  const b = createHash("sha256").update(given).digest();
  return timingSafeEqual(a, b);
}

/**
 * Headers never stored with a message: credentials are checked, not kept. Signature headers are kept,
 * as the evidence of what was verified; a signature is bound to its body and proves nothing else.
 */
const UNSTORED_HEADERS = new Set(["authorization", "cookie", "x-api-key", "proxy-authorization"]);

function storedHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined || UNSTORED_HEADERS.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

export function registerHookRoutes(app: FastifyInstance, options: HookRoutesOptions): void {
  const { store, metrics } = options;
  app.post<{ Params: { connection: string } }>("/hooks/:connection", async (request, reply) => {
    const { connection } = request.params;
    const wake = options.wakeHints?.get(connection);
    if (wake) {
      const token = (request.query as Record<string, unknown> | undefined)?.token;
      if (wake.token && !tokenMatches(wake.token.reveal(), token)) {
        throw new CrossdockError(
          "CDK_HTTP_SIGNATURE_INVALID",
          `wake-up hint for ${connection}: missing or wrong token`,
          {
            details: { connection },
          },
        );
      }
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const result = wake.hint.handle(body);
      if (!result.ok) {
        throw new CrossdockError("CDK_DECODE_FAILED", `wake-up hint for ${connection}: ${result.message}`, {
          details: { connection, reason: result.reason },
        });
      }
      reply.status(202);
      return { model: result.model, woken: result.woken };
    }
    if (!options.inboundConnections.has(connection)) {
      throw new CrossdockError("CDK_HTTP_NOT_FOUND", `no inbound connection named "${connection}"`, {
        details: { connection },
      });
    }
    const endpoint = options.inboundConnections.get(connection);
    const body = request.body;
    if (!Buffer.isBuffer(body) || body.length === 0) {
      throw new CrossdockError(
        "CDK_INBOX_INVALID_MESSAGE",
        "request body is empty (expected the webhook payload)",
      );
    }
    const headers = request.headers;
    let senderId: string | undefined;
    if (endpoint?.verifier) {
      const verification = endpoint.verifier.verify(body, headers);
      if (verification.outcome === "refused") {
        metrics.inboxAppends.inc({ connection, result: "rejected" });
        throw new CrossdockError(
          "CDK_HTTP_SIGNATURE_INVALID",
          `connection ${connection} (${endpoint.verifier.scheme}): ${verification.reason}`,
          { details: { connection, scheme: endpoint.verifier.scheme } },
        );
      }
      if (verification.outcome === "ping") {
        reply.status(200);
        return { ping: true };
      }
      senderId = verification.senderId;
    }
    const contentType = headers["content-type"];
    if (endpoint?.mediaTypes && contentType !== undefined) {
      const mediaType = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
      if (!endpoint.mediaTypes.accepts(mediaType)) {
        metrics.inboxAppends.inc({ connection, result: "rejected" });
        throw new CrossdockError(
          "CDK_HTTP_UNSUPPORTED_MEDIA_TYPE",
          `connection ${connection} does not accept ${JSON.stringify(mediaType.slice(0, 100))} (expected ${endpoint.mediaTypes.expected})`,
          { details: { connection } },
        );
      }
    }
    const dedupeKey = dedupeKeyFor(senderId, headers, body);
    const traceparent = headers.traceparent;
    const trace: TraceContext | undefined = typeof traceparent === "string" ? { traceparent } : undefined;
    try {
      const receipt = await store.inbox.append({
        source: "webhook",
        connection,
        dedupeKey,
        body,
        headers: storedHeaders(headers),
        ...(contentType ? { contentType } : {}),
        ...(trace ? { trace } : {}),
      });
      metrics.inboxAppends.inc({ connection, result: receipt.duplicate ? "duplicate" : "stored" });
      if (!receipt.duplicate) options.onAppended?.();
      reply.status(receipt.duplicate ? 200 : 202);
      return {
        id: receipt.id,
        duplicate: receipt.duplicate,
        receivedAt: new Date(receipt.receivedAt).toISOString(),
      };
    } catch (error) {
      metrics.inboxAppends.inc({ connection, result: "rejected" });
      throw error;
    }
  });
}
