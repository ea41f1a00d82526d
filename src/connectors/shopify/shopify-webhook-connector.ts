/**
 * Inbound connector `shopify`: Shopify order webhooks (the body is the order resource itself, the topic
 * in `X-Shopify-Topic`) become canonical events on the order's stream `order:<channel>:<shopify id>`.
 *
 * - `orders/create` -> `order.received` carrying the canonical order of the built-in mapping
 *   `shopify-order@1`, validated against `order/v1` (shape and consistency checks);
 * - `orders/updated` -> the same `order.received` (data `topic: "orders/updated"`), so an order whose
 *   create webhook never came still starts its flow. The connector cannot see the store, so it cannot
 *   tell a seen order from a new one: the order-to-cash intake starts runs idempotently on the order
 *   key, which makes a repeated `order.received` start nothing. An update of a cancelled order is an
 *   `order.cancelled` instead;
 * - `orders/cancelled` -> `order.cancelled` with the channel, the order id, when and why;
 * - `refunds/create` -> `order.refunded` with the canonical return and refund payments
 *   (`shopify-refund-event.ts`);
 * - any other topic is stored (the gateway already did) and acknowledged with no events.
 *
 * A body that is not JSON, not an order, or whose canonical order fails validation is refused with a
 * located `CDK_DECODE_FAILED`: the message stays in the inbox and the job becomes an exception record.
 * Signatures are the gateway's (`signature: { scheme: shopify }` on the connection). The same
 * connection's `shopUrl` and `accessToken` serve the tracking push (`build-flows.ts`).
 */
import { CrossdockError } from "../../core/errors.ts";
import type { Order } from "../../core/model/order.ts";
import { DocumentFault } from "../../mapping/builtin/document-reader.ts";
import { mapShopifyOrder } from "../../mapping/builtin/shopify-order-mapper.ts";
import { decodeJsonDocument } from "../../mapping/decode-json.ts";
import { validateCanonical } from "../../mapping/model-validator.ts";
import type { EventInput, InboxMessage, JsonValue } from "../../store/store.ts";
import type { ConnectionSettings, DecodeOutcome, InboundConnector } from "../connector.ts";
import { decodeShopifyRefund } from "./shopify-refund-event.ts";

export const SHOPIFY_TYPE = "shopify";
/** The intake's `ORDER_RECEIVED`, repeated so the connector does not import the flow. */
export const ORDER_RECEIVED = "order.received";
export const ORDER_CANCELLED = "order.cancelled";
/** The mapping every order body goes through, named in events and errors. */
export const SHOPIFY_ORDER_MAPPING = "shopify-order@1";

/** Settings of a `shopify` connection read by this connector (besides `signature`, `shopUrl`, ...). */
export interface ShopifySettings extends ConnectionSettings {
  /** The channel of the orders; default the connection name. Lower case, digits, `-`, `_`. */
  channel?: string;
  /** Largest body decoded, bytes. Default 2 MiB (an order with hundreds of lines stays well below). */
  maxBodyBytes?: number;
}

/** Data of an `order.cancelled` event from the channel. */
export interface OrderCancelled {
  channel: string;
  channelOrderId: string;
  cancelledAt: string | null;
  reason: string | null;
  receivedVia: "shopify";
  messageId: string;
}

const CHANNEL = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const ORDER_ID = /^[1-9][0-9]{0,19}$/;
const DEFAULT_MAX_BYTES = 2 * 1024 * 1024;

