/**
 * Outbound webhooks wired for the composition root: one call gives the subscriptions service, the
 * dispatcher loop, the worker handler for every `webhook:<id>` target and the admin routes.
 *
 * @example
 * const webhooks = createWebhooksOut({ store, clock, ids, logger, urlPolicy: { allowPrivateNetworks: false } });
 * handlers[WEBHOOK_HANDLER_KEY] = webhooks.delivery.handler;          // before createWorker
 * const api = createApiPlugin({ ..., documented: [identities.adminRoutes, webhooks.adminRoutes(authenticator)] });
 * // start(): after worker.start()
 * await webhooks.dispatcher.start();
 * // stop(): after server.close(), before worker.stop()
 * await webhooks.dispatcher.stop();
 * // after worker.stop():
 * await webhooks.delivery.close();
 */
import type { FastifyInstance } from "fastify";
import type { Clock } from "../core/clock.ts";
import type { IdGenerator } from "../core/ids.ts";
import type { StructuredLogger } from "../delivery/structured-logger.ts";
import { registerWebhookRoutes } from "../gateway/admin/webhooks-routes.ts";
import type { Authenticator } from "../gateway/auth/identity.ts";
import type { Store } from "../store/store.ts";
import type { UrlPolicy } from "./endpoint-url.ts";
import { createWebhookDelivery, type WebhookDelivery } from "./webhook-delivery.ts";
import { createWebhookDispatcher, type WebhookDispatcher } from "./webhook-dispatcher.ts";
import { WEBHOOK_TARGET_PREFIX } from "./webhook-subscription.ts";
import { createWebhookSubscriptions, type WebhookSubscriptions } from "./webhook-subscriptions.ts";

/** The worker's handler key for every subscription's target (a prefix handler). */
export const WEBHOOK_HANDLER_KEY = `${WEBHOOK_TARGET_PREFIX}*`;

export interface WebhooksOutOptions {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  logger: StructuredLogger;
  urlPolicy: UrlPolicy;
  /** Per-attempt timeout, ms. Default 15,000. */
  timeoutMs?: number;
  /** Called when the dispatcher enqueued deliveries (pass `worker.wake`). */
  onEnqueued?: () => void;
}

export interface WebhooksOut {
  subscriptions: WebhookSubscriptions;
  dispatcher: WebhookDispatcher;
  delivery: WebhookDelivery;
  /** The admin routes, for the REST API plugin's `documented` list. */
  adminRoutes(authenticator: Authenticator): (app: FastifyInstance) => void;
}

export function createWebhooksOut(options: WebhooksOutOptions): WebhooksOut {
  const { store, clock, logger, urlPolicy } = options;
  const subscriptions = createWebhookSubscriptions({ store, clock, ids: options.ids, urlPolicy });
  return {
    subscriptions,
    dispatcher: createWebhookDispatcher({
      store,
      clock,
      subscriptions,
      logger,
      ...(options.onEnqueued ? { onEnqueued: options.onEnqueued } : {}),
    }),
    delivery: createWebhookDelivery({
      store,
      clock,
      subscriptions,
      urlPolicy,
      logger,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    }),
    adminRoutes: (authenticator) => (app) =>
      registerWebhookRoutes(app, { store, subscriptions, authenticator }),
  };
}
