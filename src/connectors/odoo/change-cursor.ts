/**
 * The change poller's cursors (watermark plus the seen set of the overlap window), the keyset paging
 * that reads past them, and the id-range encoding of the stored seen sets. Shared by the change poller
 * and the master data cache; why the overlap exists and what it cannot see is in `change-poller.ts`.
 */
import { CrossdockError } from "../../core/errors.ts";
import type { JsonValue } from "../../store/store.ts";
import type { OdooRecord } from "./change-poller.ts";
import type { OdooClient } from "./odoo-client.ts";
import { parseOdooDatetime, toOdooDatetime } from "./odoo-datetime.ts";

// ---------------------------------------------------------------------------------------------------
// Cursors: the watermark and the seen set of the overlap window (shared with the master data cache)
// ---------------------------------------------------------------------------------------------------

/** `write_date` watermark plus the `(id, write_date)` pairs seen inside the overlap window. */
export class WriteDateCursor {
  /** Largest `write_date` seen, never later than the hub's now. */
  watermark: string | null = null;
  /** Nothing older is read: the `since` of the first run. */
  floor: string | null = null;
  /**
   * Hub time (ms) at which the last poll that read to the end started. Every transaction that had not
   * committed by then started after `polledFrom - overlap`, so the next poll need not read further back,
   * even when the watermark is old (an idle model is then not re-read window after window).
   */
  polledFrom: number | null = null;
  #seen = new Map<string, Set<number>>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** The `write_date >=` bound of the next poll; undefined reads from the beginning. */
  lowerBound(overlapMs: number): string | undefined {
    const candidates: string[] = [];
    if (this.floor !== null) candidates.push(this.floor);
    if (this.watermark !== null)
      candidates.push(toOdooDatetime(parseOdooDatetime(this.watermark) - overlapMs));
    if (this.polledFrom !== null) candidates.push(toOdooDatetime(this.polledFrom - overlapMs));
    return candidates.length === 0 ? undefined : candidates.sort().at(-1);
  }

  has(id: number, writeDate: string): boolean {
    return this.#seen.get(writeDate)?.has(id) ?? false;
  }

  /** Marks the records seen and returns the versions not seen before; the watermark follows. */
  accept(records: readonly Record<string, unknown>[], nowMs: number): OdooRecord[] {
    const ceiling = toOdooDatetime(nowMs);
    const fresh: OdooRecord[] = [];
    for (const record of records) {
      const id = record.id;
      const writeDate = record.write_date;
      if (typeof id !== "number" || typeof writeDate !== "string") {
        throw new CrossdockError("CDK_ODOO_PROTOCOL", "Odoo returned a record without id or write_date", {
          details: { record: JSON.stringify(record).slice(0, 200) },
        });
      }
      if (this.has(id, writeDate)) continue;
      let ids = this.#seen.get(writeDate);
      if (!ids) {
        ids = new Set();
        this.#seen.set(writeDate, ids);
      }
      ids.add(id);
      this.#size++;
      fresh.push(record as OdooRecord);
      const capped = [writeDate, ceiling].sort()[0]!;
      if (this.watermark === null || capped > this.watermark) this.watermark = capped;
    }
    return fresh;
  }

  /** Forgets pairs older than the next poll's lower bound: they cannot be read again. */
  prune(overlapMs: number): void {
    const bound = this.lowerBound(overlapMs);
    if (bound === undefined) return;
    for (const [writeDate, ids] of this.#seen) {
      if (writeDate < bound) {
        this.#seen.delete(writeDate);
        this.#size -= ids.size;
      }
    }
  }

