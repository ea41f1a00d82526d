/**
 * Orders in the REST API v1: submit (`POST /api/v1/orders`), list the caller's orders with cursor
 * paging, and read one order's status and trace. A submitted order goes to the durable inbox like a
 * webhook, deduplicated by channel and the channel's order id: the same order sent twice, even under
 * different Idempotency-Keys, is one order. An identity sees only the orders it submitted.
 */
import type { FastifyInstance } from "fastify";
import Type from "typebox";
import { ACTION_HEADER } from "../../connectors/api/api-orders-connector.ts";
import type { Clock } from "../../core/clock.ts";
import { CrossdockError } from "../../core/errors.ts";
import type { InboxMessage, Store, StoredEvent } from "../../store/store.ts";
import { type Authenticator, requireScope, SCOPES } from "../auth/identity.ts";
import {
  CancelAccepted,
  IdempotencyHeaders,
  OrderAccepted,
  OrderStatus,
  OrderSubmission,
  OrderSummary,
  Page,
  PageQuery,
  ProblemDocument,
} from "./api-schemas.ts";
import { decodeCursor, encodeCursor, pageLimit } from "./cursor.ts";
import { type Idempotency, idempotentPost } from "./idempotency.ts";

/** The inbox connection of orders submitted through the API (an `api-orders` connection). */
export const API_ORDERS_CONNECTION = "api";
export const IDENTITY_HEADER = "x-crossdock-identity";

export interface OrderRoutesOptions {
  store: Store;
  clock: Clock;
  authenticator: Authenticator;
  idempotency: Idempotency;
  /** Called after a new order is committed (wakes the workers). */
  onAppended?: () => void;
}

const errors = { 400: ProblemDocument, 401: ProblemDocument, 403: ProblemDocument, 404: ProblemDocument };

