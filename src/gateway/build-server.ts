import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { CrossdockError } from "../core/errors.ts";
import type { Logger } from "../observability/logger.ts";
import type { HubMetrics } from "../observability/metrics.ts";
import type { Store } from "../store/store.ts";
import type { WebhookVerifier } from "./hmac-verifier.ts";
import { registerHookRoutes, type WakeHintEndpoint } from "./hooks-routes.ts";
import { problemFor } from "./problem.ts";

/**
 * A feature of the gateway (REST API, admin API, authentication, audit): called with the root instance
 * before the webhook routes, so hooks it adds (authentication, audit) apply to every route it and later
 * plugins register. Each feature lives in its own module; `build-app.ts` decides which are on.
 */
export type ServerPlugin = (app: FastifyInstance) => void;

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
  /** Features registered on the root instance, in order. */
  plugins?: readonly ServerPlugin[];
}

/**
 * The HTTP edge: health, readiness, metrics, the features given as plugins, and inbound webhooks into
 * the durable inbox (`hooks-routes.ts`). Errors leave as RFC 9457 problem documents with the catalogue
 * code (`problem.ts`); this is the only place where codes become HTTP statuses.
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

  for (const plugin of options.plugins ?? []) plugin(app);
  registerHookRoutes(app, options);

  return app;
}
