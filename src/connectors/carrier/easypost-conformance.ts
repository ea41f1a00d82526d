/**
 * The `easypost-json` answer to `crossdock conformance`: what the hub makes of an EasyPost JSON
 * document. Understood shapes: an Event (with a Tracker `result`, or without one as the events API
 * lists them), a list of Events, a Tracker, a list of Trackers, a Shipment (its `tracker`). Each
 * tracker read gives one `tracking` record (a `shipment.tracking_updated` event). Anything else is a
 * located error naming what was found at `/`.
 */
import type { ConformanceDecoder } from "../conformance.ts";
import {
  decodeJsonConformance,
  headText,
  type ConformanceTally as Tally,
} from "../shopify/json-conformance-tally.ts";
import { readTrackerEvent } from "./easypost-connector.ts";
import { isObject, readTracker } from "./easypost-tracker.ts";

/** A tracker read is a `tracking` record: a `shipment.tracking_updated` event, not a model entity. */
function tracked(tally: Tally): void {
  tally.records.set("tracking", (tally.records.get("tracking") ?? 0) + 1);
}

function count(tally: Tally, type: string): void {
  tally.document(type);
}

function tracker(tally: Tally, value: unknown, base: string): void {
  const read = readTracker(value, base);
  if (read.ok) tracked(tally);
  else tally.problems.push(...read.problems);
}

function event(tally: Tally, value: unknown, base: string): void {
  const described = isObject(value) && typeof value.description === "string" ? value.description : "Event";
  count(tally, described);
  if (isObject(value) && (value.result === undefined || value.result === null)) {
    tally.warnings.push(
      `${base || "/"}: ${described} Event without a result (as the events API lists them): nothing to track`,
    );
    return;
  }
  const read = readTrackerEvent(value);
  if (!read.ok)
    tally.problems.push(...read.problems.map((p) => ({ path: `${base}${p.path}`, message: p.message })));
  else if (read.update) tracked(tally);
  else tally.warnings.push(`${base || "/"}: ${described} is not a tracker Event: no tracking`);
}

function walk(tally: Tally, document: unknown): void {
  if (!isObject(document)) {
    tally.problems.push({
      path: "",
      message: `is ${Array.isArray(document) ? "an array" : typeof document}, expected an EasyPost object or list`,
    });
    return;
  }
  if (document.object === "Event") {
    event(tally, document, "");
    return;
  }
  if (document.object === "Tracker") {
    count(tally, "Tracker");
    tracker(tally, document, "");
    return;
  }
  if (Array.isArray(document.events)) {
    for (const [i, e] of (document.events as unknown[]).entries()) event(tally, e, `/events/${i}`);
    return;
  }
  if (Array.isArray(document.trackers)) {
    for (const [i, t] of (document.trackers as unknown[]).entries()) {
      count(tally, "Tracker");
      tracker(tally, t, `/trackers/${i}`);
    }
    return;
  }
  if (document.object === "Shipment" || (typeof document.id === "string" && document.id.startsWith("shp_"))) {
    count(tally, "Shipment");
    if (document.tracker === null || document.tracker === undefined)
      tally.warnings.push("the Shipment has no tracker yet: nothing to track");
    else tracker(tally, document.tracker, "/tracker");
    return;
  }
  const keys = Object.keys(document).slice(0, 8).join(", ");
  tally.problems.push({
    path: "",
    message: `is not an EasyPost Event, Tracker, Shipment or list of them (keys: ${keys})`,
  });
}

export const easypostConformanceDecoder: ConformanceDecoder = {
  format: "easypost-json",
  sniff(fileName, head) {
    const text = headText(head);
    if (!/^\s*[[{]/.test(text)) return false;
    return (
      /"object"\s*:\s*"(Event|Tracker|Shipment)"|"tracking_code"/.test(text) || /easypost/i.test(fileName)
    );
  },
  decode(fileName, bytes) {
    return decodeJsonConformance("easypost-json", fileName, bytes, walk);
  },
};
