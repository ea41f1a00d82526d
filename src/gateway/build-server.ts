import { createHash, timingSafeEqual } from "node:crypto";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { CrossdockError } from "../core/errors.ts";
import type { Logger } from "../observability/logger.ts";
import type { HubMetrics } from "../observability/metrics.ts";
import type { Store, TraceContext } from "../store/store.ts";
import type { WebhookVerifier } from "./hmac-verifier.ts";
import { problemFor } from "./problem.ts";

export interface ServerOptions {
  store: Store;
  logger: Logger;
  metrics: HubMetrics;
  /** Connections that accept inbound webhooks, by name, with their signature check (if they have a secret). */
  inboundConnections: ReadonlyMap<string, WebhookVerifier | undefined>;
  /** Largest accepted body, bytes (the store's `maxMessageBytes`). */
  maxBodyBytes: number;
  /** Extra readiness condition besides the store answering (e.g. workers started). */
  isReady?: () => boolean;
  /** Called after each new inbox message is committed (wakes the workers). */
  onAppended?: () => void;
  /**
   * Connections whose webhooks are only wake-up hints (Odoo's base_automation): nothing is stored, the
   * connection's pollers are woken and read the truth. With a token, `?token=` must match it.
   */
  wakeHints?: ReadonlyMap<string, WakeHintEndpoint>;
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

/**
 * The HTTP edge of the core: inbound webhooks into the durable inbox, health, readiness and metrics.
 * A webhook is answered 202 only after its message is committed; a duplicate (same sender id) is
 * answered 200 with the first receipt and stores nothing. Bodies are kept as raw bytes (signatures are
 * verified on them by the gateway issue's verifiers).
 */
export function buildServer(options: ServerOptions): FastifyInstance {
  const { store, metrics } = options;
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    // Per-request log lines would cost more than the intake itself; outcomes are in metrics.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.maxBodyBytes,
    return503OnClosing: true,
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));

  app.setErrorHandler((error, request, reply) => {
    let mapped: unknown = error;
    const fst = error as { code?: string; statusCode?: number };
    if (fst.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      mapped = new CrossdockError(
        "CDK_HTTP_BODY_TOO_LARGE",
        `request body exceeds ${options.maxBodyBytes} bytes`,
        {
          details: { limit: options.maxBodyBytes },
        },
      );
    } else if (
      fst.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE" ||
      fst.code === "FST_ERR_CTP_INVALID_CONTENT_LENGTH"
    ) {
      mapped = new CrossdockError("CDK_HTTP_UNSUPPORTED_MEDIA_TYPE", (error as Error).message);
    }
    const { problem, retryAfterS } = problemFor(mapped, request.url);
    if (problem.status >= 500 && problem.code === "CDK_INTERNAL")
      request.log.error({ err: error }, "request failed");
    if (retryAfterS !== undefined) reply.header("retry-after", String(retryAfterS));
    reply.status(problem.status).type("application/problem+json").send(problem);
  });
  app.setNotFoundHandler((request, reply) => {
    const { problem } = problemFor(
      new CrossdockError("CDK_HTTP_NOT_FOUND", `no route ${request.method} ${request.url}`),
    );
    reply.status(404).type("application/problem+json").send(problem);
  });

  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_request, reply) => {
    const storeOk = await store.ping().catch(() => false);
    const ready = storeOk && (options.isReady?.() ?? true);
    reply.status(ready ? 200 : 503);
    return { status: ready ? "ready" : "not ready", store: storeOk ? "ok" : "unavailable" };
  });
  app.get("/metrics", async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });

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

  return app;
}
