/**
 * Change capture from Odoo by polling: one poller per (connection, model, feed) keeps a `write_date`
 * watermark and turns every new version of a record into canonical events.
 *
 * Odoo stamps `write_date` with the *transaction start* (UTC, `'YYYY-MM-DD HH:MM:SS'`, seconds), so a
 * long transaction can commit after a poller has passed its stamp. Each poll therefore reads again from
 * `watermark - overlap` (default 120 s: at least Odoo's request time limit plus any clock skew between
 * Odoo and the hub), in `write_date asc, id asc` order with keyset paging, and skips the
 * `(id, write_date)` pairs it has already seen. The seen pairs are kept only for the overlap window and
 * stored with the watermark, in the same transaction as the events, so a crash or a restart neither
 * loses nor doubles a change.
 *
 * What it cannot see: a record whose transaction commits more than `overlap` after its `write_date`
 * (make the overlap longer than Odoo's `limit_time_real`), deletions (no row is left to read), and
 * changes that do not touch the polled model's own `write_date` (a template field seen from a variant).
 *
 * Append-only facts created in their final form (`mail.message`) can use `mode: "id"`: an id watermark
 * with an overlap of `overlapIds`, deduplicated on id. Records that reach their final state after they
 * were created (a `stock.move.line` becomes done later) need the `write_date` mode with a state domain.
 *
 * @example
 * const poller = createChangePoller({ client, store, clock, connection: "odoo", feed: saleOrderFeed() });
 * poller.start({ intervalMs: 10_000 });
 * hint.onWebhook(() => poller.wake());
 */
import type { Clock } from "../../core/clock.ts";
import { CrossdockError, type StoredError, toStoredError } from "../../core/errors.ts";
import { type StructuredLogger, silentLogger } from "../../delivery/structured-logger.ts";
import { nextRetryDelay, type RetryPolicy, resolveRetryPolicy } from "../../store/retry-policy.ts";
import type { EventInput, JsonValue, Store, StoreTx } from "../../store/store.ts";
import type { OdooClient } from "./odoo-client.ts";
import type { OdooDialect } from "./odoo-dialect.ts";

/** Store record kind of poller cursors; keys are `<connection>/<model>/<feed>`. */
export const POLLER_CURSOR_KIND = "odoo.poller";
/** Store record kind of per-record memos (`ChangeFeed.track`); keys are `<cursor key>/<id>`. */
export const POLLER_MEMO_KIND = "odoo.poller.memo";

export type OdooRecord = Record<string, unknown> & { id: number };

export interface FeedContext {
  connection: string;
  dialect: OdooDialect;
  /** What `track` returned for this record the last time it was seen; undefined on first sight. */
  previous: JsonValue | undefined;
}

/** What to read from one model and how a new version of a record becomes events. */
export interface ChangeFeed {
  /** Stable name, part of the stored cursor key: never rename a feed in use. */
  readonly name: string;
  readonly model: string;
  /** `write_date` (default) or `id` for append-only facts. */
  readonly mode?: "write_date" | "id";
  /** Fields read; `id` and `write_date` are added. */
  fields(dialect: OdooDialect): readonly string[];
  /** Extra domain ANDed with the watermark terms. Default none. */
  domain?(dialect: OdooDialect): readonly unknown[];
  context?: Record<string, unknown>;
  /** Pure: the events of one new version. Thrown errors stop the feed (they are bugs, not outages). */
  toEvents(record: OdooRecord, ctx: FeedContext): EventInput[];
  /**
   * A small per-record memo (e.g. `{ state }`) stored beside the cursor and handed back as
   * `ctx.previous`, so a feed can emit on transitions. Omit it when events do not depend on history.
   */
  track?(record: OdooRecord): JsonValue;
}

export interface ChangePollerOptions {
  client: OdooClient;
  store: Store;
  clock: Clock;
  /** Connection name, part of the cursor key and copied into events by the feeds. */
  connection: string;
  feed: ChangeFeed;
  /** Re-read window behind the watermark, ms. Default 120,000. */
  overlapMs?: number;
  /** Id mode: ids re-read behind the last id. Default 1,000. */
  overlapIds?: number;
  /** Records per page. Default 200. */
  limit?: number;
  /** Pages read by one poll before it yields to the next interval. Default 50. */
  maxPagesPerPoll?: number;
  /**
   * Where a feed with no stored cursor starts: `now` (default: only changes stamped from now on),
   * `beginning`, or a time in ms.
   */
  since?: "now" | "beginning" | number;
  /** Back-off after transient failures. Default 1 s doubling to 60 s, jitter 0.2, unlimited. */
  retry?: Partial<RetryPolicy>;
  timers?: Timers;
  logger?: StructuredLogger;
  random?: () => number;
  /** Told when the feed stops on a non-transient error. */
  onStopped?: (error: StoredError) => void;
  /** Told after every poll (metrics, tests). */
  onPoll?: (result: PollResult) => void;
}

