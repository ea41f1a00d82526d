/**
 * The transaction-scoped advisory locks of the adapter. Advisory locks are database-wide, so every key
 * includes the store's schema: stores in other schemas (tenants, tests) never wait for each other. A
 * hash collision only serialises two unrelated keys, it never breaks correctness.
 */
import { prepared, type Statement } from "./postgres-database.ts";

const ORDERING_LOCKS_SQL = prepared(`SELECT pg_advisory_xact_lock(t, k) FROM (
  SELECT DISTINCT hashtext($3::text || '.' || tg) AS t, hashtext(ok) AS k
  FROM unnest($1::text[], $2::text[]) AS x(tg, ok) ORDER BY 1, 2) locks`);

const STREAM_LOCKS_SQL = prepared(`SELECT pg_advisory_xact_lock(k) FROM (
  SELECT DISTINCT hashtext('crossdock.stream:' || $2::text || ':' || s) AS k FROM unnest($1::text[]) AS s
  ORDER BY 1) locks`);

/**
 * Takes the transaction-scoped lock of each (target, ordering key) of `schema` (advisory locks are
 * database-wide; stores in other schemas must not wait for each other), in one fixed order so that
 * two transactions locking several keys cannot deadlock. The two-int form keeps 64 bits of hash (and
 * text cannot hold the NUL byte a one-key form would need as a separator).
 */
export function orderingLocks(
  schema: string,
  pairs: ReadonlyArray<readonly [string, string]>,
): Statement | undefined {
  if (pairs.length === 0) return undefined;
  return {
    text: ORDERING_LOCKS_SQL,
    values: [pairs.map((p) => p[0]), pairs.map((p) => p[1]), schema],
  };
}

/**
 * Serialises appends per stream of `schema` (and against `addEventWait` on the same stream), so that
 * numbering inside a stream has no gaps and a wait never misses an event committed while it was
 * registered.
 */
export function streamLocks(schema: string, streams: string[]): Statement {
  return {
    text: STREAM_LOCKS_SQL,
    values: [streams, schema],
  };
}
