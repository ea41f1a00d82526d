/**
 * Inbound connector `warehouse-3pl`: the 3PL's `shipment.confirmed` callback (see
 * `sandbox/warehouse3pl/README.md`) becomes ONE `shipment.dispatched` event on the order's stream,
 * `order:<reference>`, which is what the order-to-cash workflow waits for.
 *
 * The signature is the gateway's business (`signature: { scheme: standard-webhooks }` on the
 * connection, checked on the raw bytes before anything is stored); this connector only decodes.
 *
 * The event's data is a canonical `shipment/v1` plus one field, `complete`, which the workflow reads
 * and the closed shipment schema has no place for: `canonicalShipment(data)` drops it and gives a
 * document that passes `checkModel("shipment", ...)`. A confirmation that ships nothing (the rest of an
 * order cancelled by the warehouse, or a pick that found no stock) still gives its event, with no
 * lines, because the workflow must learn the order is complete; it is then not a valid shipment.
 */
import { CrossdockError } from "../../core/errors.ts";
import type { Shipment } from "../../core/model/shipment.ts";
import type { ShipmentNotice } from "../../flows/order-to-cash/order-to-cash-ports.ts";
import { decodeJsonDocument } from "../../mapping/decode-json.ts";
import type { EventInput, InboxMessage, JsonValue } from "../../store/store.ts";
import type { ConnectionSettings, DecodeOutcome, InboundConnector } from "../connector.ts";

export const WAREHOUSE_3PL_TYPE = "warehouse-3pl";
/** The workflow's `SHIPMENT_DISPATCHED`, repeated so the connector does not import the flow. */
const SHIPMENT_DISPATCHED = "shipment.dispatched";

/** Settings of a `warehouse-3pl` connection besides `type` and `signature`. */
export interface Warehouse3plSettings extends ConnectionSettings {
  /** The warehouse code written on the shipments (canonical `warehouse`), e.g. `3PL-EAST`. */
  warehouse?: string;
  /** Largest callback decoded, bytes. Default 256 KiB (the 3PL's own request limit). */
  maxBodyBytes?: number;
}

/** What the event carries: the notice the workflow reads, which is also a shipment plus `complete`. */
export type ShipmentDispatched = ShipmentNotice &
  Omit<Shipment, "lines"> & { lines: { sku: string; quantity: string; uom: string }[] };

/** The canonical `shipment/v1` inside a `shipment.dispatched` event's data. */
export function canonicalShipment(data: ShipmentDispatched): Shipment {
  const { complete: _complete, ...shipment } = data;
  return shipment as Shipment;
}

const MAX_LINES = 10_000;
const MAX_PACKAGES = 1_000;
const ID = /^[^\s\p{Cc}]([^\p{Cc}]*[^\s\p{Cc}])?$/u;
// The order key the hub sends as the reference: `<channel>:<channelOrderId>`.
const REFERENCE = /^([a-z0-9][a-z0-9_-]{0,63}):([^\s\p{Cc}](?:[^\p{Cc}]*[^\s\p{Cc}])?)$/u;
const TIMESTAMP =
  /^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$/;
const CODE = /^[A-Za-z0-9][A-Za-z0-9_./-]{0,63}$/;

/** The day exists (V8's `Date.parse` takes 2026-02-30 as 2 March). */
function isRealDay(timestamp: string): boolean {
  const [y, m, d] = timestamp.slice(0, 10).split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d)).getUTCDate() === d;
}

type Problems = { path: string; message: string }[];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown, max: number): value is string {
  return typeof value === "string" && value.length >= 1 && value.length <= max && ID.test(value);
}

/** A non-negative whole number of units, as the 3PL writes it, into a decimal string. */
function units(value: unknown): string | undefined {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? String(value) : undefined;
}

/**
 * Reads a confirmation into the event data, or every problem with its JSON pointer. Unknown fields are
 * ignored (a 3PL adds fields over time); the ones used are checked strictly.
 */
