/**
 * The TypeBox schemas of the outbound webhooks admin API (`webhooks-routes.ts`) and the mapping of
 * stored subscriptions and deliveries to their answers (times as ISO 8601, never a secret). The same
 * objects validate requests and document the routes in the OpenAPI document.
 */
import Type from "typebox";
import type { healthFromJson } from "../../webhooks-out/endpoint-health.ts";
import type { DeliveryView } from "../../webhooks-out/webhook-deliveries.ts";
import { publicView, type WebhookSubscription } from "../../webhooks-out/webhook-subscription.ts";
import { PageQuery, ProblemDocument } from "../api/api-schemas.ts";

export const Time = Type.String({ format: "date-time" });
export const Name = Type.String({ minLength: 1, maxLength: 200 });
export const Url = Type.String({
  minLength: 1,
  maxLength: 2_048,
  description: "http(s) endpoint; private addresses only if the deployment allows them",
});
export const Events = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
  minItems: 1,
  maxItems: 50,
  description: 'event types ("order.confirmed"), families ("shipment.*") or "*"',
});
export const Condition = Type.Union([
  Type.String({ maxLength: 1_000 }),
  Type.Number(),
  Type.Boolean(),
  Type.Null(),
  Type.Object({ prefix: Type.String({ maxLength: 1_000 }) }, { additionalProperties: false }),
]);
export const Filter = Type.Record(Type.String({ maxLength: 200 }), Condition, {
  maxProperties: 20,
  description: 'all must hold: { "data.channel": "b2b", "stream": { "prefix": "order:" } }',
});
export const DisableAfterMs = Type.Integer({
  minimum: 60_000,
  maximum: 90 * 86_400_000,
  description: "default 5 days",
});
export const Secret = Type.String({ pattern: "^whsec_[A-Za-z0-9+/]+={0,2}$", maxLength: 100 });

export const SubscriptionParams = Type.Object(
  { id: Type.String({ pattern: "^whs_[0-9a-z]{1,40}$" }) },
  { additionalProperties: false },
);
export const DeliveryParams = Type.Object(
  {
    id: Type.String({ pattern: "^whs_[0-9a-z]{1,40}$" }),
    jobId: Type.String({ pattern: "^[A-Za-z0-9_-]{1,100}$" }),
  },
  { additionalProperties: false },
);

