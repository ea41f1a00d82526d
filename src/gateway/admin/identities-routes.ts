/**
 * The admin API for machine identities, `/api/v1/admin/identities` (scope `admin:identities`):
 * create (the key is in the answer once and never again), list, show, update, rotate a key, revoke a
 * key, delete. Every route has TypeBox schemas for params, querystring, body and responses, validated
 * strictly (no coercion, no unknown fields), and the same schemas document the routes in OpenAPI.
 *
 * Authentication runs in `onRequest`, before the body is read: an anonymous caller gets 401 without
 * the server parsing (or reporting schema errors about) what it sent. Times are ISO 8601 strings.
 * Changes are made by the `IdentityService` in one transaction with their audit entry; the actor is
 * the calling identity's id.
 */
import type { FastifyInstance } from "fastify";
import Type from "typebox";
import { CrossdockError } from "../../core/errors.ts";
import type { ApiKeyView, IdentityView } from "../../security/identities/identity-records.ts";
import type { IdentityService } from "../../security/identities/identity-service.ts";
import { Page, PageQuery, ProblemDocument } from "../api/api-schemas.ts";
import { decodeCursor, encodeCursor, pageLimit } from "../api/cursor.ts";
import { type Authenticator, requireScope, SCOPES } from "../auth/identity.ts";

const Scope = Type.Union(
  Object.values(SCOPES).map((s) => Type.Literal(s)),
  { description: "a scope; unknown scopes are refused" },
);
const Name = Type.String({
  minLength: 1,
  maxLength: 100,
  description: "who this is, e.g. the partner's name",
});
const Scopes = Type.Array(Scope, { maxItems: 32, uniqueItems: true });
const RateLimit = Type.Integer({
  minimum: 1,
  maximum: 1_000_000,
  description: "requests per minute, per gateway process",
});
const Time = Type.String({ format: "date-time" });
const IdentityId = Type.Object(
  { id: Type.String({ pattern: "^idn_[0-9a-z]{1,40}$" }) },
  { additionalProperties: false },
);
const KeyParams = Type.Object(
  { id: Type.String({ pattern: "^idn_[0-9a-z]{1,40}$" }), keyId: Type.String({ pattern: "^[0-9a-z]{16}$" }) },
  { additionalProperties: false },
);

const ApiKeyOut = Type.Object({
  keyId: Type.String(),
  prefix: Type.String({ description: "what the key starts with, to recognise it" }),
  status: Type.Union([Type.Literal("active"), Type.Literal("expired"), Type.Literal("revoked")]),
  createdAt: Time,
  expiresAt: Type.Union([Time, Type.Null()]),
  revokedAt: Type.Union([Time, Type.Null()]),
});
const IdentityOut = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    scopes: Type.Array(Type.String()),
    rateLimitPerMinute: Type.Integer(),
    disabled: Type.Boolean(),
    createdAt: Time,
    updatedAt: Time,
    keys: Type.Array(ApiKeyOut),
  },
  { $id: "Identity" },
);
const IssuedKeyOut = Type.Object({
  identity: IdentityOut,
  keyId: Type.String(),
  apiKey: Type.String({ description: "the full key: shown this once, store it now" }),
  previousKeysValidUntil: Type.Optional(Time),
});

const CreateBody = Type.Object(
  {
    name: Name,
    scopes: Scopes,
    rateLimitPerMinute: Type.Optional(RateLimit),
    disabled: Type.Optional(Type.Boolean()),
    keyExpiresAt: Type.Optional(Time),
  },
  { additionalProperties: false },
);
const UpdateBody = Type.Object(
  {
    name: Type.Optional(Name),
    scopes: Type.Optional(Scopes),
    rateLimitPerMinute: Type.Optional(RateLimit),
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
const RotateBody = Type.Object(
  {
    windowSeconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 90 * 86_400,
        description: "how long the previous keys keep working; default 86400",
      }),
    ),
    keyExpiresAt: Type.Optional(Time),
  },
  { additionalProperties: false },
);

const errors = {
  400: ProblemDocument,
  401: ProblemDocument,
  403: ProblemDocument,
  404: ProblemDocument,
  429: ProblemDocument,
};

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

function keyOut(key: ApiKeyView) {
  return {
    ...key,
    createdAt: iso(key.createdAt),
    expiresAt: isoOrNull(key.expiresAt),
    revokedAt: isoOrNull(key.revokedAt),
  };
}

function identityOut(view: IdentityView) {
  return {
    ...view,
    createdAt: iso(view.createdAt),
    updatedAt: iso(view.updatedAt),
    keys: view.keys.map(keyOut),
  };
}

/** An ISO time from a body (format-checked by the schema) as ms; refused if it does not parse. */
function timeIn(value: string | undefined, path: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new CrossdockError("CDK_API_INVALID_REQUEST", `invalid body: ${path} is not a time`, {
      details: { errors: [{ path: `body/${path}`, message: "must be an ISO 8601 date-time" }] },
    });
  }
  return ms;
}