  clone(): WriteDateCursor {
    const copy = new WriteDateCursor();
    copy.watermark = this.watermark;
    copy.floor = this.floor;
    copy.polledFrom = this.polledFrom;
    for (const [writeDate, ids] of this.#seen) copy.#seen.set(writeDate, new Set(ids));
    copy.#size = this.#size;
    return copy;
  }

  /** Seen ids are stored as ranges (`"1-5000,5002"`): a burst of consecutive ids costs a few bytes. */
  toJSON(): JsonValue {
    const seen: Record<string, string> = {};
    for (const [writeDate, ids] of this.#seen) seen[writeDate] = encodeIdRanges(ids);
    return {
      v: 1,
      mode: "write_date",
      watermark: this.watermark,
      floor: this.floor,
      polledFrom: this.polledFrom,
      seen,
    };
  }

  static fromJSON(data: JsonValue): WriteDateCursor {
    const value = data as {
      mode?: unknown;
      watermark?: unknown;
      floor?: unknown;
      polledFrom?: unknown;
      seen?: unknown;
    };
    if (value === null || typeof value !== "object" || value.mode !== "write_date") {
      throw new CrossdockError("CDK_ODOO_CONFIG", "Stored poller cursor is not a write_date cursor", {
        details: { cursor: JSON.stringify(data).slice(0, 200) },
      });
    }
    const cursor = new WriteDateCursor();
    cursor.watermark = typeof value.watermark === "string" ? value.watermark : null;
    cursor.floor = typeof value.floor === "string" ? value.floor : null;
    cursor.polledFrom = typeof value.polledFrom === "number" ? value.polledFrom : null;
    for (const [writeDate, ranges] of Object.entries((value.seen ?? {}) as Record<string, string>)) {
      const ids = new Set(decodeIdRanges(ranges));
      cursor.#seen.set(writeDate, ids);
      cursor.#size += ids.size;
    }
    return cursor;
  }
}

/** Id watermark for append-only facts: ids above `lastId - overlapIds` are re-read and deduplicated. */
export class IdCursor {
  lastId: number | null = null;
  /** Ids up to this one are never read: the newest id when a `since: "now"` feed first ran. */
  floorId = 0;
  readonly overlapIds: number;
  #seen = new Set<number>();

  constructor(overlapIds: number) {
    this.overlapIds = overlapIds;
  }

  get size(): number {
    return this.#seen.size;
  }

  lowerId(): number {
    return this.lastId === null ? this.floorId : Math.max(this.floorId, this.lastId - this.overlapIds);
  }

  accept(records: readonly Record<string, unknown>[], _nowMs: number): OdooRecord[] {
    const fresh: OdooRecord[] = [];
    for (const record of records) {
      const id = record.id;
      if (typeof id !== "number") {
        throw new CrossdockError("CDK_ODOO_PROTOCOL", "Odoo returned a record without an id", {
          details: { record: JSON.stringify(record).slice(0, 200) },
        });
      }
      if (this.#seen.has(id) || id <= this.lowerId()) continue;
      this.#seen.add(id);
      fresh.push(record as OdooRecord);
      if (this.lastId === null || id > this.lastId) this.lastId = id;
    }
    return fresh;
  }

  prune(_overlapMs: number): void {
    const bound = this.lowerId();
    for (const id of this.#seen) if (id <= bound) this.#seen.delete(id);
  }

  clone(): IdCursor {
    const copy = new IdCursor(this.overlapIds);
    copy.lastId = this.lastId;
    copy.floorId = this.floorId;
    copy.#seen = new Set(this.#seen);
    return copy;
  }

  toJSON(): JsonValue {
    return { v: 1, mode: "id", lastId: this.lastId, floorId: this.floorId, seen: encodeIdRanges(this.#seen) };
  }

  static fromJSON(data: JsonValue, overlapIds: number): IdCursor {
    const value = data as { mode?: unknown; lastId?: unknown; floorId?: unknown; seen?: unknown };
    if (value === null || typeof value !== "object" || value.mode !== "id") {
      throw new CrossdockError("CDK_ODOO_CONFIG", "Stored poller cursor is not an id cursor", {
        details: { cursor: JSON.stringify(data).slice(0, 200) },
      });
    }
    const cursor = new IdCursor(overlapIds);
    cursor.lastId = typeof value.lastId === "number" ? value.lastId : null;
    cursor.floorId = typeof value.floorId === "number" ? value.floorId : 0;
    cursor.#seen = new Set(decodeIdRanges(typeof value.seen === "string" ? value.seen : ""));
    return cursor;
  }
}

// ---------------------------------------------------------------------------------------------------
// Keyset paging (shared with the master data cache)
// ---------------------------------------------------------------------------------------------------

export interface PageReadOptions {
  model: string;
  /** Must include `id` (and `write_date` for `readChangedPages`). */
  fields: readonly string[];
  domain: readonly unknown[];
  limit: number;
  context?: Record<string, unknown>;
  signal?: AbortSignal;
}

/**
 * Pages of records with `write_date >= since` in `write_date asc, id asc` order. The next page starts
 * after the last `(write_date, id)` of the previous one, so records sharing a stamp across a page
 * boundary are neither skipped nor read twice, and no `offset` drifts while records change. Lazy: the
 * caller commits each page before the next one is read.
 */
export async function* readChangedPages(
  client: OdooClient,
  options: PageReadOptions & {
    since: string | undefined;
    /** Resume after this `(write_date, id)`. */
    after?: { writeDate: string; id: number } | undefined;
  },
): AsyncGenerator<OdooRecord[]> {
  const lower = options.since === undefined ? [] : [["write_date", ">=", options.since]];
  let after = options.after;
  for (;;) {
    const keyset =
      after === undefined
        ? []
        : [
            "|",
            ["write_date", ">", after.writeDate],
            "&",
            ["write_date", "=", after.writeDate],
            ["id", ">", after.id],
          ];
    const page = await client.searchRead<OdooRecord>(
      options.model,
      [...options.domain, ...lower, ...keyset],
      options.fields,
      pageOptions(options, "write_date asc, id asc"),
    );
    yield page;
    const last = page.at(-1);
    if (page.length < options.limit || last === undefined) return;
    after = { writeDate: String(last.write_date), id: last.id };
  }
}

/** Pages of records with `id > afterId`, in id order (keyset on id). */
export async function* readIdPages(
  client: OdooClient,
  options: PageReadOptions & { afterId: number },
): AsyncGenerator<OdooRecord[]> {
  let afterId = options.afterId;
  for (;;) {
    const page = await client.searchRead<OdooRecord>(
      options.model,
      [...options.domain, ["id", ">", afterId]],
      options.fields,
      pageOptions(options, "id asc"),
    );
    yield page;
    const last = page.at(-1);
    if (page.length < options.limit || last === undefined) return;
    afterId = last.id;
  }
}

function pageOptions(options: PageReadOptions, order: string) {
  return {
    limit: options.limit,
    order,
    ...(options.context === undefined ? {} : { context: options.context }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
}

// ---------------------------------------------------------------------------------------------------
// Id ranges
// ---------------------------------------------------------------------------------------------------

/** `[1,2,3,7]` -> `"1-3,7"`. */
export function encodeIdRanges(ids: Iterable<number>): string {
  const sorted = [...ids].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    const start = sorted[i]!;
    let end = start;
    while (i + 1 < sorted.length && sorted[i + 1] === end + 1) end = sorted[++i]!;
    parts.push(start === end ? String(start) : `${start}-${end}`);
    i++;
  }
  return parts.join(",");
}

export function decodeIdRanges(text: string): number[] {
  const ids: number[] = [];
  if (text === "") return ids;
  for (const part of text.split(",")) {
    const [from, to] = part.split("-").map(Number);
    if (from === undefined || !Number.isInteger(from)) continue;
    const end = to === undefined ? from : to;
    for (let id = from; id <= end; id++) ids.push(id);
  }
  return ids;
}
