/**
 * Reads an EasyPost Tracker (as in a `tracker.created` / `tracker.updated` Event's `result`, a
 * trackers list, or a bought Shipment's `tracker`) into a `TrackingUpdate`, strictly: every field the
 * hub uses is checked and every problem is reported with its JSON pointer. Fields the hub does not use
 * are ignored (EasyPost adds fields over time: `fees`, `carrier_detail` keys).
 */
import { carrierCode, EASYPOST_STATUS, type TrackingStatus } from "./tracking-status.ts";

export type Problems = { path: string; message: string }[];

/** One scan of the carrier, oldest first in a tracker. */
export interface TrackingDetail {
  status: TrackingStatus;
  statusDetail: string | null;
  message: string | null;
  occurredAt: string;
  location: { city: string | null; state: string | null; country: string | null; zip: string | null } | null;
}

/** What a tracker says, normalised: the data of a `shipment.tracking_updated` event. */
export interface TrackingUpdate {
  trackerId: string;
  carrier: string;
  carrierName: string;
  trackingCode: string;
  status: TrackingStatus;
  carrierStatus: string;
  statusDetail: string | null;
  estDeliveryDate: string | null;
  signedBy: string | null;
  service: string | null;
  trackingUrl: string | null;
  shipmentId: string | null;
  isReturn: boolean;
  mode: string | null;
  updatedAt: string | null;
  details: TrackingDetail[];
}

const TIMESTAMP =
  /^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$/;
const MAX_DETAILS = 1_000;

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown, max: number): string | null | undefined {
  if (value === null || value === undefined || value === "") return null;
  return typeof value === "string" && value.length <= max ? value : undefined;
}

/** Reads `tracker` found at `base` (a JSON pointer prefix such as `/result`). */
export function readTracker(
  tracker: unknown,
  base: string,
  carrierCodes: Readonly<Record<string, string>> = {},
): { ok: true; update: TrackingUpdate } | { ok: false; problems: Problems } {
  const problems: Problems = [];
  const at = (path: string, message: string) => void problems.push({ path: `${base}${path}`, message });
  if (!isObject(tracker))
    return { ok: false, problems: [{ path: base, message: "must be a Tracker object" }] };
  if (tracker.object !== "Tracker") at("/object", 'must be "Tracker"');
  if (typeof tracker.id !== "string" || !/^[A-Za-z0-9_-]{1,128}$/.test(tracker.id))
    at("/id", "must be the tracker id (trk_...)");
  const code = tracker.tracking_code;
  if (typeof code !== "string" || !/^[^\s\p{Cc}]{1,128}$/u.test(code))
    at("/tracking_code", "must be a tracking code of 1 to 128 printable characters without spaces");
  if (typeof tracker.carrier !== "string" || tracker.carrier.trim() === "" || tracker.carrier.length > 64)
    at("/carrier", "must be the carrier's name, 1 to 64 characters");
  const status = typeof tracker.status === "string" ? EASYPOST_STATUS[tracker.status] : undefined;
  if (status === undefined || !Object.hasOwn(EASYPOST_STATUS, tracker.status as string))
    at("/status", `must be one of ${Object.keys(EASYPOST_STATUS).join(", ")}`);
  for (const field of ["est_delivery_date", "updated_at"] as const) {
    const v = tracker[field];
    if (v !== null && v !== undefined && (typeof v !== "string" || !TIMESTAMP.test(v)))
      at(`/${field}`, "must be null or an RFC 3339 timestamp");
  }
  for (const [field, max] of [
    ["status_detail", 128],
    ["signed_by", 256],
    ["public_url", 2048],
    ["shipment_id", 128],
    ["mode", 32],
  ] as const) {
    if (text(tracker[field], max) === undefined)
      at(`/${field}`, `must be null or text of at most ${max} characters`);
  }
  const details: TrackingDetail[] = [];
  const list = tracker.tracking_details ?? [];
  if (!Array.isArray(list) || list.length > MAX_DETAILS)
    at("/tracking_details", `must be a list of at most ${MAX_DETAILS} tracking details`);
  else {
    for (const [i, detail] of (list as unknown[]).entries()) {
      const path = `/tracking_details/${i}`;
      if (!isObject(detail)) {
        at(path, "must be a TrackingDetail object");
        continue;
      }
      const s =
        typeof detail.status === "string" && Object.hasOwn(EASYPOST_STATUS, detail.status)
          ? EASYPOST_STATUS[detail.status]
          : undefined;
      if (s === undefined) at(`${path}/status`, "must be a known tracking status");
      if (typeof detail.datetime !== "string" || !TIMESTAMP.test(detail.datetime))
        at(`${path}/datetime`, "must be an RFC 3339 timestamp");
      const loc = detail.tracking_location;
      if (loc !== null && loc !== undefined && !isObject(loc))
        at(`${path}/tracking_location`, "must be null or a TrackingLocation object");
      if (s === undefined || typeof detail.datetime !== "string") continue;
      const place = (k: string) => (isObject(loc) ? (text(loc[k], 128) ?? null) : null);
      details.push({
        status: s,
        statusDetail: text(detail.status_detail, 128) ?? null,
        message: text(detail.message, 1_000) ?? null,
        occurredAt: detail.datetime,
        location: isObject(loc)
          ? { city: place("city"), state: place("state"), country: place("country"), zip: place("zip") }
          : null,
      });
    }
  }
  if (problems.length > 0 || status === undefined) return { ok: false, problems };
  const service = isObject(tracker.carrier_detail) ? text(tracker.carrier_detail.service, 128) : null;
  const name = (tracker.carrier as string).trim();
  return {
    ok: true,
    update: {
      trackerId: tracker.id as string,
      carrier: carrierCode(name, carrierCodes),
      carrierName: name,
      trackingCode: code as string,
      status,
      carrierStatus: tracker.status as string,
      statusDetail: text(tracker.status_detail, 128) ?? null,
      estDeliveryDate: (tracker.est_delivery_date as string | null | undefined) ?? null,
      signedBy: text(tracker.signed_by, 256) ?? null,
      service: service ?? null,
      trackingUrl: text(tracker.public_url, 2048) ?? null,
      shipmentId: text(tracker.shipment_id, 128) ?? null,
      isReturn: tracker.is_return === true,
      mode: text(tracker.mode, 32) ?? null,
      updatedAt: (tracker.updated_at as string | null | undefined) ?? null,
      details,
    },
  };
}
