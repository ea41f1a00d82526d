/**
 * Inbound connector `woocommerce`: WooCommerce order webhooks (the body is the wc/v3 order, the topic
 * in `X-WC-Webhook-Topic`) become canonical events on the order's stream `order:<channel>:<order id>`,
 * exactly as the `shopify` connector does for Shopify:
 *
 * - `order.created` and `order.restored` (back from the trash) -> `order.received` carrying the
 *   canonical order of `woocommerce-order@1`, validated against `order/v1`;
 * - `order.updated` -> the same `order.received` (data `topic: "order.updated"`; the order-to-cash
 *   intake starts runs idempotently on the order key), unless the status is cancelled, failed,
 *   refunded or trash: then `order.cancelled` with the status as the reason;
 * - `order.deleted` (the body is `{"id": ...}` only when deleted for good) -> `order.cancelled`;
 * - any other topic, and WooCommerce's activation ping (`webhook_id=<id>`), is acknowledged with no
 *   events (the gateway already stored it).
 *
 * A body that is not JSON, not an order, or whose canonical order fails validation is refused with a
 * located `CDK_DECODE_FAILED`. Signatures are the gateway's (`signature: { scheme: woocommerce }`).
 */
import { CrossdockError } from "../../core/errors.ts";
import { DocumentFault } from "../../mapping/builtin/document-reader.ts";
import {
  mapWooCommerceOrder,
  WOO_CANCELLED_STATUSES,
  type WooOrderOptions,
} from "../../mapping/builtin/woocommerce-order-mapper.ts";
import { decodeJsonDocument } from "../../mapping/decode-json.ts";
import { validateCanonical } from "../../mapping/model-validator.ts";
import type { EventInput, InboxMessage, JsonValue } from "../../store/store.ts";
import type { ConnectionSettings, DecodeOutcome, InboundConnector } from "../connector.ts";

export const WOOCOMMERCE_TYPE = "woocommerce";
export const ORDER_RECEIVED = "order.received";
export const ORDER_CANCELLED = "order.cancelled";
export const WOOCOMMERCE_ORDER_MAPPING = "woocommerce-order@1";

/** Settings of a `woocommerce` connection read by this connector. */
export interface WooCommerceSettings extends ConnectionSettings, WooOrderOptions {
  /** The channel of the orders; default the connection name. Lower case, digits, `-`, `_`. */
  channel?: string;
  /** Largest body decoded, bytes. Default 2 MiB. */
  maxBodyBytes?: number;
}

/** Data of an `order.cancelled` event from WooCommerce. */
export interface WooOrderCancelled {
  channel: string;
  channelOrderId: string;
  cancelledAt: string | null;
  reason: string;
  receivedVia: "woocommerce";
  messageId: string;
}

const CHANNEL = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const ORDER_ID = /^[1-9][0-9]{0,19}$/;
const PING = /^webhook_id=\d{1,20}$/;
const HANDLED = new Set(["order.created", "order.updated", "order.deleted", "order.restored"]);

