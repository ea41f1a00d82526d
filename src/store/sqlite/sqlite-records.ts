/** Record reads outside transactions (`Store.records`) and record deletion. */
import { CrossdockError } from "../../core/errors.ts";
import { pageLimit } from "../input-validation.ts";
import type { RecordListOptions, StoredRecord } from "../store.ts";
import type { SqliteContext } from "./sqlite-connection.ts";
import { type RecordRow, toRecord } from "./sqlite-rows.ts";

/**
 * A page of one kind's records in key order. Keys compare with SQLite's BINARY collation (UTF-8
 * bytes, i.e. code points), the order PostgreSQL's "C" collation gives; the primary key serves it.
 */
export function listRecords(
  ctx: SqliteContext,
  kind: string,
  options: RecordListOptions = {},
): StoredRecord[] {
  // As on PostgreSQL, whose text cannot hold NUL: such a key matches nothing.
  if ([kind, options.afterKey, options.prefix].some((v) => v?.includes("\u0000"))) return [];
  let sql = "SELECT * FROM records WHERE kind = ?";
  const params: unknown[] = [kind];
  if (options.afterKey !== undefined) {
    sql += " AND key > ?";
    params.push(options.afterKey);
  }
  if (options.prefix !== undefined && options.prefix !== "") {
    // The range test lets the index seek; substr() makes the match exact.
    sql += " AND key >= ? AND substr(key, 1, length(?)) = ?";
    params.push(options.prefix, options.prefix, options.prefix);
  }
  sql += " ORDER BY key LIMIT ?";
  params.push(pageLimit(options.limit));
  return (ctx.stmt(sql).all(...params) as RecordRow[]).map(toRecord);
}

export function deleteRecord(
  ctx: SqliteContext,
  kind: string,
  key: string,
  options: { expectedVersion?: number } = {},
): boolean {
  if (options.expectedVersion !== undefined) {
    const current = ctx.stmt("SELECT version FROM records WHERE kind = ? AND key = ?").get(kind, key) as
      | { version: number }
      | undefined;
    const version = current?.version ?? 0;
    if (version !== options.expectedVersion) {
      throw new CrossdockError(
        "CDK_STORE_CONFLICT",
        `Record ${kind}/${key} is at version ${version}, not ${options.expectedVersion}; read it again and retry`,
        { details: { kind, key, expected: options.expectedVersion, actual: version } },
      );
    }
  }
  return ctx.stmt("DELETE FROM records WHERE kind = ? AND key = ?").run(kind, key).changes > 0;
}
