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
import type { JsonValue } from "../../store/store.ts";
import type { DecodeOutcome, InboundConnector } from "../connector.ts";
import { parseJsonLocated } from "../json/parse-json-located.ts";
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
