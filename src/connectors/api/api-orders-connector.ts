/**
 * The inbound connector of orders submitted through the REST API (`POST /api/v1/orders`): the gateway
 * has already validated the body against `OrderSubmission`; decoding checks it again (the inbox may hold
 * a message a person edited for replay) and turns it into the canonical `order.received` event on the
 * order's stream `order:<channel>:<externalId>`, carrying the canonical order (`order/v1`). Flows
 * (issue 5) route it onwards.
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import { CrossdockError } from "../../core/errors.ts";
import { checkModel } from "../../core/model/model-checks.ts";
import { OrderSubmission } from "../../gateway/api/api-schemas.ts";
import type { InboxMessage, JsonValue } from "../../store/store.ts";
import type { DecodeOutcome, InboundConnector } from "../connector.ts";
import { parseJsonLocated } from "../json/parse-json-located.ts";
import { ACTION_HEADER, decodeDocument, isDocumentAction } from "./api-documents.ts";
import { submissionProblems, submissionToOrder } from "./api-order-mapping.ts";

export const API_ORDERS_TYPE = "api-orders";
export const ORDER_RECEIVED = "order.received";

// Formats (email, date-time) were enforced at the edge; here the shape is what matters.
const validate = new Ajv2020({ allErrors: true, strict: false, validateFormats: false }).compile(
  OrderSubmission,
);

export const apiOrdersConnector: InboundConnector = {
  type: API_ORDERS_TYPE,
  decode(message, connectionName): DecodeOutcome {
    const where = `message ${message.id} (connection ${connectionName})`;
    const action = message.headers[ACTION_HEADER];
    if (action === "cancel") return decodeCancel(message, where);
    if (isDocumentAction(action)) return decodeDocument(message, action, where);
    let body: unknown;
    try {
      body = parseJsonLocated(Buffer.from(message.body).toString("utf8"), `${where}: body`);
    } catch (error) {
      return { ok: false, error: error as CrossdockError };
    }
    if (!validate(body)) {
      const problems = (validate.errors ?? [])
        .slice(0, 20)
        .map((e) => `body${e.instancePath} ${e.message ?? "invalid"}`);
      return {
        ok: false,
        error: new CrossdockError(
          "CDK_DECODE_FAILED",
          `${where}: not an order submission: ${problems.join("; ")}`,
          {
            details: { where, problems },
          },
        ),
      };
    }
    const submission = body as OrderSubmission;
    const stream = `order:${submission.channel}:${submission.externalId}`;
    // Mapped to the canonical order and checked as one (shape and consistency), with located problems.
    const checked = checkModel(
      "order",
      submissionToOrder(submission, new Date(message.receivedAt).toISOString()),
    );
    const ruleProblems = submissionProblems(submission);
    if (!checked.ok || ruleProblems.length > 0) {
      const found = [...ruleProblems, ...(checked.ok ? [] : checked.problems)];
      const problems = found.slice(0, 20).map((p) => `order${p.path} ${p.message}`);
      return {
        ok: false,
        error: new CrossdockError(
          "CDK_DECODE_FAILED",
          `${where}: not a valid canonical order: ${problems.join("; ")}`,
          {
            details: { where, problems },
          },
        ),
      };
    }
    return {
      ok: true,
      events: [
        {
          stream,
          type: ORDER_RECEIVED,
          data: {
            receivedVia: "api",
            identity: message.headers["x-crossdock-identity"] ?? null,
            messageId: message.id,
            order: checked.value as unknown as JsonValue,
          },
          causationId: message.id,
          ...(message.trace ? { trace: message.trace } : {}),
        },
      ],
      jobs: [],
    };
  },
};

export { ACTION_HEADER };
export const ORDER_CANCELLED = "order.cancelled";

/**
 * A cancellation requested through `POST /api/v1/orders/{id}/cancel`: `order.cancelled` on the order's
 * stream, which order-to-cash takes like a channel's cancellation. The body is `{ orderKey, reason? }`,
 * written by the route from the order it found for the caller.
 */
function decodeCancel(message: InboxMessage, where: string): DecodeOutcome {
  let body: { orderKey?: unknown; reason?: unknown };
  try {
    body = parseJsonLocated(Buffer.from(message.body).toString("utf8"), `${where}: body`) as typeof body;
  } catch (error) {
    return { ok: false, error: error as CrossdockError };
  }
  const key = typeof body?.orderKey === "string" ? body.orderKey : "";
  const split = key.indexOf(":");
  if (split < 1 || split === key.length - 1) {
    return {
      ok: false,
      error: new CrossdockError(
        "CDK_DECODE_FAILED",
        `${where}: body/orderKey must be <channel>:<externalId>`,
        {
          details: { where, path: "/orderKey" },
        },
      ),
    };
  }
  return {
    ok: true,
    events: [
      {
        stream: `order:${key}`,
        type: ORDER_CANCELLED,
        data: {
          channel: key.slice(0, split),
          channelOrderId: key.slice(split + 1),
          cancelledAt: new Date(message.receivedAt).toISOString(),
          reason: typeof body.reason === "string" ? body.reason : null,
          receivedVia: "api",
          identity: message.headers["x-crossdock-identity"] ?? null,
          messageId: message.id,
        },
        causationId: message.id,
        ...(message.trace ? { trace: message.trace } : {}),
      },
    ],
    jobs: [],
  };
}
