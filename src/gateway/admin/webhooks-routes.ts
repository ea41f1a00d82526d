/**
 * The admin API for outbound webhooks, `/api/v1/admin/webhooks` (scope `admin:webhooks`): create (the
 * signing secret is in the answer once), list, show (with endpoint health, never a secret), update,
 * delete, rotate the secret (the new one is in the answer once), enable, disable, the delivery log,
 * and replay of one delivery or many (all failed ones, or everything since a time).
 *
 * TypeBox schemas on every route validate strictly (the server's Ajv does not coerce or drop fields)
 * and document the routes in the REST API's OpenAPI document. Shapes are checked by the schemas; what
 * schemas cannot say (URL policy, pattern grammar, duplicates) is checked by the subscriptions service
 * and refused with the same `CDK_API_INVALID_REQUEST` problem. Authentication runs in `onRequest`, so an
 * anonymous caller learns nothing about the body's schema. Times are ISO 8601 strings.
 */
import type { FastifyInstance } from "fastify";
import Type from "typebox";
import { CrossdockError } from "../../core/errors.ts";
import type { Store } from "../../store/store.ts";
import { healthFromJson, WEBHOOK_HEALTH_KIND } from "../../webhooks-out/endpoint-health.ts";
import {
  type DeliveryView,
  listDeliveries,
  replayDeliveries,
  replayDelivery,
} from "../../webhooks-out/webhook-deliveries.ts";
import type { WebhookSubscription } from "../../webhooks-out/webhook-subscription.ts";
import type { WebhookSubscriptions } from "../../webhooks-out/webhook-subscriptions.ts";
import { Page } from "../api/api-schemas.ts";
import { decodeCursor, encodeCursor, pageLimit } from "../api/cursor.ts";
import { type Authenticator, requireScope, SCOPES } from "../auth/identity.ts";
import type { ServerPlugin } from "../build-server.ts";
import { acceptJsonOnly } from "../json-body.ts";
import {
  BulkReplayBody,
  CreateBody,
  DeliveriesQuery,
  DeliveryOut,
  DeliveryParams,
  deliveryOut,
  errors,
  iso,
  ListQuery,
  ReplayManyOut,
  ReplayOneOut,
  RotateBody,
  SubscriptionOut,
  SubscriptionParams,
  subscriptionOut,
  UpdateBody,
  WithSecretOut,
} from "./webhooks-schemas.ts";

export interface WebhookRoutesOptions {
  store: Store;
  subscriptions: WebhookSubscriptions;
  authenticator: Authenticator;
}

const BASE = "/api/v1/admin/webhooks";

/**
 * Registers the routes on `app`, which must parse JSON bodies: pass it to the REST API plugin's
 * `documented` list (so the routes are in its OpenAPI document), or use `createWebhooksAdminPlugin`.
 */