export function registerOrderRoutes(app: FastifyInstance, options: OrderRoutesOptions): void {
  const { store, authenticator, idempotency } = options;

  app.post<{ Body: OrderSubmission; Headers: { "idempotency-key": string } }>(
    "/api/v1/orders",
    {
      onRequest: requireScope(authenticator, SCOPES.ordersWrite),
      schema: {
        summary: "Submit a channel order",
        tags: ["orders"],
        headers: IdempotencyHeaders,
        body: OrderSubmission,
        response: {
          200: OrderAccepted,
          202: OrderAccepted,
          409: ProblemDocument,
          422: ProblemDocument,
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const identity = request.identity as NonNullable<typeof request.identity>;
      const key = request.headers["idempotency-key"];
      const route = { identityId: identity.id, key, route: "/api/v1/orders", body: request.body };
      return idempotentPost(idempotency, route, reply, async () => {
        const order = request.body;
        const raw = (request as { rawBody?: Buffer }).rawBody ?? Buffer.from(JSON.stringify(order));
        const traceparent = request.headers.traceparent;
        const receipt = await store.inbox.append({
          source: "api",
          connection: API_ORDERS_CONNECTION,
          dedupeKey: `order:${order.channel}:${order.externalId}`,
          body: raw,
          contentType: "application/json",
          headers: { [IDENTITY_HEADER]: identity.id, "idempotency-key": key },
          orderingKey: `order:${order.channel}:${order.externalId}`,
          ...(typeof traceparent === "string" ? { trace: { traceparent } } : {}),
        });
        if (!receipt.duplicate) options.onAppended?.();
        return {
          status: receipt.duplicate ? 200 : 202,
          body: {
            id: receipt.id,
            orderKey: `${order.channel}:${order.externalId}`,
            status: "received" as const,
            duplicate: receipt.duplicate,
            receivedAt: new Date(receipt.receivedAt).toISOString(),
            links: { self: `/api/v1/orders/${receipt.id}` },
          },
        };
      });
    },
  );

  app.post<{ Params: { id: string }; Body: { reason?: string }; Headers: { "idempotency-key": string } }>(
    "/api/v1/orders/:id/cancel",
    {
      onRequest: requireScope(authenticator, SCOPES.ordersWrite),
      schema: {
        summary: "Cancel an order: the hub cancels it at the warehouse and in Odoo, or asks a person",
        tags: ["orders"],
        headers: IdempotencyHeaders,
        params: Type.Object(
          { id: Type.String({ minLength: 1, maxLength: 64 }) },
          { additionalProperties: false },
        ),
        body: Type.Object(
          { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })) },
          { additionalProperties: false },
        ),
        response: {
          200: CancelAccepted,
          202: CancelAccepted,
          409: ProblemDocument,
          422: ProblemDocument,
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const identity = request.identity as NonNullable<typeof request.identity>;
      const key = request.headers["idempotency-key"];
      const path = `/api/v1/orders/${request.params.id}/cancel`;
      const route = { identityId: identity.id, key, route: path, body: request.body ?? {} };
      return idempotentPost(idempotency, route, reply, async () => {
        const order = await store.inbox.get(request.params.id);
        if (
          !order ||
          order.connection !== API_ORDERS_CONNECTION ||
          order.headers[IDENTITY_HEADER] !== identity.id ||
          order.headers[ACTION_HEADER] !== undefined
        ) {
          throw new CrossdockError("CDK_HTTP_NOT_FOUND", `no order ${request.params.id} for this identity`, {
            details: { id: request.params.id },
          });
        }
        const orderKey = orderKeyOf(order);
        const reason = request.body?.reason;
        const receipt = await store.inbox.append({
          source: "api",
          connection: API_ORDERS_CONNECTION,
          dedupeKey: `cancel:${orderKey}`,
          body: Buffer.from(JSON.stringify({ orderKey, ...(reason ? { reason } : {}) })),
          contentType: "application/json",
          headers: { [IDENTITY_HEADER]: identity.id, "idempotency-key": key, [ACTION_HEADER]: "cancel" },
          orderingKey: `order:${orderKey}`,
        });
        if (!receipt.duplicate) options.onAppended?.();
        return {
          status: receipt.duplicate ? 200 : 202,
          body: {
            id: receipt.id,
            orderKey,
            status: "cancel-requested" as const,
            duplicate: receipt.duplicate,
            links: { order: `/api/v1/orders/${order.id}` },
          },
        };
      });
    },
  );

  app.get<{ Querystring: { cursor?: string; limit?: string } }>(
    "/api/v1/orders",
    {
      onRequest: requireScope(authenticator, SCOPES.ordersRead),
      schema: {
        summary: "The caller's orders, oldest first",
        tags: ["orders"],
        querystring: PageQuery,
        response: { 200: Page(OrderSummary), ...errors },
      },
    },
    async (request) => {
      const identity = request.identity as NonNullable<typeof request.identity>;
      const limit = pageLimit(request.query.limit);
      const after = decodeCursor(request.query.cursor);
      const scanned = await store.inbox.list({
        connection: API_ORDERS_CONNECTION,
        limit,
        ...(after === undefined ? {} : { afterId: after }),
      });
      const items = scanned
        // Cancellation requests share the connection; only submitted orders are listed.
        .filter((m) => m.headers[IDENTITY_HEADER] === identity.id && m.headers[ACTION_HEADER] === undefined)
        .map((m) => ({
          id: m.id,
          orderKey: orderKeyOf(m),
          receivedAt: new Date(m.receivedAt).toISOString(),
        }));
      const last = scanned.at(-1);
      return { items, ...(scanned.length === limit && last ? { nextCursor: encodeCursor(last.id) } : {}) };
    },
  );

  app.get<{ Params: { id: string } }>(
    "/api/v1/orders/:id",
    {
      onRequest: requireScope(authenticator, SCOPES.ordersRead),
      schema: {
        summary: "An order's status and its trace across the hub",
        tags: ["orders"],
        params: Type.Object(
          { id: Type.String({ minLength: 1, maxLength: 64 }) },
          { additionalProperties: false },
        ),
        response: { 200: OrderStatus, ...errors },
      },
    },
    async (request) => {
      const identity = request.identity as NonNullable<typeof request.identity>;
      const message = await store.inbox.get(request.params.id);
      if (
        !message ||
        message.connection !== API_ORDERS_CONNECTION ||
        message.headers[IDENTITY_HEADER] !== identity.id ||
        message.headers[ACTION_HEADER] !== undefined
      ) {
        throw new CrossdockError("CDK_HTTP_NOT_FOUND", `no order ${request.params.id} for this identity`, {
          details: { id: request.params.id },
        });
      }
      return orderStatus(store, message);
    },
  );
}

function orderKeyOf(message: InboxMessage): string {
  return message.dedupeKey.replace(/^order:/, "");
}

const STATUS_BY_EVENT: Record<string, string> = {
  "order.received": "received",
  "order.confirmed": "confirmed",
  "delivery.done": "shipped",
  "invoice.posted": "invoiced",
  "payment.received": "paid",
  "order.cancelled": "cancelled",
};

async function orderStatus(store: Store, message: InboxMessage) {
  const orderKey = orderKeyOf(message);
  const [channel = "", ...rest] = orderKey.split(":");
  const trace: {
    at: string;
    kind: "message" | "event" | "job" | "exception";
    what: string;
    detail?: unknown;
  }[] = [
    { at: iso(message.receivedAt), kind: "message", what: `received over the API (${message.size} bytes)` },
  ];
  let status = "received";
  const job = await store.jobs.getByIdempotencyKey(`inbox:${message.id}`);
  if (job) {
    trace.push({
      at: iso(job.updatedAt),
      kind: "job",
      what: `processing ${job.status}`,
      detail: { attempts: job.attempts },
    });
    if (job.status === "exception") {
      status = "rejected";
      const last = job.errors.at(-1);
      trace.push({
        at: iso(job.updatedAt),
        kind: "exception",
        what: last?.code ?? "exception",
        detail: last?.message,
      });
    }
  }
  const events: StoredEvent[] = await store.events.readStream(`order:${orderKey}`, { limit: 1_000 });
  for (const event of events) {
    trace.push({ at: iso(event.createdAt), kind: "event", what: event.type });
    const next = STATUS_BY_EVENT[event.type];
    const partial =
      event.type === "payment.received" && (event.data as { partial?: boolean } | null)?.partial;
    if (next && !partial) status = next;
  }
  return {
    id: message.id,
    orderKey,
    channel,
    externalId: rest.join(":"),
    status,
    receivedAt: iso(message.receivedAt),
    trace,
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