export interface PollResult {
  /** New record versions turned into events (skipped duplicates not counted). */
  records: number;
  events: number;
  pages: number;
  /** Odoo calls made. */
  calls: number;
  /** `ok`; `retry` after a transient failure (cursor kept); `stopped` after a config or code error. */
  outcome: "ok" | "retry" | "stopped";
  error?: StoredError;
  /** True when the poll stopped at `maxPagesPerPoll` with more to read. */
  more: boolean;
}

export interface PollerStatus {
  key: string;
  state: "idle" | "running" | "stopped";
  watermark: string | null;
  lastId: number | null;
  /** Seen pairs (or ids) held for the overlap window. */
  seen: number;
  consecutiveFailures: number;
  lastError: StoredError | undefined;
  lastPollAt: number | undefined;
}

export interface ChangePoller {
  readonly key: string;
  pollOnce(): Promise<PollResult>;
  /** Polls every `intervalMs` (after each poll ends), sooner after `wake()`, later after failures. */
  start(options: { intervalMs: number }): void;
  /** Makes the next poll immediate (a running poll is followed by one more). */
  wake(): void;
  /** Stops the loop and waits for a running poll. */
  stop(): Promise<void>;
  status(): PollerStatus;
}

/** The timer functions the loop uses; injected so tests drive them with a manual clock. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

const POLL_RETRY: Partial<RetryPolicy> = {
  initialIntervalMs: 1_000,
  backoffCoefficient: 2,
  maximumIntervalMs: 60_000,
  maximumAttempts: 0,
  jitter: 0.2,
};

export function createChangePoller(options: ChangePollerOptions): ChangePoller {
  const { client, store, clock, feed, connection } = options;
  const key = `${connection}/${feed.model}/${feed.name}`;
  const mode = feed.mode ?? "write_date";
  const overlapMs = options.overlapMs ?? 120_000;
  const overlapIds = options.overlapIds ?? 1_000;
  const limit = options.limit ?? 200;
  const maxPages = options.maxPagesPerPoll ?? 50;
  const retry = resolveRetryPolicy({ ...POLL_RETRY, ...options.retry });
  const timers = options.timers ?? systemTimers;
  const logger = options.logger ?? silentLogger;
  let cursor: WriteDateCursor | IdCursor | undefined;
  /** Store version of the cursor record: writes expect it, so two pollers of one key never both emit. */
  let cursorVersion = 0;
  /**
   * A pass reads from the lower bound to the end. When a poll stops at `maxPagesPerPoll`, the next poll
   * resumes the pass after the last `(write_date, id)` instead of starting over, or a window holding
   * more than a poll's pages would be re-read forever.
   */
  let pass: { startedAt: number; after: { writeDate: string; id: number } } | undefined;
  let running: Promise<PollResult> | undefined;
  let loop: { intervalMs: number; timer: unknown; again: boolean } | undefined;
  let stopped = false;
  let failures = 0;
  let lastError: StoredError | undefined;
  let lastPollAt: number | undefined;
  let abort = new AbortController();

  async function loadCursor(): Promise<WriteDateCursor | IdCursor> {
    if (cursor) return cursor;
    const stored = await store.transaction((tx) => tx.getRecord(POLLER_CURSOR_KIND, key));
    if (stored) {
      cursor =
        mode === "id" ? IdCursor.fromJSON(stored.data, overlapIds) : WriteDateCursor.fromJSON(stored.data);
      cursorVersion = stored.version;
      return cursor;
    }
    let fresh: WriteDateCursor | IdCursor;
    if (mode === "id") {
      fresh = new IdCursor(overlapIds);
      if (options.since !== "beginning") {
        const newest = await newestId();
        fresh.lastId = newest;
        fresh.floorId = newest;
      }
    } else {
      const since = options.since ?? "now";
      fresh = new WriteDateCursor();
      if (since !== "beginning") fresh.floor = toOdooDatetime(since === "now" ? clock.now() : since);
    }
    // Stored at once: a restart before the first change must not move "now" forward and skip changes.
    const written = await store.transaction((tx) =>
      tx.putRecord(POLLER_CURSOR_KIND, key, fresh.toJSON(), { expectedVersion: 0 }),
    );
    cursorVersion = written.version;
    cursor = fresh;
    return cursor;
  }

  async function newestId(): Promise<number> {
    const rows = await client.searchRead<OdooRecord>(
      feed.model,
      feed.domain?.(client.dialect) ?? [],
      ["id"],
      {
        limit: 1,
        order: "id desc",
        signal: abort.signal,
      },
    );
    return rows[0]?.id ?? 0;
  }

  async function commit(fresh: OdooRecord[], next: WriteDateCursor | IdCursor): Promise<number> {
    const committed = await store.transaction(async (tx) => {
      const events = await eventsOf(tx, fresh);
      if (events.length > 0) await tx.appendEvents(events);
      const written = await tx.putRecord(POLLER_CURSOR_KIND, key, next.toJSON(), {
        expectedVersion: cursorVersion,
      });
      return { events: events.length, version: written.version };
    });
    cursorVersion = committed.version;
    return committed.events;
  }

  async function eventsOf(tx: StoreTx, fresh: OdooRecord[]): Promise<EventInput[]> {
    const events: EventInput[] = [];
    for (const record of fresh) {
      const memoKey = `${key}/${record.id}`;
      const previous = feed.track ? (await tx.getRecord(POLLER_MEMO_KIND, memoKey))?.data : undefined;
      events.push(...feed.toEvents(record, { connection, dialect: client.dialect, previous }));
      if (feed.track) {
        const memo = feed.track(record);
        if (JSON.stringify(memo) !== JSON.stringify(previous))
          await tx.putRecord(POLLER_MEMO_KIND, memoKey, memo);
      }
    }
    return events;
  }

  async function poll(): Promise<PollResult> {
    const result: PollResult = { records: 0, events: 0, pages: 0, calls: 0, outcome: "ok", more: false };
    lastPollAt = clock.now();
    const startedAt = pass?.startedAt ?? lastPollAt;
    try {
      await client.connect(abort.signal);
      let current = await loadCursor();
      const read = {
        model: feed.model,
        fields: withKeys(feed.fields(client.dialect), mode),
        domain: feed.domain?.(client.dialect) ?? [],
        limit,
        signal: abort.signal,
        ...(feed.context === undefined ? {} : { context: feed.context }),
      };
      const pages =
        current instanceof IdCursor
          ? readIdPages(client, { ...read, afterId: pass?.after.id ?? current.lowerId() })
          : readChangedPages(client, { ...read, since: current.lowerBound(overlapMs), after: pass?.after });
      for await (const page of pages) {
        result.calls++;
        result.pages++;
        const next = current.clone();
        const fresh = next.accept(page, clock.now());
        const done = page.length < limit;
        if (done && next instanceof WriteDateCursor) next.polledFrom = startedAt;
        next.prune(overlapMs);
        // Only new versions are worth a write; a pruned seen set or a later polledFrom can wait for one.
        if (fresh.length > 0) result.events += await commit(fresh, next);
        current = next;
        cursor = next;
        result.records += fresh.length;
        if (done) {
          pass = undefined;
          break;
        }
        if (result.pages >= maxPages) {
          const last = page.at(-1)!;
          pass = { startedAt, after: { writeDate: String(last.write_date), id: last.id } };
          result.more = true;
          break;
        }
      }
      failures = 0;
      lastError = undefined;
      return result;
    } catch (error) {
      return failed(result, error);
    }
  }

  function failed(result: PollResult, error: unknown): PollResult {
    // The stored cursor is always consistent; the in-memory one may be ahead of it (a rolled-back
    // commit) or behind it (another poller of the same key moved it): read it again next time.
    cursor = undefined;
    pass = undefined;
    // stop() aborted the read: not a failure of the feed, nothing to report.
    if (abort.signal.aborted) return { ...result, outcome: "stopped" };
    const stored = toStoredError(error);
    lastError = stored;
    if (error instanceof CrossdockError && error.failureClass === "transient") {
      failures++;
      logger.warn(
        { poller: key, error: stored, failures },
        "Odoo change poll failed; cursor kept, will retry",
      );
      return { ...result, outcome: "retry", error: stored };
    }
    const reported =
      error instanceof CrossdockError
        ? stored
        : toStoredError(
            new CrossdockError("CDK_INTERNAL", `Odoo change feed ${key} failed: ${stored.message}`, {
              cause: error,
              failureClass: "config",
              details: { poller: key },
            }),
          );
    stopped = true;
    cancelTimer();
    logger.error({ poller: key, error: reported }, "Odoo change feed stopped");
    options.onStopped?.(reported);
    return { ...result, outcome: "stopped", error: reported };
  }

  function pollOnce(): Promise<PollResult> {
    if (running) return running;
    if (abort.signal.aborted) abort = new AbortController();
    running = poll().then((result) => {
      running = undefined;
      options.onPoll?.(result);
      return result;
    });
    return running;
  }

  function cancelTimer(): void {
    if (loop?.timer !== undefined) timers.clearTimeout(loop.timer);
    if (loop) loop.timer = undefined;
  }

  function schedule(ms: number): void {
    if (!loop || stopped) return;
    cancelTimer();
    loop.timer = timers.setTimeout(() => {
      if (loop) loop.timer = undefined;
      void tick();
    }, ms);
  }

  async function tick(): Promise<void> {
    if (!loop || stopped) return;
    loop.again = false;
    const result = await pollOnce();
    if (!loop || stopped) return;
    if (result.outcome === "retry") {
      schedule(nextRetryDelay(retry, failures, undefined, options.random));
    } else {
      schedule(loop.again || result.more ? 0 : loop.intervalMs);
    }
  }

  return {
    key,
    pollOnce,
    start({ intervalMs }) {
      const restart = stopped;
      stopped = false;
      if (abort.signal.aborted) abort = new AbortController();
      if (loop) {
        loop.intervalMs = intervalMs;
        // After a stop on a config error the loop is idle: start it again (the operator fixed the cause).
        if (restart && !running) schedule(0);
        return;
      }
      loop = { intervalMs, timer: undefined, again: false };
      schedule(0);
    },
    wake() {
      if (!loop || stopped) return;
      if (running) loop.again = true;
      else schedule(0);
    },
    async stop() {
      stopped = true;
      cancelTimer();
      loop = undefined;
      abort.abort();
      await running?.catch(() => undefined);
    },
    status() {
      const c = cursor;
      return {
        key,
        state: stopped ? "stopped" : running ? "running" : "idle",
        watermark: c instanceof WriteDateCursor ? c.watermark : null,
        lastId: c instanceof IdCursor ? c.lastId : null,
        seen: c?.size ?? 0,
        consecutiveFailures: failures,
        lastError,
        lastPollAt,
      };
    },
  };
}

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

