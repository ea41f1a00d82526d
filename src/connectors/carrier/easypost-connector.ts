/**
 * Inbound connector `easypost`: EasyPost Event webhooks about trackers become canonical shipment
 * tracking events on the parcel's stream `shipment:<carrier>:<tracking code>`:
 *
 * - `tracker.created` and `tracker.updated` -> one `shipment.tracking_updated` (`TrackingUpdated`:
 *   normalised status, the carrier's own status, scans, estimated delivery, signer, URL);
 * - plus one `shipment.delivered` when the parcel became delivered with this event (a created tracker
 *   already delivered, or an update whose `previous_attributes.status` was another status). An update
 *   of a delivered tracker that changes something else gives no second `shipment.delivered`;
 * - any other Event (`batch.*`, `shipment.invoice.*`, ...) is kept and acknowledged with no events.
 *
 * Signatures are the gateway's (`signature: { scheme: easypost }` on the connection, verified on the
 * raw bytes by `src/gateway/signatures/easypost-verifier.ts`, which also makes the Event id the
 * message's dedupe key, so EasyPost's retries of one Event are stored once). A body that is not a
 * Tracker Event is refused with a located `CDK_DECODE_FAILED` (JSON pointer of each problem).
 */
import { CrossdockError } from "../../core/errors.ts";
import { decodeJsonDocument } from "../../mapping/decode-json.ts";
import type { EventInput, InboxMessage, JsonValue } from "../../store/store.ts";
import type { ConnectionSettings, DecodeOutcome, InboundConnector } from "../connector.ts";
import { isObject, type Problems, readTracker, type TrackingUpdate } from "./easypost-tracker.ts";
import { SHIPMENT_STATUS_OF, type TrackingStatus } from "./tracking-status.ts";

export const EASYPOST_TYPE = "easypost";
export const SHIPMENT_TRACKING_UPDATED = "shipment.tracking_updated";
export const SHIPMENT_DELIVERED = "shipment.delivered";
const TRACKER_EVENTS = new Set(["tracker.created", "tracker.updated"]);

/** Settings of an `easypost` connection besides `type` and `signature`. */
export interface EasyPostSettings extends ConnectionSettings {
  /** Largest body decoded, bytes. Default 1 MiB (a tracker with hundreds of scans stays well below). */
  maxBodyBytes?: number;
  /** EasyPost carrier names to the hub's carrier codes, e.g. `{ "FedExDefault": "fedex" }`. Default: lower-cased. */
  carrierCodes?: Record<string, string>;
  /** Only Events of this mode give events (`production` ignores test-mode Events). Default: both. */
  mode?: "production" | "test";
}

/** Data of `shipment.tracking_updated`. */
export interface TrackingUpdated extends TrackingUpdate {
  /** The canonical `shipment.status` this implies, when it implies one. */
  shipmentStatus: string | null;
  previousStatus: string | null;
  eventId: string;
  eventType: string;
  receivedVia: "easypost";
  messageId: string;
}

/** Data of `shipment.delivered`. */
export interface ShipmentDelivered {
  carrier: string;
  trackingCode: string;
  trackerId: string;
  deliveredAt: string | null;
  signedBy: string | null;
  eventId: string;
  receivedVia: "easypost";
  messageId: string;
}

function reject(message: string, details: Record<string, unknown>): DecodeOutcome {
  return { ok: false, error: new CrossdockError("CDK_DECODE_FAILED", message, { details }) };
}