export function registerWebhookRoutes(app: FastifyInstance, options: WebhookRoutesOptions): void {
  const { store, subscriptions } = options;
  const onRequest = requireScope(options.authenticator, SCOPES.adminWebhooks);
  const tags = ["admin: webhooks"];
  const actor = (request: { identity?: { id: string } }) => request.identity?.id ?? "anonymous";
  const withHealth = async (subscription: WebhookSubscription) =>
    subscriptionOut(
      subscription,
      healthFromJson((await store.records.get(WEBHOOK_HEALTH_KIND, subscription.id))?.data),
    );

  app.post<{ Body: Type.Static<typeof CreateBody> }>(
    BASE,
    {
      onRequest,
      schema: {
        summary: "Subscribe an endpoint to events",
        tags,
        body: CreateBody,
        response: { 201: WithSecretOut, ...errors },
      },
    },
    async (request, reply) => {
      const created = await subscriptions.create(request.body);
      reply.status(201).header("cache-control", "no-store");
      return { subscription: subscriptionOut(created.subscription), secret: created.secret };
    },
  );

  app.get<{ Querystring: Type.Static<typeof ListQuery> }>(
    BASE,
    {
      onRequest,
      schema: {
        summary: "List subscriptions",
        tags,
        querystring: ListQuery,
        response: { 200: Page(SubscriptionOut), ...errors },
      },
    },
    async (request) => {
      const after = decodeCursor(request.query.cursor);
      const page = await subscriptions.list({
        limit: pageLimit(request.query.limit),
        ...(after === undefined ? {} : { afterId: after }),
        ...(request.query.partner === undefined ? {} : { partner: request.query.partner }),
      });
      return {
        items: page.items.map((s) => subscriptionOut(s)),
        ...(page.nextAfterId ? { nextCursor: encodeCursor(page.nextAfterId) } : {}),
      };
    },
  );

  app.get<{ Params: Type.Static<typeof SubscriptionParams> }>(
    `${BASE}/:id`,
    {
      onRequest,
      schema: {
        summary: "Show a subscription and its endpoint health",
        tags,
        params: SubscriptionParams,
        response: { 200: SubscriptionOut, ...errors },
      },
    },
    async (request) => withHealth(await subscriptions.get(request.params.id)),
  );

  app.patch<{ Params: Type.Static<typeof SubscriptionParams>; Body: Type.Static<typeof UpdateBody> }>(
    `${BASE}/:id`,
    {
      onRequest,
      schema: {
        summary: "Change name, URL, events, filter (null removes it) or disableAfterMs",
        tags,
        params: SubscriptionParams,
        body: UpdateBody,
        response: { 200: SubscriptionOut, ...errors },
      },
    },
    async (request) => subscriptionOut(await subscriptions.update(request.params.id, request.body)),
  );

  app.delete<{ Params: Type.Static<typeof SubscriptionParams> }>(
    `${BASE}/:id`,
    {
      onRequest,
      schema: {
        summary: "Delete a subscription (queued deliveries are skipped)",
        tags,
        params: SubscriptionParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await subscriptions.remove(request.params.id);
      reply.status(204);
      return null;
    },
  );

  app.post<{
    Params: Type.Static<typeof SubscriptionParams>;
    Body: Type.Static<typeof RotateBody> | undefined;
  }>(
    `${BASE}/:id/secrets`,
    {
      onRequest,
      schema: {
        summary: "Rotate the signing secret; the previous one keeps signing until the window ends",
        tags,
        params: SubscriptionParams,
        body: RotateBody,
        response: { 201: WithSecretOut, ...errors },
      },
    },
    async (request, reply) => {
      const windowSeconds = request.body?.windowSeconds;
      const rotated = await subscriptions.rotateSecret(
        request.params.id,
        windowSeconds === undefined ? {} : { windowMs: windowSeconds * 1_000 },
      );
      const previous = rotated.subscription.secrets[1]?.expiresAt;
      reply.status(201).header("cache-control", "no-store");
      return {
        subscription: subscriptionOut(rotated.subscription),
        secret: rotated.secret,
        ...(previous === undefined ? {} : { previousSecretValidUntil: iso(previous) }),
      };
    },
  );

  for (const action of ["enable", "disable"] as const) {
    app.post<{ Params: Type.Static<typeof SubscriptionParams> }>(
      `${BASE}/:id/${action}`,
      {
        onRequest,
        schema: {
          summary:
            action === "enable"
              ? "Enable: held deliveries go out, the failing streak is forgotten"
              : "Disable: new deliveries are held until it is enabled",
          tags,
          params: SubscriptionParams,
          response: { 200: SubscriptionOut, ...errors },
        },
      },
      async (request) =>
        subscriptionOut(
          action === "enable"
            ? await subscriptions.enable(request.params.id)
            : await subscriptions.disable(request.params.id, "manual"),
        ),
    );
  }

  app.get<{
    Params: Type.Static<typeof SubscriptionParams>;
    Querystring: Type.Static<typeof DeliveriesQuery>;
  }>(
    `${BASE}/:id/deliveries`,
    {
      onRequest,
      schema: {
        summary: "The delivery log: each delivery with its attempts",
        tags,
        params: SubscriptionParams,
        querystring: DeliveriesQuery,
        response: { 200: Page(DeliveryOut), ...errors },
      },
    },
    async (request) => {
      await subscriptions.get(request.params.id);
      const after = decodeCursor(request.query.cursor);
      const page = await listDeliveries(store, request.params.id, {
        limit: pageLimit(request.query.limit),
        ...(after === undefined ? {} : { afterId: after }),
        ...(request.query.status === undefined
          ? {}
          : { status: request.query.status as DeliveryView["status"] }),
      });
      return {
        items: page.items.map(deliveryOut),
        ...(page.nextAfterId ? { nextCursor: encodeCursor(page.nextAfterId) } : {}),
      };
    },
  );

  app.post<{ Params: Type.Static<typeof DeliveryParams> }>(
    `${BASE}/:id/deliveries/:jobId/replay`,
    {
      onRequest,
      schema: {
        summary: "Send one delivery again (same webhook-id and Idempotency-Key)",
        tags,
        params: DeliveryParams,
        response: { 200: ReplayOneOut, ...errors },
      },
    },
    async (request) => {
      await subscriptions.get(request.params.id);
      const outcome = await replayDelivery(store, request.params.id, request.params.jobId, actor(request));
      return { jobId: request.params.jobId, outcome };
    },
  );

  app.post<{ Params: Type.Static<typeof SubscriptionParams>; Body: Type.Static<typeof BulkReplayBody> }>(
    `${BASE}/:id/replay`,
    {
      onRequest,
      schema: {
        summary: "Send many deliveries again: every failed one, or every one since a time",
        tags,
        params: SubscriptionParams,
        body: BulkReplayBody,
        response: { 200: ReplayManyOut, ...errors },
      },
    },
    async (request) => {
      await subscriptions.get(request.params.id);
      const { since, failedOnly, max } = request.body;
      const sinceMs = since === undefined ? undefined : Date.parse(since);
      if (Number.isNaN(sinceMs)) {
        throw new CrossdockError("CDK_API_INVALID_REQUEST", "invalid body: since is not a time", {
          details: { errors: [{ path: "body/since", message: "must be an ISO 8601 date-time" }] },
        });
      }
      return replayDeliveries(store, request.params.id, {
        by: actor(request),
        ...(sinceMs === undefined ? {} : { since: sinceMs }),
        ...(failedOnly === undefined ? {} : { failedOnly }),
        ...(max === undefined ? {} : { max }),
      });
    },
  );
}

/**
 * The same routes as a standalone gateway feature, with their own JSON body parser, for a server
 * without the REST API plugin. With the REST API on, prefer its `documented` list instead.
 */
export function createWebhooksAdminPlugin(options: WebhookRoutesOptions): ServerPlugin {
  return (root) => {
    root.register(async (admin) => {
      acceptJsonOnly(admin);
      registerWebhookRoutes(admin, options);
    });
  };
}