function withKeys(fields: readonly string[], mode: "write_date" | "id"): string[] {
  const keys = mode === "id" ? ["id"] : ["id", "write_date"];
  return [...new Set([...keys, ...fields])];
}

// ---------------------------------------------------------------------------------------------------
// Odoo datetimes and id ranges
// ---------------------------------------------------------------------------------------------------

/** `'YYYY-MM-DD HH:MM:SS'` in UTC, Odoo's datetime format (seconds, no zone). */
export function toOdooDatetime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19).replace("T", " ");
}

export function parseOdooDatetime(text: string): number {
  const ms = Date.parse(`${text.replace(" ", "T")}Z`);
  if (Number.isNaN(ms)) throw new RangeError(`Not an Odoo datetime: ${JSON.stringify(text)}`);
  return ms;
}

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

// ---------------------------------------------------------------------------------------------------
// Manual timers: the loop's timers driven by a ManualClock (product code for users' own tests)
// ---------------------------------------------------------------------------------------------------

/** Timers that fire only when `advance` moves the clock past them, in due-time order. */
export class ManualTimers implements Timers {
  readonly #clock: { now(): number; advance(ms: number): void };
  #queue: { at: number; seq: number; fn: () => void }[] = [];
  #seq = 0;

  constructor(clock: { now(): number; advance(ms: number): void }) {
    this.#clock = clock;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const entry = { at: this.#clock.now() + Math.max(0, ms), seq: this.#seq++, fn };
    this.#queue.push(entry);
    return entry;
  }

  clearTimeout(handle: unknown): void {
    this.#queue = this.#queue.filter((entry) => entry !== handle);
  }

  /** Timers waiting, for assertions. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Fires every timer due now (including ones set to 0 by the timers it fires, once). */
  fireDue(): number {
    const now = this.#clock.now();
    const due = this.#queue.filter((entry) => entry.at <= now).sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.#queue = this.#queue.filter((entry) => entry.at > now);
    for (const entry of due) entry.fn();
    return due.length;
  }

  /** Moves the clock by `ms` and fires what became due. */
  advance(ms: number): number {
    this.#clock.advance(ms);
    return this.fireDue();
  }
}
