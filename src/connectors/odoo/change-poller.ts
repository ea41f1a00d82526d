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
import { systemTimers, type Timers } from "../../core/timers.ts";
import { type StructuredLogger, silentLogger } from "../../delivery/structured-logger.ts";
import { nextRetryDelay, type RetryPolicy, resolveRetryPolicy } from "../../store/retry-policy.ts";
import type { EventInput, JsonValue, Store, StoreTx } from "../../store/store.ts";
import { IdCursor, readChangedPages, readIdPages, WriteDateCursor } from "./change-cursor.ts";
import type { OdooClient } from "./odoo-client.ts";
import { toOdooDatetime } from "./odoo-datetime.ts";
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

function withKeys(fields: readonly string[], mode: "write_date" | "id"): string[] {
  const keys = mode === "id" ? ["id"] : ["id", "write_date"];
  return [...new Set([...keys, ...fields])];
}