function reject(message: string, details: Record<string, unknown>): DecodeOutcome {
  return { ok: false, error: new CrossdockError("CDK_DECODE_FAILED", message, { details }) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Shopify's order id as exact text: a JSON number (kept as text above 2^53 by the decoder) or digits. */
function orderIdOf(body: Record<string, unknown>): string | undefined {
  const id = body.id;
  const text = typeof id === "number" && Number.isSafeInteger(id) ? String(id) : id;
  return typeof text === "string" && ORDER_ID.test(text) ? text : undefined;
}

/** The channel of a connection: its `channel` setting when valid, else its name when that is one. */
export function shopifyChannel(connectionName: string, settings: ConnectionSettings): string | undefined {
  const configured = (settings as ShopifySettings).channel;
  if (configured !== undefined)
    return typeof configured === "string" && CHANNEL.test(configured) ? configured : undefined;
  return CHANNEL.test(connectionName) ? connectionName : undefined;
}

/** Maps and validates one order body: the canonical order, or the located reasons it is not one. */
export function canonicalShopifyOrder(
  document: unknown,
  channel: string,
): { ok: true; order: Order } | { ok: false; problems: { path: string; message: string }[] } {
  let order: Order;
  try {
    order = mapShopifyOrder(document, channel);
  } catch (cause) {
    if (cause instanceof DocumentFault) {
      // Its message starts with the path; keep the reason alone beside the path.
      const reason = cause.message.slice((cause.path || "/").length + 2);
      return { ok: false, problems: [{ path: cause.path, message: reason }] };
    }
    if (cause instanceof RangeError) return { ok: false, problems: [{ path: "", message: cause.message }] };
    throw cause;
  }
  const problems = validateCanonical("order/v1", order);
  return problems.length === 0 ? { ok: true, order } : { ok: false, problems: problems.slice(0, 20) };
}

function cancelledData(
  body: Record<string, unknown>,
  channel: string,
  id: string,
  messageId: string,
): OrderCancelled {
  const text = (v: unknown) => (typeof v === "string" && v.length > 0 && v.length <= 256 ? v : null);
  return {
    channel,
    channelOrderId: id,
    cancelledAt: text(body.cancelled_at),
    reason: text(body.cancel_reason),
    receivedVia: "shopify",
    messageId,
  };
}

export const shopifyWebhookConnector: InboundConnector = {
  type: SHOPIFY_TYPE,
  decode(message: InboxMessage, connectionName: string, settings: ConnectionSettings): DecodeOutcome {
    const where = `message ${message.id} (connection ${connectionName}, key ${message.dedupeKey})`;
    const topic = message.headers["x-shopify-topic"];
    if (typeof topic !== "string" || topic === "") {
      return reject(`${where}: no X-Shopify-Topic header, so the body's meaning is unknown`, {
        where,
        expected: "a Shopify webhook with X-Shopify-Topic",
      });
    }
    if (
      topic !== "orders/create" &&
      topic !== "orders/updated" &&
      topic !== "orders/cancelled" &&
      topic !== "refunds/create"
    ) {
      return { ok: true, events: [], jobs: [] }; // stored for the record, nothing to do (yet)
    }
    const channel = shopifyChannel(connectionName, settings);
    if (channel === undefined) {
      return reject(
        `${where}: the channel "${String((settings as ShopifySettings).channel ?? connectionName)}" is not a channel name (lower case letters, digits, - and _, at most 64); set channel: on the connection`,
        { where },
      );
    }
    const max = (settings as ShopifySettings).maxBodyBytes;
    const maxBytes = typeof max === "number" && max > 0 ? max : DEFAULT_MAX_BYTES;
    if (message.body.byteLength > maxBytes) {
      return reject(
        `${where}: body of ${message.body.byteLength} bytes is above the ${maxBytes} an order may have`,
        {
          where,
          size: message.body.byteLength,
          limit: maxBytes,
        },
      );
    }
    const decoded = decodeJsonDocument(message.body, `${where}: ${topic} body`);
    if (!decoded.ok) return decoded;
    const body = decoded.document;
    if (!isObject(body)) {
      return reject(`${where}: ${topic} body /: must be a JSON object (the order resource)`, {
        where,
        path: "",
      });
    }
    if (topic === "refunds/create") return decodeShopifyRefund(body, channel, message, where);
    const common = { causationId: message.id, ...(message.trace ? { trace: message.trace } : {}) };
    const cancelled =
      topic === "orders/cancelled" || (topic === "orders/updated" && typeof body.cancelled_at === "string");
    if (cancelled) {
      const id = orderIdOf(body);
      if (id === undefined) {
        return reject(`${where}: ${topic} body /id: must be Shopify's order id (a positive whole number)`, {
          where,
          path: "/id",
        });
      }
      const event: EventInput = {
        stream: `order:${channel}:${id}`,
        type: ORDER_CANCELLED,
        data: cancelledData(body, channel, id, message.id) as unknown as JsonValue,
        ...common,
      };
      return { ok: true, events: [event], jobs: [] };
    }
    const mapped = canonicalShopifyOrder(body, channel);
    if (!mapped.ok) {
      const shown = mapped.problems.slice(0, 10);
      return reject(
        `${where}: ${topic} body does not map to order/v1 with ${SHOPIFY_ORDER_MAPPING}: ${shown
          .map((p) => `${p.path || "/"} ${p.message}`)
          .join(
            "; ",
          )}${mapped.problems.length > shown.length ? `; and ${mapped.problems.length - shown.length} more` : ""}`,
        { where, mapping: SHOPIFY_ORDER_MAPPING, problems: shown },
      );
    }
    // The mapper read the id exactly (ids beyond 2^53 stay text); the stream is the order's.
    const stream = `order:${channel}:${mapped.order.channelOrderId}`;
    const event: EventInput = {
      stream,
      type: ORDER_RECEIVED,
      data: {
        receivedVia: "shopify",
        topic,
        mapping: SHOPIFY_ORDER_MAPPING,
        messageId: message.id,
        order: mapped.order as unknown as JsonValue,
      },
      ...common,
    };
    return { ok: true, events: [event], jobs: [] };
  },
};
