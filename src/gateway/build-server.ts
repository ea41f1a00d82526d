import underPressure from "@fastify/under-pressure";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { CrossdockError } from "../core/errors.ts";
import type { Logger } from "../observability/logger.ts";
import type { HubMetrics } from "../observability/metrics.ts";
import type { Store } from "../store/store.ts";
import { type HookEndpoint, registerHookRoutes, type WakeHintEndpoint } from "./hooks-routes.ts";
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
  /**
   * Connections that accept inbound webhooks, by name, with their signature check and accepted media
   * types (`hooks-routes.ts`); undefined: unsigned, any media type.
   */
  inboundConnections: ReadonlyMap<string, HookEndpoint | undefined>;
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
  /**
   * Load shedding before a request's body is read: past this event-loop delay (ms) requests are
   * answered 503 with `Retry-After` (health and metrics still answer). Default 1,000; 0 turns it off.
   * The store's own bound (`store.maxPendingAppends`) is the second line.
   */
  maxEventLoopDelayMs?: number;
  /** How often the event-loop delay is sampled, ms. Default 1,000 (under-pressure's). */
  loadSampleIntervalMs?: number;
}

/**
 * The HTTP edge: health, readiness, metrics, the features given as plugins, and inbound webhooks into
 * the durable inbox (`hooks-routes.ts`). Errors leave as RFC 9457 problem documents with the catalogue
 * code (`problem.ts`); this is the only place where codes become HTTP statuses.
 */
export function buildServer(options: ServerOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    // Per-request log lines would cost more than the intake itself; outcomes are in metrics.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.maxBodyBytes,
    return503OnClosing: true,
    // Strict validation: no type coercion, no silent removal of unknown fields, every problem reported.
    ajv: {
      customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: true },
    },
    schemaErrorFormatter: (errors, dataVar) =>
      new CrossdockError(
        "CDK_API_INVALID_REQUEST",
        `invalid ${dataVar}: ${errors.map((e) => `${dataVar}${e.instancePath} ${e.message}`).join("; ")}`,
        {
          details: {
            errors: errors.slice(0, 50).map((e) => ({
              path: `${dataVar}${e.instancePath}`,
              message: e.message ?? "invalid",
              ...(e.keyword === "additionalProperties"
                ? { field: (e.params as { additionalProperty?: string }).additionalProperty }
                : {}),
            })),
          },
        },
      ),
  });
  const maxDelay = options.maxEventLoopDelayMs ?? 1_000;
  if (maxDelay > 0) {
    app.register(underPressure, {
      maxEventLoopDelay: maxDelay,
      ...(options.loadSampleIntervalMs === undefined ? {} : { sampleInterval: options.loadSampleIntervalMs }),
      pressureHandler: (request, reply, type, value) => {
        if (request.url === "/healthz" || request.url === "/metrics") return;
        const { problem } = problemFor(
          new CrossdockError(
            "CDK_INBOX_OVERLOADED",
            `the hub is overloaded (${type} ${Math.round(Number(value))}); retry later`,
            {
              retryAfterMs: 1_000,
            },
          ),
          request.url,
        );
        reply.header("retry-after", "1").status(503).type("application/problem+json").send(problem);
      },
    });
  }

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

  // Everything else is registered in one child context, after load shedding, so that the features'
  // hooks (authentication, audit) and the OpenAPI generator see every route registered after them.
  app.register(async (root) => registerRoutes(root, options));
  return app;
}

function registerRoutes(app: FastifyInstance, options: ServerOptions): void {
  const { store, metrics } = options;
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
}
