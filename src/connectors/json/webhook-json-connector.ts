import { CrossdockError } from "../../core/errors.ts";
import type { EventInput, InboxMessage, JobInput, JsonValue } from "../../store/store.ts";
import type { ConnectionSettings, DecodeOutcome, InboundConnector } from "../connector.ts";
import { readPointer } from "./json-pointer.ts";
import { parseJsonLocated } from "./parse-json-located.ts";

export const WEBHOOK_JSON_TYPE = "webhook-json";

/**
 * Settings of a `webhook-json` connection: a JSON body becomes one event and one delivery job per
 * target. This is the core's generic inbound connector; channel connectors (Shopify, WooCommerce) and
 * the route configuration of the flows issue build on the same port.
 */
export interface WebhookJsonSettings extends ConnectionSettings {
  /** Event type emitted for each message. Default `message.received`. */
  eventType?: string;
  /** JSON pointer to the business key (e.g. `/id`); the event stream is `<connection>:<key>`. */
  keyPointer?: string;
  /** Targets that receive one delivery job per message, ordered per business key. */
  deliverTo?: string[];
}

function settingsOf(settings: ConnectionSettings): Required<
  Pick<WebhookJsonSettings, "eventType" | "deliverTo">
> & {
  keyPointer: string | undefined;
} {
  const s = settings as WebhookJsonSettings;
  return {
    eventType: s.eventType ?? "message.received",
    keyPointer: s.keyPointer,
    deliverTo: s.deliverTo ?? [],
  };
}

function reject(message: string, details: Record<string, unknown>): DecodeOutcome {
  return { ok: false, error: new CrossdockError("CDK_DECODE_FAILED", message, { details }) };
}

export const webhookJsonConnector: InboundConnector = {
  type: WEBHOOK_JSON_TYPE,
  decode(message: InboxMessage, connectionName: string, settings: ConnectionSettings): DecodeOutcome {
    const { eventType, keyPointer, deliverTo } = settingsOf(settings);
    const where = `message ${message.id} (connection ${connectionName}, key ${message.dedupeKey})`;
    let body: unknown;
    try {
      body = parseJsonLocated(Buffer.from(message.body).toString("utf8"), `${where}: body`);
    } catch (error) {
      return { ok: false, error: error as CrossdockError };
    }
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      return reject(
        `${where}: body must be a JSON object (got ${Array.isArray(body) ? "an array" : typeof body})`,
        {
          where,
          expected: "a JSON object",
        },
      );
    }
    let businessKey = message.dedupeKey;
    if (keyPointer !== undefined) {
      const value = readPointer(body, keyPointer);
      if (typeof value !== "string" && typeof value !== "number") {
        return reject(
          `${where}: body at ${keyPointer} is ${value === undefined ? "missing" : `a ${typeof value}`} (expected a string or number business key)`,
          { where, pointer: keyPointer, expected: "a string or number" },
        );
      }
      businessKey = String(value);
    }
    const stream = `${connectionName}:${businessKey}`;
    const event: EventInput = {
      stream,
      type: eventType,
      data: body as JsonValue,
      causationId: message.id,
      ...(message.trace ? { trace: message.trace } : {}),
    };
    const jobs: JobInput[] = deliverTo.map((target) => ({
      target,
      kind: eventType,
      idempotencyKey: `${connectionName}:${message.dedupeKey}:${target}`,
      orderingKey: stream,
      payload: body as JsonValue,
      ...(message.trace ? { trace: message.trace } : {}),
    }));
    return { ok: true, events: [event], jobs };
  },
};
