/**
 * Canonical documents submitted through the REST API besides orders (returns, purchases, their
 * receipts and acknowledgements): which entity each is, which event it becomes and on which stream.
 * The route (`src/gateway/api/document-routes.ts`) writes the document to the inbox with its action
 * and stream in headers; `decodeDocument` checks it again and makes the event.
 *
 * Event types and streams are the workflows' own (returns, procure-to-pay); stored, never renamed.
 */
import { CrossdockError } from "../../core/errors.ts";
import { checkModel } from "../../core/model/model-checks.ts";
import type { ModelEntityName, ModelValue } from "../../core/model/model-registry.ts";
import type { InboxMessage, JsonValue } from "../../store/store.ts";
import type { DecodeOutcome } from "../connector.ts";
import { parseJsonLocated } from "../json/parse-json-located.ts";

/** Header of an API inbox message that is not an order submission: `cancel`, or a document action. */
export const ACTION_HEADER = "x-crossdock-action";
/** The stream the route resolved for the document (from the parent request for sub-resources). */
export const STREAM_HEADER = "x-crossdock-stream";

interface DocumentSpec<N extends ModelEntityName> {
  entity: N;
  type: string;
  /** The document's property in the event's data. */
  wrap: string;
  streamPrefix: string;
  keyOf(value: ModelValue<N>): string;
  summary: string;
  tag: string;
}

const spec = <N extends ModelEntityName>(s: DocumentSpec<N>) => s;

export const DOCUMENT_ACTIONS = {
  return: spec({
    entity: "return",
    type: "return.requested",
    wrap: "return",
    streamPrefix: "return",
    keyOf: (r) => `${r.order?.channel ?? "unknown"}:${r.rmaNumber}`,
    summary:
      "Request a customer return (RMA): authorised, received, credited and refunded by the returns flow",
    tag: "returns",
  }),
  "return-receipt": spec({
    entity: "receipt",
    type: "return.received",
    wrap: "receipt",
    streamPrefix: "return",
    keyOf: (r) => r.receiptId,
    summary: "Report the goods of a return received (counted, with their condition)",
    tag: "returns",
  }),
  purchase: spec({
    entity: "purchase-order",
    type: "purchase.requested",
    wrap: "purchase",
    streamPrefix: "purchase",
    keyOf: (p) => `${p.supplier.code ?? "unknown"}:${p.poNumber}`,
    summary:
      "Request a purchase: placed in Odoo, sent to the supplier, received and billed by procure-to-pay",
    tag: "purchases",
  }),
  "purchase-ack": spec({
    entity: "supplier-acknowledgement",
    type: "supplier.acknowledged",
    wrap: "acknowledgement",
    streamPrefix: "purchase",
    keyOf: (a) => a.poNumber,
    summary: "The supplier's answer to a purchase order, line by line",
    tag: "purchases",
  }),
  "purchase-receipt": spec({
    entity: "receipt",
    type: "goods.received",
    wrap: "receipt",
    streamPrefix: "purchase",
    keyOf: (r) => r.receiptId,
    summary: "Goods of a purchase counted in (?complete=true when nothing more will come)",
    tag: "purchases",
  }),
} as const;

export type DocumentAction = keyof typeof DOCUMENT_ACTIONS;

export function isDocumentAction(value: string | undefined): value is DocumentAction {
  return value !== undefined && Object.hasOwn(DOCUMENT_ACTIONS, value);
}

export function decodeDocument(message: InboxMessage, action: DocumentAction, where: string): DecodeOutcome {
  const { entity, type, wrap } = DOCUMENT_ACTIONS[action];
  let body: unknown;
  try {
    body = parseJsonLocated(Buffer.from(message.body).toString("utf8"), `${where}: body`);
  } catch (error) {
    return { ok: false, error: error as CrossdockError };
  }
  const checked = checkModel(entity, body);
  const stream = message.headers[STREAM_HEADER];
  if (!checked.ok || !stream) {
    const problems = checked.ok
      ? ["the stream header is missing"]
      : checked.problems.slice(0, 20).map((p) => `${entity}${p.path} ${p.message}`);
    return {
      ok: false,
      error: new CrossdockError(
        "CDK_DECODE_FAILED",
        `${where}: not a valid ${entity}: ${problems.join("; ")}`,
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
        type,
        data: {
          [wrap]: checked.value as unknown as JsonValue,
          ...(message.headers["x-crossdock-complete"] === "true" ? { complete: true } : {}),
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
