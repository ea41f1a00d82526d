import { CrossdockError, type StoredError } from "../../core/errors.ts";
import { toJsonOrNull } from "../codec.ts";
import type {
  ExceptionFilter,
  ExceptionRecord,
  ExceptionStore,
  JobRecord,
  JsonValue,
  TargetState,
  TargetStore,
} from "../store.ts";
import type { PgStoreContext } from "./postgres-context.ts";
import type { PgQueryable, Row } from "./postgres-database.ts";
import { DISCARD_SQL } from "./postgres-job-sql.ts";
import { keyLock, requeueIn, runAll } from "./postgres-jobs.ts";
import { EXCEPTION_COLUMNS, toExceptionRecord } from "./postgres-rows.ts";

/** Reads an exception record with what its job's lock needs; throws unless it exists and is open. */
async function openRecord(q: PgQueryable, id: string): Promise<Row> {
  const { rows } = await q.query(
    `SELECT x.status, x.job_id, j.target, j.ordering_key
     FROM exceptions x JOIN jobs j ON j.id = x.job_id WHERE x.id = $1`,
    [id],
  );
  const row = rows[0];
  if (!row) {
    throw new CrossdockError("CDK_EXCEPTION_NOT_FOUND", `No exception record ${id}`, { details: { id } });
  }
  if (row.status !== "open") throw notOpen(id, row.status as string);
  return row;
}

function notOpen(id: string, status: string): CrossdockError {
  return new CrossdockError("CDK_EXCEPTION_NOT_OPEN", `Exception record ${id} is already ${status}`, {
    details: { id, status },
  });
}

/** `ExceptionStore` over PostgreSQL. */
export class PostgresExceptionStore implements ExceptionStore {
  readonly #ctx: PgStoreContext;

  constructor(ctx: PgStoreContext) {
    this.#ctx = ctx;
  }

  async list(filter: ExceptionFilter = {}): Promise<ExceptionRecord[]> {
    const rows = await this.#ctx.db.query(
      `SELECT ${EXCEPTION_COLUMNS} FROM exceptions
       WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR target = $2)
         AND ($3::text IS NULL OR error->>'code' = $3)
         AND ($4::text IS NULL OR seq > (SELECT seq FROM exceptions WHERE id = $4))
       ORDER BY seq LIMIT $5`,
      [
        filter.status ?? null,
        filter.target ?? null,
        filter.code ?? null,
        filter.afterId ?? null,
        filter.limit ?? 100,
      ],
    );
    return rows.map(toExceptionRecord);
  }

  async get(id: string): Promise<ExceptionRecord | undefined> {
    const [row] = await this.#ctx.db.query(`SELECT ${EXCEPTION_COLUMNS} FROM exceptions WHERE id = $1`, [id]);
    return row ? toExceptionRecord(row) : undefined;
  }

  async countOpen(): Promise<{ target: string; count: number }[]> {
    const rows = await this.#ctx.db.query(
      `SELECT target, count(*)::int AS count FROM exceptions WHERE status = 'open'
       GROUP BY target ORDER BY target`,
    );
    return rows.map((r) => ({ target: r.target as string, count: r.count as number }));
  }

  async retry(id: string, options: { by: string; payload?: JsonValue; reason?: string }): Promise<JobRecord> {
    const { db, clock } = this.#ctx;
    return this.#ctx.write(async (q) => {
      const record = await openRecord(q, id);
      const now = clock.now();
      const job = {
        target: record.target as string,
        orderingKey: (record.ordering_key as string | null) ?? undefined,
      };
      // Closed first, under the key's lock: a concurrent retry of the same record then finds it closed.
      const closed = (
        await runAll(q, [
          ...keyLock(db.schema, job),
          {
            text: `UPDATE exceptions SET status = 'retried', resolved_at = $2, resolved_by = $3, reason = $4,
                     replay_payload = $5::jsonb
                   WHERE id = $1 AND status = 'open' RETURNING id`,
            values: [id, now, options.by, options.reason ?? null, toJsonOrNull(options.payload)],
          },
        ])
      ).at(-1);
      if (!closed?.length) throw notOpen(id, "resolved");
      const [requeued] = await requeueIn(q, db.schema, {
        jobId: record.job_id as string,
        ...job,
        now,
        payload: options.payload,
      });
      if (!requeued) throw notOpen(id, "resolved");
      return requeued;
    });
  }

  async discard(id: string, options: { by: string; reason: string }): Promise<void> {
    if (typeof options?.reason !== "string" || options.reason.trim() === "") {
      throw new TypeError("Discarding an exception record needs a reason");
    }
    const { db, clock } = this.#ctx;
    await this.#ctx.write(async (q) => {
      const record = await openRecord(q, id);
      const job = {
        target: record.target as string,
        orderingKey: (record.ordering_key as string | null) ?? undefined,
      };
      const closed = (
        await runAll(q, [
          ...keyLock(db.schema, job),
          { text: DISCARD_SQL, values: [id, clock.now(), options.by, options.reason] },
        ])
      ).at(-1);
      if (!closed?.length) throw notOpen(id, "resolved");
    });
  }
}

/** `TargetStore` over PostgreSQL: a row per target that was ever paused. */
export class PostgresTargetStore implements TargetStore {
  readonly #ctx: PgStoreContext;

  constructor(ctx: PgStoreContext) {
    this.#ctx = ctx;
  }

  async pause(target: string, reason: StoredError): Promise<void> {
    const now = this.#ctx.clock.now();
    await this.#ctx.db.query(
      `INSERT INTO targets (target, paused, reason, paused_at, updated_at) VALUES ($1, true, $2::jsonb, $3, $3)
       ON CONFLICT (target) DO UPDATE SET paused = true, reason = excluded.reason,
         paused_at = excluded.paused_at, updated_at = excluded.updated_at`,
      [target, JSON.stringify(reason), now],
    );
  }

  async resume(target: string): Promise<void> {
    await this.#ctx.db.query("UPDATE targets SET paused = false, updated_at = $2 WHERE target = $1", [
      target,
      this.#ctx.clock.now(),
    ]);
  }

  async list(): Promise<TargetState[]> {
    const rows = await this.#ctx.db.query(
      "SELECT target, paused, reason, paused_at FROM targets ORDER BY target",
    );
    return rows.map((r) => ({
      target: r.target as string,
      paused: r.paused as boolean,
      reason: r.reason === null ? undefined : (JSON.parse(r.reason as string) as StoredError),
      pausedAt: (r.paused_at as number | null) ?? undefined,
    }));
  }
}