function reject(message: string, details: Record<string, unknown>): DecodeOutcome {
  return { ok: false, error: new CrossdockError("CDK_DECODE_FAILED", message, { details }) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function orderIdOf(body: Record<string, unknown>): string | undefined {
  const text = typeof body.id === "number" && Number.isSafeInteger(body.id) ? String(body.id) : body.id;
  return typeof text === "string" && ORDER_ID.test(text) ? text : undefined;
}

function channelOf(connectionName: string, settings: WooCommerceSettings): string | undefined {
  if (settings.channel !== undefined)
    return typeof settings.channel === "string" && CHANNEL.test(settings.channel)
      ? settings.channel
      : undefined;
  return CHANNEL.test(connectionName) ? connectionName : undefined;
}

function options(settings: WooCommerceSettings): WooOrderOptions {
  return {
    ...(settings.skuFallback === "product-id" ? { skuFallback: "product-id" as const } : {}),
    ...(typeof settings.feeSku === "string" && settings.feeSku !== "" ? { feeSku: settings.feeSku } : {}),
  };
}

export const woocommerceWebhookConnector: InboundConnector = {
  type: WOOCOMMERCE_TYPE,
  decode(message: InboxMessage, connectionName: string, raw: ConnectionSettings): DecodeOutcome {
    const settings = raw as WooCommerceSettings;
    const where = `message ${message.id} (connection ${connectionName}, key ${message.dedupeKey})`;
    const topic = message.headers["x-wc-webhook-topic"];
    if (message.body.byteLength <= 32 && PING.test(Buffer.from(message.body).toString("latin1"))) {
      return { ok: true, events: [], jobs: [] }; // the activation ping: nothing to do
    }
    if (typeof topic !== "string" || topic === "") {
      return reject(`${where}: no X-WC-Webhook-Topic header, so the body's meaning is unknown`, {
        where,
        expected: "a WooCommerce webhook with X-WC-Webhook-Topic",
      });
    }
    if (!HANDLED.has(topic)) return { ok: true, events: [], jobs: [] };
    const channel = channelOf(connectionName, settings);
    if (channel === undefined) {
      return reject(
        `${where}: the channel "${String(settings.channel ?? connectionName)}" is not a channel name (lower case letters, digits, - and _, at most 64); set channel: on the connection`,
        { where },
      );
    }
    const maxBytes =
      typeof settings.maxBodyBytes === "number" && settings.maxBodyBytes > 0
        ? settings.maxBodyBytes
        : 2 * 1024 * 1024;
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
    if (!isObject(body))
      return reject(`${where}: ${topic} body /: must be a JSON object (the order)`, { where, path: "" });
    const common = { causationId: message.id, ...(message.trace ? { trace: message.trace } : {}) };
    const status = typeof body.status === "string" ? body.status : undefined;
    if (
      topic === "order.deleted" ||
      (topic === "order.updated" && status !== undefined && WOO_CANCELLED_STATUSES.has(status))
    ) {
      const id = orderIdOf(body);
      if (id === undefined) {
        return reject(
          `${where}: ${topic} body /id: must be WooCommerce's order id (a positive whole number)`,
          { where, path: "/id" },
        );
      }
      const modified =
        typeof body.date_modified_gmt === "string" ? `${body.date_modified_gmt.replace(/Z?$/, "")}Z` : null;
      const data: WooOrderCancelled = {
        channel,
        channelOrderId: id,
        cancelledAt: modified,
        reason: topic === "order.deleted" ? "deleted in WooCommerce" : `WooCommerce status ${status}`,
        receivedVia: "woocommerce",
        messageId: message.id,
      };
      const event: EventInput = {
        stream: `order:${channel}:${id}`,
        type: ORDER_CANCELLED,
        data: data as unknown as JsonValue,
        ...common,
      };
      return { ok: true, events: [event], jobs: [] };
    }
    let problems: { path: string; message: string }[];
    try {
      const order = mapWooCommerceOrder(body, channel, options(settings));
      problems = validateCanonical("order/v1", order);
      if (problems.length === 0) {
        const event: EventInput = {
          stream: `order:${channel}:${order.channelOrderId}`,
          type: ORDER_RECEIVED,
          data: {
            receivedVia: "woocommerce",
            topic,
            mapping: WOOCOMMERCE_ORDER_MAPPING,
            messageId: message.id,
            order: order as unknown as JsonValue,
          },
          ...common,
        };
        return { ok: true, events: [event], jobs: [] };
      }
    } catch (cause) {
      if (!(cause instanceof DocumentFault) && !(cause instanceof RangeError)) throw cause;
      const path = cause instanceof DocumentFault ? cause.path : "";
      const reason =
        cause instanceof DocumentFault ? cause.message.slice((path || "/").length + 2) : cause.message;
      problems = [{ path, message: reason }];
    }
    const shown = problems.slice(0, 10);
    const more = problems.length > shown.length ? `; and ${problems.length - shown.length} more` : "";
    return reject(
      `${where}: ${topic} body does not map to order/v1 with ${WOOCOMMERCE_ORDER_MAPPING}: ${shown.map((p) => `${p.path || "/"} ${p.message}`).join("; ")}${more}`,
      { where, mapping: WOOCOMMERCE_ORDER_MAPPING, problems: shown },
    );
  },
};
