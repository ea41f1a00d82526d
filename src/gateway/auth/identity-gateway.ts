/**
 * Everything the composition root needs for machine identities, wired together:
 *
 * ```ts
 * const identities = createIdentityGateway({ store, clock, ids, logger });
 * const api = createApiPlugin({ ..., authenticator: identities.authenticator, documented: [identities.adminRoutes] });
 * buildServer({ ..., plugins: [identities.auditPlugin, api] });
 * ```
 *
 * The audit plugin must come before the features whose calls it audits (its hooks apply to routes
 * registered after it). `adminRoutes` belongs in the REST API plugin's `documented` list (JSON bodies,
 * OpenAPI); `adminPlugin` is the same routes standing alone, for a server without the REST API.
 */
import type { FastifyInstance } from "fastify";
import type { Clock } from "../../core/clock.ts";
import type { IdGenerator } from "../../core/ids.ts";
import type { Logger } from "../../observability/logger.ts";
import { IdentityService } from "../../security/identities/identity-service.ts";
import type { Store } from "../../store/store.ts";
import { registerIdentityRoutes } from "../admin/identities-routes.ts";
import type { ServerPlugin } from "../build-server.ts";
import { acceptJsonOnly } from "../json-body.ts";
import { ApiKeyAuthenticator } from "./api-key-authenticator.ts";
import { createAuditPlugin } from "./audit-plugin.ts";
import { AuditQueue } from "./audit-queue.ts";

export interface IdentityGatewayOptions {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  /** How long another process's identity changes may take to apply here. Default 5,000 ms. */
  cacheTtlMs?: number;
  /** Audit entries waiting for the store before new ones are dropped. Default 10,000. */
  maxQueuedAuditEntries?: number;
  /** Requests per minute of new identities. Default 600. */
  defaultRateLimitPerMinute?: number;
  /** How long previous keys keep working after a rotation. Default 24 h. */
  rotationWindowMs?: number;
}

export interface IdentityGateway {
  readonly service: IdentityService;
  readonly authenticator: ApiKeyAuthenticator;
  readonly auditQueue: AuditQueue;
  readonly auditPlugin: ServerPlugin;
  readonly adminRoutes: (app: FastifyInstance) => void;
  readonly adminPlugin: ServerPlugin;
}

export function createIdentityGateway(options: IdentityGatewayOptions): IdentityGateway {
  let authenticator: ApiKeyAuthenticator | undefined;
  const service = new IdentityService({
    store: options.store,
    clock: options.clock,
    ids: options.ids,
    ...(options.defaultRateLimitPerMinute === undefined
      ? {}
      : { defaultRateLimitPerMinute: options.defaultRateLimitPerMinute }),
    ...(options.rotationWindowMs === undefined ? {} : { rotationWindowMs: options.rotationWindowMs }),
    onChange: (_identityId, keyIds) => authenticator?.invalidate(keyIds),
  });
  authenticator = new ApiKeyAuthenticator({
    clock: options.clock,
    loadKey: (keyId) => service.loadKey(keyId),
    ...(options.cacheTtlMs === undefined ? {} : { cacheTtlMs: options.cacheTtlMs }),
  });
  const auditQueue = new AuditQueue({
    store: options.store,
    logger: options.logger,
    ...(options.maxQueuedAuditEntries === undefined ? {} : { maxQueued: options.maxQueuedAuditEntries }),
  });
  const adminRoutes = (app: FastifyInstance) => registerIdentityRoutes(app, { service, authenticator });
  return {
    service,
    authenticator,
    auditQueue,
    auditPlugin: createAuditPlugin({ authenticator, queue: auditQueue }),
    adminRoutes,
    adminPlugin: (root) => {
      root.register(async (admin) => {
        acceptJsonOnly(admin);
        adminRoutes(admin);
      });
    },
  };
}
