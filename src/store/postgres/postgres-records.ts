/** Record reads outside transactions (`Store.records`) and record deletion, over PostgreSQL. */
import { CrossdockError } from "../../core/errors.ts";
import { pageLimit } from "../input-validation.ts";
import type { RecordListOptions, RecordStore, StoredRecord } from "../store.ts";
import type { PgStoreContext } from "./postgres-context.ts";
import type { PgQueryable } from "./postgres-database.ts";
import { toStoredRecord } from "./postgres-rows.ts";

const COLUMNS = "kind, key, data, version, updated_at";

/** Keys compare in the "C" collation (code points), as on SQLite, served by `records_by_key_c`. */
export class PostgresRecordStore implements RecordStore {
  readonly #ctx: PgStoreContext;

  constructor(ctx: PgStoreContext) {
    this.#ctx = ctx;
  }

  async get(kind: string, key: string): Promise<StoredRecord | undefined> {
    if (hasNul(kind) || hasNul(key)) return undefined;
    const rows = await this.#ctx.db.query(`SELECT ${COLUMNS} FROM records WHERE kind = $1 AND key = $2`, [
      kind,
      key,
    ]);
    return rows[0] ? toStoredRecord(rows[0]) : undefined;
  }

  async list(kind: string, options: RecordListOptions = {}): Promise<StoredRecord[]> {
    if (hasNul(kind) || hasNul(options.afterKey) || hasNul(options.prefix)) return [];
    const params: unknown[] = [kind];
    let sql = `SELECT ${COLUMNS} FROM records WHERE kind = $1`;
    if (options.afterKey !== undefined) {
      params.push(options.afterKey);
      sql += ` AND key COLLATE "C" > $${params.length}`;
    }
    if (options.prefix !== undefined && options.prefix !== "") {
      params.push(options.prefix);
      sql += ` AND key COLLATE "C" >= $${params.length} AND starts_with(key, $${params.length})`;
    }
    params.push(pageLimit(options.limit));
    sql += ` ORDER BY key COLLATE "C" LIMIT $${params.length}`;
    return (await this.#ctx.db.query(sql, params)).map(toStoredRecord);
  }
}

/** PostgreSQL text cannot hold NUL, so no stored key has one: a lookup with one finds nothing. */
function hasNul(value: string | undefined): boolean {
  return typeof value === "string" && value.includes("\u0000");
}

export async function deleteRecordIn(
  q: PgQueryable,
  kind: string,
  key: string,
  options: { expectedVersion?: number } = {},
): Promise<boolean> {
  if (hasNul(kind) || hasNul(key)) return false;
  const expected = options.expectedVersion;
  if (expected === undefined) {
    const { rowCount } = await q.query("DELETE FROM records WHERE kind = $1 AND key = $2", [kind, key]);
    return (rowCount ?? 0) > 0;
  }
  const { rows } = await q.query(
    `WITH current AS (SELECT version FROM records WHERE kind = $1 AND key = $2 FOR UPDATE),
       deleted AS (DELETE FROM records WHERE kind = $1 AND key = $2 AND version = $3 RETURNING 1)
     SELECT (SELECT version FROM current) AS version, (SELECT count(*) FROM deleted)::int AS deleted`,
    [kind, key, expected],
  );
  const version = (rows[0]?.version as number | null) ?? 0;
  if (version !== expected) {
    throw new CrossdockError(
      "CDK_STORE_CONFLICT",
      `Record ${kind}/${key} is at version ${version}, not ${expected}; read it again and retry`,
      { details: { kind, key, expected, actual: version } },
    );
  }
  return (rows[0]?.deleted as number) > 0;
}
