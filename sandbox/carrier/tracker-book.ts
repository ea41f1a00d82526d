import type { SimScheduler } from "../partner-kit/sim-scheduler.ts";

/** EasyPost's tracker statuses the sandbox walks through, in order. */
export const TRACKER_STATUSES = ["pre_transit", "in_transit", "out_for_delivery", "delivered"] as const;
export type TrackerStatus = (typeof TRACKER_STATUSES)[number];

/** Time spent in each status before the next, ms on the sandbox clock. */
export type TrackerTimings = Record<Exclude<TrackerStatus, "delivered">, number>;

export const DEFAULT_TIMINGS: TrackerTimings = {
  pre_transit: 2 * 3_600_000,
  in_transit: 24 * 3_600_000,
  out_for_delivery: 4 * 3_600_000,
};

const STEP: Record<
  TrackerStatus,
  { detail: string; message: string; city: string | null; state: string | null; zip: string | null }
> = {
  pre_transit: {
    detail: "label_created",
    message: "Shipping Label Created",
    city: null,
    state: null,
    zip: null,
  },
  in_transit: {
    detail: "arrived_at_facility",
    message: "Arrived at carrier facility",
    city: "LOUISVILLE",
    state: "KY",
    zip: "40209",
  },
  out_for_delivery: {
    detail: "out_for_delivery",
    message: "Out for delivery",
    city: "BROOKLYN",
    state: "NY",
    zip: "11201",
  },
  delivered: {
    detail: "arrived_at_destination",
    message: "Delivered, front door",
    city: "BROOKLYN",
    state: "NY",
    zip: "11201",
  },
};

/** An EasyPost Tracker object, as JSON. */
export type TrackerJson = Record<string, unknown> & {
  id: string;
  tracking_code: string;
  carrier: string;
  status: TrackerStatus;
  tracking_details: Record<string, unknown>[];
};

export interface TrackerBookDeps {
  scheduler: SimScheduler;
  timings: TrackerTimings;
  mode: "test" | "production";
  newId: (prefix: string) => string;
  /** Called for `tracker.created` and each `tracker.updated`, with the status before (updates only). */
  event: (
    description: "tracker.created" | "tracker.updated",
    tracker: TrackerJson,
    previous?: TrackerStatus,
  ) => void;
}

/**
 * The carrier's trackers. A tracker is created in `pre_transit` and moves to `in_transit`,
 * `out_for_delivery` and `delivered` as the sandbox clock passes each status's time, adding a
 * tracking detail and emitting `tracker.updated` at each step. Creating a tracker twice for the same
 * code and carrier returns the first one, as EasyPost does.
 */
export class TrackerBook {
  readonly trackers = new Map<string, TrackerJson>();
  readonly #deps: TrackerBookDeps;

  constructor(deps: TrackerBookDeps) {
    this.#deps = deps;
  }

  #iso(): string {
    return new Date(this.#deps.scheduler.clock.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  #detail(status: TrackerStatus, carrier: string): Record<string, unknown> {
    const step = STEP[status];
    return {
      object: "TrackingDetail",
      message: step.message,
      description: step.message,
      status,
      status_detail: step.detail,
      datetime: this.#iso(),
      source: carrier,
      carrier_code: null,
      tracking_location: {
        object: "TrackingLocation",
        city: step.city,
        state: step.state,
        country: "US",
        zip: step.zip,
      },
    };
  }

  /** Finds or creates the tracker for a code and carrier; `created` says which. */
  create(trackingCode: string, carrier: string): { tracker: TrackerJson; created: boolean } {
    for (const t of this.trackers.values()) {
      if (t.tracking_code === trackingCode && t.carrier === carrier) return { tracker: t, created: false };
    }
    const id = this.#deps.newId("trk");
    const at = this.#iso();
    const total = Object.values(this.#deps.timings).reduce((a, b) => a + b, 0);
    const tracker: TrackerJson = {
      id,
      object: "Tracker",
      mode: this.#deps.mode,
      tracking_code: trackingCode,
      status: "pre_transit",
      status_detail: STEP.pre_transit.detail,
      created_at: at,
      updated_at: at,
      signed_by: null,
      weight: null,
      est_delivery_date: new Date(this.#deps.scheduler.clock.now() + total)
        .toISOString()
        .replace(/\.\d{3}Z$/, "Z"),
      shipment_id: null,
      carrier,
      tracking_details: [this.#detail("pre_transit", carrier)],
      carrier_detail: {
        object: "CarrierDetail",
        service: "Ground",
        container_type: null,
        origin_location: "LOUISVILLE KY US",
        destination_location: "BROOKLYN NY US",
      },
      finalized: false,
      is_return: false,
      public_url: `https://track.easypost.com/sandbox/${id}`,
    };
    this.trackers.set(id, tracker);
    this.#deps.event("tracker.created", tracker);
    this.#schedule(tracker);
    return { tracker, created: true };
  }

  #schedule(tracker: TrackerJson): void {
    const status = tracker.status;
    if (status === "delivered") return;
    // A step moved by hand in the meantime makes this one stale: it then does nothing.
    this.#deps.scheduler.at(this.#deps.timings[status], () => {
      if (tracker.status === status) this.advance(tracker.id);
    });
  }

  /** Moves a tracker to its next status now (tests may call it directly); false when already delivered. */
  advance(id: string): boolean {
    const tracker = this.trackers.get(id);
    if (!tracker || tracker.status === "delivered") return false;
    const previous = tracker.status;
    const next = TRACKER_STATUSES[TRACKER_STATUSES.indexOf(previous) + 1] as TrackerStatus;
    tracker.status = next;
    tracker.status_detail = STEP[next].detail;
    tracker.updated_at = this.#iso();
    tracker.tracking_details.push(this.#detail(next, tracker.carrier));
    if (next === "delivered") {
      tracker.signed_by = "J. DOE";
      tracker.finalized = true;
    }
    this.#deps.event("tracker.updated", tracker, previous);
    this.#schedule(tracker);
    return true;
  }
}
