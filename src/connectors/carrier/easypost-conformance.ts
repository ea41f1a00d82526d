/**
 * The `easypost-json` answer to `crossdock conformance`: what the hub makes of an EasyPost JSON
 * document. Understood shapes: an Event (with a Tracker `result`, or without one as the events API
 * lists them), a list of Events, a Tracker, a list of Trackers, a Shipment (its `tracker`). Each
 * tracker read gives one `tracking` record (a `shipment.tracking_updated` event). Anything else is a
 * located error naming what was found at `/`.
 */
import { decodeJsonDocument } from "../../mapping/decode-json.ts";
import type { ConformanceDecoder, ConformanceResult } from "../conformance.ts";
import { readTrackerEvent } from "./easypost-connector.ts";
import { isObject, type Problems, readTracker } from "./easypost-tracker.ts";
import { locateJsonPointer } from "./locate-json-pointer.ts";

interface Tally {
  documents: Map<string, number>;
  tracking: number;
  warnings: string[];
  problems: Problems;
}

function count(tally: Tally, type: string): void {
  tally.documents.set(type, (tally.documents.get(type) ?? 0) + 1);
}

function tracker(tally: Tally, value: unknown, base: string): void {
  const read = readTracker(value, base);
  if (read.ok) tally.tracking++;
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
  else if (read.update) tally.tracking++;
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
    const text = Buffer.from(head.buffer, head.byteOffset, Math.min(head.byteLength, 8_192)).toString("utf8");
    if (!/^\s*[[{]/.test(text)) return false;
    return (
      /"object"\s*:\s*"(Event|Tracker|Shipment)"|"tracking_code"/.test(text) || /easypost/i.test(fileName)
    );
  },
  decode(fileName, bytes): ConformanceResult {
    const text = Buffer.from(bytes).toString("utf8");
    const base = { file: fileName, format: "easypost-json" } as const;
    const decoded = decodeJsonDocument(text, fileName);
    if (!decoded.ok) {
      const d = (decoded.error.details ?? {}) as { line?: number; column?: number };
      return {
        ...base,
        outcome: "error",
        documents: [],
        records: {},
        error: {
          code: "CDK_DECODE_FAILED",
          message: decoded.error.message,
          location: { line: d.line ?? 1, ...(d.column ? { column: d.column } : {}) },
        },
      };
    }
    const tally: Tally = { documents: new Map(), tracking: 0, warnings: [], problems: [] };
    walk(tally, decoded.document);
    const documents = [...tally.documents].map(([type, n]) => ({ type, count: n }));
    const records: Record<string, number> = tally.tracking > 0 ? { tracking: tally.tracking } : {};
    const problem = tally.problems[0];
    if (problem === undefined)
      return {
        ...base,
        outcome: "parsed",
        documents,
        records,
        ...(tally.warnings.length ? { warnings: tally.warnings } : {}),
      };
    const where = locateJsonPointer(text, problem.path);
    return {
      ...base,
      outcome: "error",
      documents,
      records,
      error: {
        code: "CDK_DECODE_FAILED",
        message: `${fileName} line ${where.line} at ${problem.path || "/"}: ${problem.message}`,
        location: { line: where.line, column: where.column, field: problem.path },
      },
      warnings: [
        ...tally.warnings,
        ...(tally.problems.length > 1 ? [`${tally.problems.length - 1} more problems`] : []),
      ],
    };
  },
};
