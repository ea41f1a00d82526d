/**
 * The canonical REST API v1 as a gateway feature: JSON bodies (parsed with located errors, the raw
 * bytes kept for the inbox), the OpenAPI 3.1 document generated from the same TypeBox schemas that
 * validate requests (`GET /api/v1/openapi.json`), and the order, stock and shipment routes.
 *
 * Everything is registered in one encapsulated context: the JSON parser and the OpenAPI generator apply
 * to the API only, never to `/hooks` (whose bodies stay raw bytes for signature checks). Admin routes of
 * other features that want to be documented register through `documented`.
 */
import swagger from "@fastify/swagger";
import type { FastifyInstance } from "fastify";
import type { Clock } from "../../core/clock.ts";
import type { Store } from "../../store/store.ts";
import type { Authenticator } from "../auth/identity.ts";
import type { ServerPlugin } from "../build-server.ts";
import { acceptJsonOnly } from "../json-body.ts";
import { registerDocumentRoutes } from "./document-routes.ts";
import { createIdempotency } from "./idempotency.ts";
import { registerOrderRoutes } from "./order-routes.ts";
import { registerStockRoutes } from "./stock-routes.ts";

export interface ApiPluginOptions {
  store: Store;
  clock: Clock;
  authenticator: Authenticator;
  /** More route groups documented in the same OpenAPI document (e.g. the admin API). */
  documented?: readonly ((app: FastifyInstance) => void)[];
  onAppended?: () => void;
  version: string;
}

export function createApiPlugin(options: ApiPluginOptions): ServerPlugin {
  const idempotency = createIdempotency({ store: options.store, clock: options.clock });
  return (root) => {
    root.register(async (api) => {
      acceptJsonOnly(api);
      await api.register(swagger, {
        openapi: {
          openapi: "3.1.0",
          info: {
            title: "Crossdock API",
            version: options.version,
            description:
              "The canonical REST API of the Crossdock integration hub. Every POST needs an Idempotency-Key; errors are RFC 9457 problem documents with a stable `code` (see docs/errors.md).",
          },
          components: {
            securitySchemes: {
              bearer: { type: "http", scheme: "bearer", description: "an API key: cdk_<keyId>_<secret>" },
            },
          },
          security: [{ bearer: [] }],
        },
      });
      await api.register(async (routes) => {
        registerOrderRoutes(routes, { ...options, idempotency });
        registerDocumentRoutes(routes, { ...options, idempotency });
        registerStockRoutes(routes, options);
        for (const group of options.documented ?? []) group(routes);
      });
      api.get("/api/v1/openapi.json", { schema: { hide: true } }, async () => api.swagger());
    });
  };
}
