/**
 * `POST /hooks/<connection>`: inbound webhooks into the durable inbox. A webhook is answered 202 only
 * after its message is committed; a duplicate (same sender id) is answered 200 with the first receipt
 * and stores nothing. The signature is checked on the raw bytes before anything is stored. Connections
 * that only wake pollers (Odoo's base_automation hints) are answered without storing anything.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { CrossdockError } from "../core/errors.ts";
import type { HubMetrics } from "../observability/metrics.ts";
import type { Store, TraceContext } from "../store/store.ts";
import type { WebhookVerifier } from "./hmac-verifier.ts";

export interface HookRoutesOptions {
  store: Store;
  metrics: HubMetrics;
  inboundConnections: ReadonlyMap<string, WebhookVerifier | undefined>;
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

/** Headers that name a sender's own message id, in order of preference. */
const DEDUPE_HEADERS = [
  "idempotency-key",
  "webhook-id",
  "x-shopify-webhook-id",
  "x-wc-webhook-delivery-id",
  "x-request-id",
];
/** Headers never stored with a message: credentials and signatures are checked, not kept. */
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
    const body = request.body;
    if (!Buffer.isBuffer(body) || body.length === 0) {
      throw new CrossdockError(
        "CDK_INBOX_INVALID_MESSAGE",
        "request body is empty (expected the webhook payload)",
      );
    }
    const headers = request.headers;
    options.inboundConnections.get(connection)?.(body, headers);
    const senderId = DEDUPE_HEADERS.map((h) => headers[h]).find((v) => typeof v === "string" && v !== "");
    const dedupeKey =
      (senderId as string | undefined) ?? `sha256:${createHash("sha256").update(body).digest("hex")}`;
    const traceparent = headers.traceparent;
    const trace: TraceContext | undefined = typeof traceparent === "string" ? { traceparent } : undefined;
    try {
      const receipt = await store.inbox.append({
        source: "webhook",
        connection,
        dedupeKey,
        body,
        headers: storedHeaders(headers),
        ...(headers["content-type"] ? { contentType: headers["content-type"] } : {}),
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
