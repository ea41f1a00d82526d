/**
 * Returns and purchases through the REST API, as canonical documents (the model's own schemas, so the
 * OpenAPI document shows them exactly):
 *
 * - `POST /api/v1/returns` (return/v1): a customer return (RMA) from a portal or a store; `return.requested`.
 * - `POST /api/v1/returns/{id}/receipts` (receipt/v1): the goods came back; `return.received`.
 * - `POST /api/v1/purchases` (purchase-order/v1): a purchase to place; `purchase.requested`.
 * - `POST /api/v1/purchases/{id}/acknowledgements` (supplier-acknowledgement/v1): the supplier's answer,
 *   from a supplier portal; `supplier.acknowledged`.
 * - `POST /api/v1/purchases/{id}/receipts` (receipt/v1, `?complete=true` when nothing more will come):
 *   goods counted in; `goods.received`.
 *
 * Each goes to the durable inbox like an order (`Idempotency-Key` required, 202 after the commit); the
 * `api-orders` connector checks the document again (shape and consistency) and appends the event on the
 * document's stream (`return:<channel>:<rmaNumber>`, `purchase:<supplier code>:<poNumber>`), where the
 * returns and procure-to-pay workflows take it. `{id}` is the hub's id of the return or purchase request.
 */
import type { FastifyInstance } from "fastify";
import Type, { type TSchema } from "typebox";
import {
  ACTION_HEADER,
  DOCUMENT_ACTIONS,
  type DocumentAction,
  STREAM_HEADER,
} from "../../connectors/api/api-documents.ts";
import { CrossdockError } from "../../core/errors.ts";
import { checkModel } from "../../core/model/model-checks.ts";
import { MODEL_ENTITIES } from "../../core/model/model-registry.ts";
import type { Store } from "../../store/store.ts";
import { type Authenticator, requireScope, SCOPES, type Scope } from "../auth/identity.ts";
import { IdempotencyHeaders, ProblemDocument } from "./api-schemas.ts";
import { type Idempotency, idempotentPost } from "./idempotency.ts";
import { API_ORDERS_CONNECTION, IDENTITY_HEADER } from "./order-routes.ts";

export interface DocumentRoutesOptions {
  store: Store;
  authenticator: Authenticator;
  idempotency: Idempotency;
  onAppended?: () => void;
}

const Accepted = Type.Object(
  {
    id: Type.String({ description: "the hub's id of this request" }),
    key: Type.String({ description: "the business key: <channel>:<rmaNumber> or <supplier>:<poNumber>" }),
    status: Type.Literal("received"),
    duplicate: Type.Boolean(),
  },
  { $id: "DocumentAccepted" },
);
const errors = {
  400: ProblemDocument,
  401: ProblemDocument,
  403: ProblemDocument,
  404: ProblemDocument,
  409: ProblemDocument,
  422: ProblemDocument,
};

/** The model's schema without its `$id`, so several routes can carry it. */
function bodySchema(entity: keyof typeof MODEL_ENTITIES): TSchema {
  const { $id: _id, ...schema } = JSON.parse(JSON.stringify(MODEL_ENTITIES[entity])) as { $id?: string };
  return schema as TSchema;
}

export function registerDocumentRoutes(app: FastifyInstance, options: DocumentRoutesOptions): void {
  const { store, authenticator, idempotency } = options;

  function route(path: string, action: DocumentAction, scope: Scope, parent?: DocumentAction) {
    const spec = DOCUMENT_ACTIONS[action];
    app.post<{
      Params: { id?: string };
      Querystring: { complete?: string };
      Headers: { "idempotency-key": string };
    }>(
      path,
      {
        onRequest: requireScope(authenticator, scope),
        schema: {
          summary: spec.summary,
          tags: [spec.tag],
          headers: IdempotencyHeaders,
          ...(parent
            ? {
                params: Type.Object(
                  { id: Type.String({ minLength: 1, maxLength: 64 }) },
                  { additionalProperties: false },
                ),
              }
            : {}),
          ...(action === "purchase-receipt"
            ? {
                querystring: Type.Object(
                  { complete: Type.Optional(Type.Union([Type.Literal("true"), Type.Literal("false")])) },
                  { additionalProperties: false },
                ),
              }
            : {}),
          body: bodySchema(spec.entity),
          response: { 200: Accepted, 202: Accepted, ...errors },
        },
      },
      async (request, reply) => {
        const identity = request.identity as NonNullable<typeof request.identity>;
        const idempotencyKey = request.headers["idempotency-key"];
        const route = {
          identityId: identity.id,
          key: idempotencyKey,
          route: request.url,
          body: request.body,
        };
        return idempotentPost(idempotency, route, reply, async () => {
          const checked = checkModel(spec.entity, request.body);
          if (!checked.ok) {
            throw new CrossdockError(
              "CDK_API_INVALID_REQUEST",
              `invalid ${spec.entity}: ${checked.problems.map((p) => `${p.path} ${p.message}`).join("; ")}`,
              {
                details: {
                  errors: checked.problems.map((p) => ({ path: `body${p.path}`, message: p.message })),
                },
              },
            );
          }
          let key: string;
          if (parent) {
            const found = await store.inbox.get(request.params.id as string);
            if (
              !found ||
              found.connection !== API_ORDERS_CONNECTION ||
              found.headers[IDENTITY_HEADER] !== identity.id ||
              found.headers[ACTION_HEADER] !== parent
            ) {
              throw new CrossdockError(
                "CDK_HTTP_NOT_FOUND",
                `no ${DOCUMENT_ACTIONS[parent].entity} ${request.params.id} for this identity`,
                {
                  details: { id: request.params.id },
                },
              );
            }
            key = found.dedupeKey.slice(`${parent}:`.length);
          } else {
            key = spec.keyOf(checked.value as never);
          }
          const receipt = await store.inbox.append({
            source: "api",
            connection: API_ORDERS_CONNECTION,
            // A request is one per business key; receipts and answers one per Idempotency-Key.
            dedupeKey: parent ? `${action}:${key}:${idempotencyKey}` : `${action}:${key}`,
            body: Buffer.from(JSON.stringify(checked.value)),
            contentType: "application/json",
            headers: {
              [IDENTITY_HEADER]: identity.id,
              "idempotency-key": idempotencyKey,
              [ACTION_HEADER]: action,
              [STREAM_HEADER]: `${spec.streamPrefix}:${key}`,
              ...(request.query.complete === "true" ? { "x-crossdock-complete": "true" } : {}),
            },
            orderingKey: `${spec.streamPrefix}:${key}`,
          });
          if (!receipt.duplicate) options.onAppended?.();
          return {
            status: receipt.duplicate ? 200 : 202,
            body: { id: receipt.id, key, status: "received" as const, duplicate: receipt.duplicate },
          };
        });
      },
    );
  }

  route("/api/v1/returns", "return", SCOPES.returnsWrite);
  route("/api/v1/returns/:id/receipts", "return-receipt", SCOPES.returnsWrite, "return");
  route("/api/v1/purchases", "purchase", SCOPES.purchasesWrite);
  route("/api/v1/purchases/:id/acknowledgements", "purchase-ack", SCOPES.purchasesWrite, "purchase");
  route("/api/v1/purchases/:id/receipts", "purchase-receipt", SCOPES.purchasesWrite, "purchase");
}