export function readShipmentConfirmation(
  body: unknown,
  warehouse: string | undefined,
): { ok: true; stream: string; data: ShipmentDispatched } | { ok: false; problems: Problems } {
  const problems: Problems = [];
  const at = (path: string, message: string) => problems.push({ path, message });
  if (!isObject(body)) return { ok: false, problems: [{ path: "", message: "must be a JSON object" }] };
  if (body.event !== "shipment.confirmed") at("/event", 'must be "shipment.confirmed"');
  if (!text(body.shipment_id, 255)) at("/shipment_id", "must be an id of 1 to 255 printable characters");
  const reference =
    typeof body.reference === "string" && body.reference.length <= 320
      ? REFERENCE.exec(body.reference)
      : null;
  if (!reference) at("/reference", "must be the hub's order key <channel>:<channelOrderId>");
  if (typeof body.complete !== "boolean") at("/complete", "must be true or false");
  if (typeof body.shipped_at !== "string" || !TIMESTAMP.test(body.shipped_at) || !isRealDay(body.shipped_at))
    at("/shipped_at", "must be an RFC 3339 timestamp with offset");
  for (const [field, max] of [
    ["carrier", 64],
    ["service", 128],
    ["tracking_number", 128],
  ] as const) {
    const v = body[field];
    if (v !== undefined && v !== null && v !== "" && !text(v, max))
      at(`/${field}`, `must be text of 1 to ${max} printable characters`);
  }
  const lines: ShipmentDispatched["lines"] = [];
  if (!Array.isArray(body.lines) || body.lines.length === 0 || body.lines.length > MAX_LINES) {
    at("/lines", `must be a list of 1 to ${MAX_LINES} lines`);
  } else {
    for (const [i, line] of (body.lines as unknown[]).entries()) {
      if (!isObject(line)) {
        at(`/lines/${i}`, "must be an object");
        continue;
      }
      if (!text(line.sku, 128)) at(`/lines/${i}/sku`, "must be a SKU of 1 to 128 printable characters");
      const shipped = units(line.shipped);
      if (shipped === undefined) at(`/lines/${i}/shipped`, "must be a whole number of units, 0 or more");
      else if (shipped !== "0" && text(line.sku, 128))
        lines.push({ sku: line.sku, quantity: shipped, uom: "C62" });
    }
  }
  const packages: NonNullable<Shipment["packages"]> = [];
  if (body.packages !== undefined && body.packages !== null) {
    if (!Array.isArray(body.packages) || body.packages.length > MAX_PACKAGES) {
      at("/packages", `must be a list of at most ${MAX_PACKAGES} packages`);
    } else {
      for (const [i, pack] of (body.packages as unknown[]).entries()) {
        if (!isObject(pack)) {
          at(`/packages/${i}`, "must be an object");
          continue;
        }
        const out: (typeof packages)[number] = {};
        if (text(pack.package_id, 255)) out.packageId = pack.package_id;
        if (text(pack.tracking_number, 128)) out.trackingNumber = pack.tracking_number;
        const grams = units(pack.weight_grams);
        if (grams !== undefined && grams !== "0") out.weight = { value: grams, unit: "g" };
        if (Array.isArray(pack.lines) && pack.lines.length <= MAX_LINES) {
          const contents = pack.lines.flatMap((c: unknown, j: number) => {
            const q = isObject(c) ? units(c.quantity) : undefined;
            if (!isObject(c) || !text(c.sku, 128) || q === undefined) {
              at(`/packages/${i}/lines/${j}`, "must be { sku, quantity } with a whole quantity");
              return [];
            }
            return q === "0" ? [] : [{ sku: c.sku, quantity: q }];
          });
          if (contents.length > 0) out.contents = contents;
        } else if (pack.lines !== undefined) at(`/packages/${i}/lines`, "must be a list");
        packages.push(out);
      }
    }
  }
  if (problems.length > 0 || !reference) return { ok: false, problems };
  const tracking =
    typeof body.tracking_number === "string" && body.tracking_number !== ""
      ? body.tracking_number
      : undefined;
  const data: ShipmentDispatched = {
    schemaVersion: 1,
    shipmentId: body.shipment_id as string,
    order: { channel: reference[1] as string, channelOrderId: reference[2] as string },
    ...(warehouse ? { warehouse } : {}),
    status: "shipped",
    complete: body.complete as boolean,
    ...(typeof body.carrier === "string" && body.carrier !== "" ? { carrier: body.carrier } : {}),
    ...(typeof body.service === "string" && body.service !== "" ? { service: body.service } : {}),
    ...(tracking ? { trackingNumber: tracking } : {}),
    shippedAt: body.shipped_at as string,
    lines,
    ...(packages.length > 0 ? { packages } : {}),
  };
  return { ok: true, stream: `order:${body.reference as string}`, data };
}

export const warehouseShipmentConnector: InboundConnector = {
  type: WAREHOUSE_3PL_TYPE,
  decode(message: InboxMessage, connectionName: string, settings: ConnectionSettings): DecodeOutcome {
    const s = settings as Warehouse3plSettings;
    const where = `message ${message.id} (connection ${connectionName}, key ${message.dedupeKey})`;
    const maxBytes = typeof s.maxBodyBytes === "number" ? s.maxBodyBytes : 256 * 1024;
    if (message.body.byteLength > maxBytes) {
      return reject(
        `${where}: body of ${message.body.byteLength} bytes is above the ${maxBytes} a shipment confirmation may have`,
        {
          where,
          size: message.body.byteLength,
          limit: maxBytes,
        },
      );
    }
    const decoded = decodeJsonDocument(message.body, `${where}: body`);
    if (!decoded.ok) return decoded;
    const warehouse = typeof s.warehouse === "string" && CODE.test(s.warehouse) ? s.warehouse : undefined;
    const read = readShipmentConfirmation(decoded.document, warehouse);
    if (!read.ok) {
      const shown = read.problems.slice(0, 10);
      return reject(
        `${where}: not a shipment confirmation: ${shown.map((p) => `${p.path || "/"} ${p.message}`).join("; ")}${
          read.problems.length > shown.length ? `; and ${read.problems.length - shown.length} more` : ""
        }`,
        { where, problems: shown, expected: "a 3PL shipment.confirmed callback" },
      );
    }
    const event: EventInput = {
      stream: read.stream,
      type: SHIPMENT_DISPATCHED,
      data: read.data as unknown as JsonValue,
      causationId: message.id,
      ...(message.trace ? { trace: message.trace } : {}),
    };
    return { ok: true, events: [event], jobs: [] };
  },
};

function reject(message: string, details: Record<string, unknown>): DecodeOutcome {
  return { ok: false, error: new CrossdockError("CDK_DECODE_FAILED", message, { details }) };
}