export const CreateBody = Type.Object(
  {
    name: Name,
    partner: Type.Optional(Name),
    url: Url,
    events: Events,
    filter: Type.Optional(Filter),
    disableAfterMs: Type.Optional(DisableAfterMs),
    secret: Type.Optional(Secret),
  },
  { additionalProperties: false },
);
export const UpdateBody = Type.Object(
  {
    name: Type.Optional(Name),
    partner: Type.Optional(Name),
    url: Type.Optional(Url),
    events: Type.Optional(Events),
    filter: Type.Optional(Type.Union([Filter, Type.Null()])),
    disableAfterMs: Type.Optional(DisableAfterMs),
  },
  { additionalProperties: false, minProperties: 1 },
);
export const RotateBody = Type.Object(
  {
    windowSeconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 30 * 86_400,
        description: "how long the previous secret keeps signing; default 86400",
      }),
    ),
  },
  { additionalProperties: false },
);
export const ListQuery = Type.Object(
  { ...PageQuery.properties, partner: Type.Optional(Name) },
  { additionalProperties: false },
);
export const JobStatusName = Type.Union(
  ["waiting", "ready", "running", "done", "exception", "discarded"].map((s) => Type.Literal(s)),
);
export const DeliveriesQuery = Type.Object(
  { ...PageQuery.properties, status: Type.Optional(JobStatusName) },
  { additionalProperties: false },
);
export const BulkReplayBody = Type.Object(
  {
    since: Type.Optional(Time),
    failedOnly: Type.Optional(Type.Boolean()),
    max: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const HealthOut = Type.Object({
  failingSince: Type.Union([Time, Type.Null()]),
  consecutiveFailures: Type.Integer(),
  lastFailureAt: Type.Union([Time, Type.Null()]),
  lastSuccessAt: Type.Union([Time, Type.Null()]),
});
export const SubscriptionOut = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    partner: Type.Optional(Type.String()),
    url: Type.String(),
    events: Type.Array(Type.String()),
    filter: Type.Optional(Filter),
    secrets: Type.Array(Type.Object({ createdAt: Time, expiresAt: Type.Optional(Time) }), {
      description: "ages only, never the secrets",
    }),
    enabled: Type.Boolean(),
    disabledReason: Type.Optional(
      Type.Union([Type.Literal("manual"), Type.Literal("endpoint-failing"), Type.Literal("gone")]),
    ),
    disabledAt: Type.Optional(Time),
    disableAfterMs: Type.Integer(),
    createdAt: Time,
    updatedAt: Time,
    health: Type.Optional(HealthOut),
  },
  { $id: "WebhookSubscription" },
);
export const WithSecretOut = Type.Object({
  subscription: SubscriptionOut,
  secret: Type.String({
    description: "the whsec_ signing secret: shown this once, give it to the partner now",
  }),
  previousSecretValidUntil: Type.Optional(Time),
});
export const AttemptOut = Type.Object({
  attempt: Type.Integer(),
  at: Time,
  outcome: Type.Union([Type.Literal("delivered"), Type.Literal("failed")]),
  status: Type.Optional(Type.Integer()),
  durationMs: Type.Optional(Type.Integer()),
  code: Type.Optional(Type.String()),
  error: Type.Optional(Type.String()),
});
export const DeliveryOut = Type.Object(
  {
    jobId: Type.String(),
    deliveryId: Type.String({ description: "the webhook-id header" }),
    eventId: Type.String(),
    eventType: Type.String(),
    stream: Type.String(),
    status: JobStatusName,
    attempts: Type.Integer(),
    nextAttemptAt: Type.Optional(Time),
    createdAt: Time,
    finishedAt: Type.Optional(Time),
    attemptLog: Type.Array(AttemptOut),
  },
  { $id: "WebhookDelivery" },
);
export const ReplayOneOut = Type.Object({
  jobId: Type.String(),
  outcome: Type.Union([Type.Literal("replayed"), Type.Literal("retried"), Type.Literal("pending")], {
    description:
      "replayed: a done delivery queued again; retried: a failed one; pending: still queued, nothing done",
  }),
});
export const ReplayManyOut = Type.Object({
  scanned: Type.Integer(),
  replayed: Type.Integer(),
  retried: Type.Integer(),
  skipped: Type.Integer(),
  truncated: Type.Boolean(),
});

export const errors = {
  400: ProblemDocument,
  401: ProblemDocument,
  403: ProblemDocument,
  404: ProblemDocument,
  429: ProblemDocument,
};
export const iso = (ms: number) => new Date(ms).toISOString();
export const isoOrNull = (ms: number | undefined) => (ms === undefined ? null : iso(ms));

export function subscriptionOut(
  subscription: WebhookSubscription,
  health?: ReturnType<typeof healthFromJson>,
) {
  const view = publicView(subscription);
  return {
    ...view,
    secrets: view.secrets.map((s) => ({
      createdAt: iso(s.createdAt),
      ...(s.expiresAt === undefined ? {} : { expiresAt: iso(s.expiresAt) }),
    })),
    ...(view.disabledAt === undefined ? {} : { disabledAt: iso(view.disabledAt) }),
    createdAt: iso(view.createdAt),
    updatedAt: iso(view.updatedAt),
    ...(health
      ? {
          health: {
            failingSince: isoOrNull(health.failingSince),
            consecutiveFailures: health.consecutiveFailures,
            lastFailureAt: isoOrNull(health.lastFailureAt),
            lastSuccessAt: isoOrNull(health.lastSuccessAt),
          },
        }
      : {}),
  };
}

export function deliveryOut(view: DeliveryView) {
  return {
    ...view,
    ...(view.nextAttemptAt === undefined ? {} : { nextAttemptAt: iso(view.nextAttemptAt) }),
    createdAt: iso(view.createdAt),
    ...(view.finishedAt === undefined ? {} : { finishedAt: iso(view.finishedAt) }),
    attemptLog: view.attemptLog.map((a) => ({ ...a, at: iso(a.at) })),
  };
}
