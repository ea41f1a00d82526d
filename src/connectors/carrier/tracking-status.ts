/**
 * Tracking statuses: the carrier's (EasyPost's) to the hub's normalised set, and the normalised one
 * to the canonical shipment's `status`. Stored in events and compared by flows: values are only ever
 * added, never renamed.
 */

/** The hub's tracking statuses, in the order a parcel usually goes through them. */
export const TRACKING_STATUSES = [
  "unknown",
  "pre_transit",
  "in_transit",
  "out_for_delivery",
  "available_for_pickup",
  "delivered",
  "return_to_sender",
  "failure",
  "cancelled",
] as const;
export type TrackingStatus = (typeof TRACKING_STATUSES)[number];

/**
 * EasyPost's `status` values and what they become. `error` (EasyPost could not track: a wrong code
 * or carrier) is a `failure` for the hub; an unknown value is refused by the reader, not guessed.
 */
export const EASYPOST_STATUS: Readonly<Record<string, TrackingStatus>> = {
  unknown: "unknown",
  pre_transit: "pre_transit",
  in_transit: "in_transit",
  out_for_delivery: "out_for_delivery",
  available_for_pickup: "available_for_pickup",
  delivered: "delivered",
  return_to_sender: "return_to_sender",
  failure: "failure",
  cancelled: "cancelled",
  error: "failure",
};

/** The canonical `shipment.status` a tracking status implies, when it implies one. */
export const SHIPMENT_STATUS_OF: Readonly<
  Record<TrackingStatus, "shipped" | "in_transit" | "delivered" | "returned" | "cancelled" | undefined>
> = {
  unknown: undefined,
  pre_transit: "shipped",
  in_transit: "in_transit",
  out_for_delivery: "in_transit",
  available_for_pickup: "in_transit",
  delivered: "delivered",
  return_to_sender: "returned",
  failure: undefined,
  cancelled: "cancelled",
};

/** A carrier's name as a short code: `FedEx` -> `fedex`, `UPS` -> `ups`, `USPS` -> `usps`. */
export function carrierCode(name: string, overrides: Readonly<Record<string, string>> = {}): string {
  const configured = Object.hasOwn(overrides, name) ? overrides[name] : undefined;
  if (configured !== undefined) return configured;
  const code = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return code === "" ? "unknown" : code.slice(0, 64);
}
