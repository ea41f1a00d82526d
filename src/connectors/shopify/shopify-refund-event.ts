/**
 * The `refunds/create` webhook of the `shopify` connector: the refund resource becomes one
 * `order.refunded` event on the order's stream `order:<channel>:<order id>`, carrying the canonical
 * `return/v1` (when items came back) and the `payment/v1` refunds (money paid back), each validated
 * against the model. A refund that maps to neither (no items, no money, e.g. a restock-only refund
 * without line items) is still recorded as the event, with nothing in it but the ids and notes.
 */
import { CrossdockError } from "../../core/errors.ts";
import { DocumentFault } from "../../mapping/builtin/document-reader.ts";
import { mapShopifyRefund } from "../../mapping/builtin/shopify-refund-mapper.ts";
import { validateCanonical } from "../../mapping/model-validator.ts";
import type { EventInput, InboxMessage, JsonValue } from "../../store/store.ts";
import type { DecodeOutcome } from "../connector.ts";

export const ORDER_REFUNDED = "order.refunded";

/** Data of an `order.refunded` event. */
export interface OrderRefunded {
  channel: string;
  channelOrderId: string;
  refundId: string;
  /** The items that came back, when any. */
  return: JsonValue | null;
  /** Money paid back (and any other transaction of the refund), canonical payments. */
  payments: JsonValue[];
  /** Why parts of the refund map to no record. */
  notes: string[];
  receivedVia: "shopify";
  messageId: string;
}

function refuse(where: string, problems: { path: string; message: string }[]): DecodeOutcome {
  const shown = problems.slice(0, 10);
  return {
    ok: false,
    error: new CrossdockError(
      "CDK_DECODE_FAILED",
      `${where}: refunds/create body does not map to return/v1 and payment/v1: ${shown.map((p) => `${p.path || "/"} ${p.message}`).join("; ")}`,
      { details: { where, problems: shown } },
    ),
  };
}

export function decodeShopifyRefund(
  body: unknown,
  channel: string,
  message: InboxMessage,
  where: string,
): DecodeOutcome {
  let mapped: ReturnType<typeof mapShopifyRefund>;
  try {
    mapped = mapShopifyRefund(body, channel);
  } catch (cause) {
    if (cause instanceof DocumentFault) {
      return refuse(where, [
        { path: cause.path, message: cause.message.slice((cause.path || "/").length + 2) },
      ]);
    }
    if (cause instanceof RangeError) return refuse(where, [{ path: "", message: cause.message }]);
    throw cause;
  }
  const problems = [
    ...(mapped.return
      ? validateCanonical("return/v1", mapped.return).map((p) => ({ ...p, path: `(return)${p.path}` }))
      : []),
    ...mapped.payments.flatMap((payment, i) =>
      validateCanonical("payment/v1", payment).map((p) => ({ ...p, path: `(payment ${i})${p.path}` })),
    ),
  ];
  if (problems.length > 0) return refuse(where, problems);
  const record = body as { id: unknown; order_id: unknown };
  const orderId = mapped.return?.order?.channelOrderId ?? String(record.order_id);
  const data: OrderRefunded = {
    channel,
    channelOrderId: orderId,
    refundId: String(record.id),
    return: (mapped.return ?? null) as unknown as JsonValue,
    payments: mapped.payments as unknown as JsonValue[],
    notes: mapped.skipped,
    receivedVia: "shopify",
    messageId: message.id,
  };
  const event: EventInput = {
    stream: `order:${channel}:${orderId}`,
    type: ORDER_REFUNDED,
    data: data as unknown as JsonValue,
    causationId: message.id,
    ...(message.trace ? { trace: message.trace } : {}),
  };
  return { ok: true, events: [event], jobs: [] };
}