export interface IdentityRoutesOptions {
  service: IdentityService;
  authenticator: Authenticator;
}

const BASE = "/api/v1/admin/identities";

/**
 * Registers the routes on `app`, which must parse JSON bodies: pass this to the REST API plugin's
 * `documented` list (so they are in its OpenAPI document), or use `createIdentitiesAdminPlugin`.
 */
export function registerIdentityRoutes(app: FastifyInstance, options: IdentityRoutesOptions): void {
  const { service } = options;
  const onRequest = requireScope(options.authenticator, SCOPES.adminIdentities);
  const tags = ["admin: identities"];
  const actor = (request: { identity?: { id: string } }) => request.identity?.id ?? "anonymous";

  app.post<{ Body: Type.Static<typeof CreateBody> }>(
    BASE,
    {
      onRequest,
      schema: {
        summary: "Create an identity and its first API key",
        tags,
        body: CreateBody,
        response: { 201: IssuedKeyOut, ...errors },
      },
    },
    async (request, reply) => {
      const { keyExpiresAt, ...rest } = request.body;
      const expires = timeIn(keyExpiresAt, "keyExpiresAt");
      const issued = await service.create(
        { ...rest, ...(expires === undefined ? {} : { keyExpiresAt: expires }) },
        actor(request),
      );
      reply.status(201).header("cache-control", "no-store");
      return { identity: identityOut(issued.identity), keyId: issued.keyId, apiKey: issued.apiKey };
    },
  );

  app.get<{ Querystring: Type.Static<typeof PageQuery> }>(
    BASE,
    {
      onRequest,
      schema: {
        summary: "List identities",
        tags,
        querystring: PageQuery,
        response: { 200: Page(IdentityOut), ...errors },
      },
    },
    async (request) => {
      const limit = pageLimit(request.query.limit);
      const after = decodeCursor(request.query.cursor);
      const items = await service.list({ limit, ...(after === undefined ? {} : { afterId: after }) });
      const last = items.at(-1);
      return {
        items: items.map(identityOut),
        ...(items.length === limit && last ? { nextCursor: encodeCursor(last.id) } : {}),
      };
    },
  );

  app.get<{ Params: Type.Static<typeof IdentityId> }>(
    `${BASE}/:id`,
    {
      onRequest,
      schema: {
        summary: "Show an identity (never a secret)",
        tags,
        params: IdentityId,
        response: { 200: IdentityOut, ...errors },
      },
    },
    async (request) => identityOut(await service.get(request.params.id)),
  );

  app.patch<{ Params: Type.Static<typeof IdentityId>; Body: Type.Static<typeof UpdateBody> }>(
    `${BASE}/:id`,
    {
      onRequest,
      schema: {
        summary: "Change scopes, rate limit, name or the disabled flag",
        tags,
        params: IdentityId,
        body: UpdateBody,
        response: { 200: IdentityOut, ...errors },
      },
    },
    async (request) => identityOut(await service.update(request.params.id, request.body, actor(request))),
  );

  app.post<{ Params: Type.Static<typeof IdentityId>; Body: Type.Static<typeof RotateBody> | undefined }>(
    `${BASE}/:id/keys`,
    {
      onRequest,
      // Every field has a default, so no body at all means `{}`.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        summary: "Rotate: issue a new key; the previous keys work until the rotation window ends",
        tags,
        params: IdentityId,
        body: RotateBody,
        response: { 201: IssuedKeyOut, ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body ?? {};
      const expires = timeIn(body.keyExpiresAt, "keyExpiresAt");
      const issued = await service.rotateKey(
        request.params.id,
        {
          ...(body.windowSeconds === undefined ? {} : { windowMs: body.windowSeconds * 1_000 }),
          ...(expires === undefined ? {} : { keyExpiresAt: expires }),
        },
        actor(request),
      );
      reply.status(201).header("cache-control", "no-store");
      return {
        identity: identityOut(issued.identity),
        keyId: issued.keyId,
        apiKey: issued.apiKey,
        previousKeysValidUntil: iso(issued.previousKeysValidUntil),
      };
    },
  );

  app.delete<{ Params: Type.Static<typeof KeyParams> }>(
    `${BASE}/:id/keys/:keyId`,
    {
      onRequest,
      schema: {
        summary: "Revoke a key at once",
        tags,
        params: KeyParams,
        response: { 200: IdentityOut, ...errors },
      },
    },
    async (request) =>
      identityOut(await service.revokeKey(request.params.id, request.params.keyId, actor(request))),
  );

  app.delete<{ Params: Type.Static<typeof IdentityId> }>(
    `${BASE}/:id`,
    {
      onRequest,
      schema: {
        summary: "Delete an identity and all its keys",
        tags,
        params: IdentityId,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await service.delete(request.params.id, actor(request));
      reply.status(204);
      return null;
    },
  );
}
