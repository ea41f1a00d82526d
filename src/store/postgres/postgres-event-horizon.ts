/**
 * How far a reader of the event log may read without ever skipping an event that commits late.
 *
 * An event's position is (transaction id, sequence), both assigned before its transaction commits, so
 * a transaction that started earlier can commit later with smaller positions than events a reader has
 * already passed. The textbook guard reads only below `pg_snapshot_xmin(pg_current_snapshot())`, the
 * oldest transaction still open anywhere on the server; but that includes every transaction of every
 * database and schema on it, so one long import elsewhere (or a busy worker pool) stalls the log.
 *
 * The horizon here is tighter and still safe. Every transaction that may append events to a schema
 * holds a shared advisory lock of that schema from its BEGIN (`eventWriterLock`), that is, from before
 * it has a transaction id. A reader then stops below the smallest of:
 * - the transaction id of every current holder of that lock (via its `transactionid` lock);
 * - every transaction its snapshot saw as running that has committed since (it may have appended events
 *   and released the lock between the snapshot and the look at `pg_locks`);
 * - the snapshot's xmax (a holder that has no id yet gets one at or above it).
 * Transactions that never append events here (other schemas, other databases, job claims and
 * completions) do not hold readers back.
 */
import { prepared, type Statement } from "./postgres-database.ts";

const LOCK_KEYS = "hashtext('crossdock.events') & 2147483647, hashtext($1::text) & 2147483647";

const WRITER_LOCK_SQL = prepared(`SELECT pg_advisory_xact_lock_shared(${LOCK_KEYS})`);

/** Taken right after BEGIN by every transaction that may append events to `schema`. */
export function eventWriterLock(schema: string): Statement {
  return { text: WRITER_LOCK_SQL, values: [schema] };
}

/**
 * CTE `horizon` (one row, column `bound` of type xid8): events with `tx_id < bound` are all committed
 * and no event can later commit below them. `$1` is the schema. A 32-bit transaction id from
 * `pg_locks` is widened to 64 bits relative to the snapshot's xmax (they are within 2^31 of it).
 */
export const HORIZON_CTE = `snap AS MATERIALIZED (
    SELECT pg_current_snapshot() AS s, pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax
  ),
  locks AS MATERIALIZED (
    SELECT locktype, virtualtransaction, database, classid, objid, objsubid, transactionid, mode
    FROM pg_locks WHERE granted AND locktype IN ('advisory', 'transactionid')
  ),
  horizon AS MATERIALIZED (
    SELECT least(
      snap.xmax,
      (SELECT min(x::text::bigint) FROM pg_snapshot_xip(snap.s) AS x WHERE pg_xact_status(x) = 'committed'),
      (SELECT min(snap.xmax + ((t.transactionid::text::bigint - (snap.xmax & 4294967295) + 6442450944)
                % 4294967296 - 2147483648))
       FROM locks a JOIN locks t ON t.virtualtransaction = a.virtualtransaction
       WHERE a.locktype = 'advisory' AND a.objsubid = 2
         AND a.classid = (hashtext('crossdock.events') & 2147483647)::oid
         AND a.objid = (hashtext($1::text) & 2147483647)::oid
         AND a.database = (SELECT oid FROM pg_database WHERE datname = current_database())
         AND t.locktype = 'transactionid' AND t.mode = 'ExclusiveLock')
    )::text::xid8 AS bound
    FROM snap
  )`;