/** Reads an Event body: its id, description, previous status and tracker, or located problems. */
export function readTrackerEvent(
  body: unknown,
  carrierCodes: Readonly<Record<string, string>> = {},
):
  | {
      ok: true;
      id: string;
      description: string;
      mode: string | null;
      previousStatus: string | null;
      update: TrackingUpdate | undefined;
    }
  | { ok: false; problems: Problems } {
  if (!isObject(body))
    return { ok: false, problems: [{ path: "", message: "must be a JSON object (an EasyPost Event)" }] };
  const problems: Problems = [];
  if (body.object !== "Event") problems.push({ path: "/object", message: 'must be "Event"' });
  if (typeof body.id !== "string" || !/^[A-Za-z0-9_-]{1,128}$/.test(body.id))
    problems.push({ path: "/id", message: "must be the Event id (evt_...)" });
  if (typeof body.description !== "string" || !/^[a-z_.]{1,64}$/.test(body.description))
    problems.push({ path: "/description", message: "must be the Event's type, e.g. tracker.updated" });
  const previous = body.previous_attributes;
  if (previous !== undefined && previous !== null && !isObject(previous))
    problems.push({ path: "/previous_attributes", message: "must be an object" });
  const previousStatus = isObject(previous) && typeof previous.status === "string" ? previous.status : null;
  if (problems.length > 0) return { ok: false, problems };
  const description = body.description as string;
  const mode = typeof body.mode === "string" ? body.mode : null;
  if (!TRACKER_EVENTS.has(description))
    return { ok: true, id: body.id as string, description, mode, previousStatus, update: undefined };
  const tracker = readTracker(body.result, "/result", carrierCodes);
  if (!tracker.ok) return tracker;
  return { ok: true, id: body.id as string, description, mode, previousStatus, update: tracker.update };
}

function deliveredAt(update: TrackingUpdate): string | null {
  const scan = update.details.findLast((d) => d.status === "delivered");
  return scan?.occurredAt ?? update.updatedAt;
}

export const easypostConnector: InboundConnector = {
  type: EASYPOST_TYPE,
  decode(message: InboxMessage, connectionName: string, settings: ConnectionSettings): DecodeOutcome {
    const s = settings as EasyPostSettings;
    const where = `message ${message.id} (connection ${connectionName}, key ${message.dedupeKey})`;
    const maxBytes = typeof s.maxBodyBytes === "number" && s.maxBodyBytes > 0 ? s.maxBodyBytes : 1024 * 1024;
    if (message.body.byteLength > maxBytes) {
      return reject(
        `${where}: body of ${message.body.byteLength} bytes is above the ${maxBytes} an EasyPost Event may have`,
        { where, size: message.body.byteLength, limit: maxBytes },
      );
    }
    const decoded = decodeJsonDocument(message.body, `${where}: body`);
    if (!decoded.ok) return decoded;
    const codes = isObject(s.carrierCodes) ? (s.carrierCodes as Record<string, string>) : {};
    const read = readTrackerEvent(decoded.document, codes);
    if (!read.ok) {
      const shown = read.problems.slice(0, 10);
      const more =
        read.problems.length > shown.length ? `; and ${read.problems.length - shown.length} more` : "";
      return reject(
        `${where}: not an EasyPost tracker Event: ${shown.map((p) => `${p.path || "/"} ${p.message}`).join("; ")}${more}`,
        { where, problems: shown, expected: "an EasyPost Event (tracker.created or tracker.updated)" },
      );
    }
    const update = read.update;
    if (update === undefined || (s.mode !== undefined && read.mode !== s.mode))
      return { ok: true, events: [], jobs: [] };
    const common = { causationId: message.id, ...(message.trace ? { trace: message.trace } : {}) };
    const stream = `shipment:${update.carrier}:${update.trackingCode}`;
    const data: TrackingUpdated = {
      ...update,
      shipmentStatus: SHIPMENT_STATUS_OF[update.status] ?? null,
      previousStatus: read.previousStatus,
      eventId: read.id,
      eventType: read.description,
      receivedVia: "easypost",
      messageId: message.id,
    };
    const events: EventInput[] = [
      { stream, type: SHIPMENT_TRACKING_UPDATED, data: data as unknown as JsonValue, ...common },
    ];
    const becameDelivered =
      read.description === "tracker.created" ||
      (read.previousStatus !== null && read.previousStatus !== "delivered");
    if ((update.status satisfies TrackingStatus) === "delivered" && becameDelivered) {
      const delivered: ShipmentDelivered = {
        carrier: update.carrier,
        trackingCode: update.trackingCode,
        trackerId: update.trackerId,
        deliveredAt: deliveredAt(update),
        signedBy: update.signedBy,
        eventId: read.id,
        receivedVia: "easypost",
        messageId: message.id,
      };
      events.push({ stream, type: SHIPMENT_DELIVERED, data: delivered as unknown as JsonValue, ...common });
    }
    return { ok: true, events, jobs: [] };
  },
};
