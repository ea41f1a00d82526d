import pg from "pg";
import { CrossdockError } from "../../core/errors.ts";

/** A row as the driver returns it; the codecs turn rows into the port's types. */
export type Row = Record<string, unknown>;

/** The one method the adapter's SQL code issues statements through (a transaction's connection). */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: Row[]; rowCount: number | null }>;
}

/** A statement as the driver takes it; a `name` makes it a prepared statement of the connection. */
interface DriverQuery {
  name?: string;
  text: string;
  values?: unknown[];
}

interface DriverQueryable {
  query(query: DriverQuery): Promise<{ rows: Row[]; rowCount: number | null }>;
}

/** The part of pg's `PoolClient` the store needs: queries plus giving the connection back. */
interface PgPoolClient extends DriverQueryable {
  release(error?: Error | boolean): void;
}

/**
 * The part of pg's `Pool` the store needs. Declared here so that everything else in the adapter
 * depends on this shape, never on the driver.
 */
interface PgPool extends DriverQueryable {
  connect(): Promise<PgPoolClient>;
  end(): Promise<void>;
}

const PREPARED = new Map<string, string>();

/**
 * Marks a constant statement of a hot path to be prepared once per connection and reused: parsing
 * and planning the queue's CTEs costs more than running them (0.5 ms against 0.2 ms for a complete).
 * Returns `text` unchanged. Statements whose text varies (the inbox's multi-row insert) stay unnamed.
 */
export function prepared(text: string): string {
  if (!PREPARED.has(text)) PREPARED.set(text, `cdk_${PREPARED.size + 1}`);
  return text;
}

function driverQuery(text: string, values?: unknown[]): DriverQuery {
  const name = PREPARED.get(text);
  return name === undefined ? { text, values } : { name, text, values };
}

/** A connection seen through `PgQueryable`, preparing the statements marked with `prepared`. */
function queryable(target: DriverQueryable): PgQueryable {
  return { query: (text, values) => target.query(driverQuery(text, values)) };
}

/**
 * Statements that make the rest of a transaction walk an index in order. Queue-shaped queries (the
 * next due jobs, the next events after a cursor) must stop after `LIMIT` rows; with statistics that
 * lag behind a young or fast-churning table, or a cursor the planner cannot see, PostgreSQL prefers a
 * bitmap scan that fetches and sorts every candidate row on each call (50 ms instead of 0.1 ms at a
 * few tens of thousands of rows). Sent with `atomic`, they cost no extra round trip.
 */
export const INDEX_ORDER_ONLY: readonly Statement[] = [
  { text: "SET LOCAL enable_bitmapscan = off" },
  { text: "SET LOCAL enable_seqscan = off" },
];

/** One parameterised statement. */
export interface Statement {
  text: string;
  values?: unknown[];
}

/** Resolved connection settings of one store's pool. */
export interface PgDatabaseOptions {
  url: string;
  schema: string;
  poolSize: number;
  connectTimeoutMs: number;
  /** Send a transaction's statements without waiting for each answer (pg's pipeline mode). */
  pipeline: boolean;
}

const INT8_OID = 20;
const JSON_OID = 114;
const JSONB_OID = 3802;

/**
 * Times and sequence numbers are int8 but always within 2^53, so they come back as numbers. JSON comes
 * back as text so that the codecs can tell SQL NULL (absent) from a JSON `null` value.
 */
const storeTypes = {
  getTypeParser(oid: number, format?: string): unknown {
    if (oid === INT8_OID) return (text: string) => Number(text);
    if (oid === JSON_OID || oid === JSONB_OID) return (text: string) => text;
    return pg.types.getTypeParser(oid, format as "text");
  },
};

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Throws unless `schema` is a plain identifier; it is interpolated into `search_path` and DDL. */
export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new RangeError(
      `store.schema must be a plain lower-case SQL identifier (a-z, 0-9, _), got ${schema}`,
    );
  }
  return schema;
}

/** `host:port` of a connection URL, for messages: never the user or password. */
export function describeHost(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || "localhost"}:${parsed.port || "5432"}`;
  } catch {
    return "the configured host";
  }
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
]);

/**
 * Sorts a driver error: lost or refused connections become `CDK_STORE_UNAVAILABLE` (config-class when
 * the server refused the credentials or database), deadlocks and serialisation failures
 * `CDK_STORE_CONFLICT`; anything else is returned unchanged.
 */
export function toStoreError(error: unknown, host: string): unknown {
  if (error instanceof CrossdockError || !(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  const sqlState = typeof code === "string" ? code : "";
  if (sqlState === "40001" || sqlState === "40P01") {
    return new CrossdockError(
      "CDK_STORE_CONFLICT",
      `PostgreSQL aborted a conflicting write: ${error.message}`,
      {
        cause: error,
      },
    );
  }
  const refused = sqlState.startsWith("28") || sqlState === "3D000";
  const network =
    NETWORK_CODES.has(sqlState) ||
    sqlState.startsWith("08") ||
    ["57P01", "57P02", "57P03", "53300"].includes(sqlState) ||
    /Connection terminated|timeout exceeded when trying to connect|connect ETIMEDOUT/.test(error.message);
  if (!refused && !network) return error;
  return new CrossdockError(
    "CDK_STORE_UNAVAILABLE",
    `PostgreSQL at ${host} cannot be reached: ${error.message}`,
    refused ? { cause: error, failureClass: "config" } : { cause: error },
  );
}

/**
 * The pool behind one `PostgresStore`: every connection starts with the store's `search_path`, every
 * error is sorted by `toStoreError`, and after `close` everything throws `CDK_STORE_CLOSED`.
 */
export class PgDatabase {
  readonly host: string;
  readonly schema: string;
  readonly #pool: PgPool;
  #closed = false;

  constructor(options: PgDatabaseOptions) {
    this.host = describeHost(options.url);
    this.schema = checkSchemaName(options.schema);
    this.#pool = createPool(options);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** One statement on any pooled connection; a single statement is its own transaction. */
  async query(text: string, values?: unknown[]): Promise<Row[]> {
    this.assertOpen();
    try {
      return (await this.#pool.query(driverQuery(text, values))).rows;
    } catch (error) {
      throw toStoreError(error, this.host);
    }
  }

  /**
   * Runs `fn` on one connection between BEGIN and COMMIT; rolls back if it throws. `first` runs right
   * after BEGIN, before `fn` (a lock the whole transaction must hold).
   */
  async transaction<T>(fn: (client: PgQueryable) => Promise<T>, first?: Statement): Promise<T> {
    const connection = await this.#connect();
    const client = queryable(connection);
    let broken: Error | undefined;
    try {
      // Not awaited on its own: with pipelining, BEGIN travels with the transaction's first statements.
      const begun = Promise.all([
        client.query("BEGIN"),
        ...(first ? [client.query(first.text, first.values)] : []),
      ]);
      begun.catch(() => {});
      const result = await fn(client);
      await begun;
      await client.query("COMMIT");
      return result;
    } catch (error) {
      try {
        await client.query("ROLLBACK");
      } catch (rollbackError) {
        // A connection that cannot roll back is not given back to the pool.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw toStoreError(error, this.host);
    } finally {
      connection.release(broken ?? false);
    }
  }

  /**
   * Runs statements that do not depend on each other's answers in one transaction, all sent at once:
   * with pipelining one round trip instead of one per statement. If any statement fails, PostgreSQL
   * aborts the transaction and turns the final COMMIT into a rollback, so nothing is half-written.
   * SQL that must not write when a condition fails says so in its WHERE clauses.
   */
  async atomic(statements: Statement[]): Promise<Row[][]> {
    const connection = await this.#connect();
    const client = queryable(connection);
    let broken: Error | undefined;
    try {
      const settled = await Promise.allSettled([
        client.query("BEGIN"),
        ...statements.map((s) => client.query(s.text, s.values)),
        client.query("COMMIT"),
      ]);
      const failure = settled.find((r) => r.status === "rejected");
      if (failure) {
        const error = toStoreError(failure.reason, this.host);
        if (error instanceof CrossdockError && error.code === "CDK_STORE_UNAVAILABLE") {
          broken = error;
        }
        throw error;
      }
      return settled.slice(1, -1).map((r) => (r.status === "fulfilled" ? r.value.rows : []));
    } finally {
      connection.release(broken ?? false);
    }
  }

  async #connect(): Promise<PgPoolClient> {
    this.assertOpen();
    try {
      return await this.#pool.connect();
    } catch (error) {
      throw toStoreError(error, this.host);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  /** Throws `CDK_STORE_CLOSED` once `close` has been called. */
  assertOpen(): void {
    if (this.#closed) throw new CrossdockError("CDK_STORE_CLOSED", "The PostgreSQL store has been closed");
  }
}

function createPool(options: PgDatabaseOptions): PgPool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs,
    pipeline: options.pipeline,
    // A startup parameter, so each new connection gets the schema without an extra round trip.
    options: `-c search_path=${options.schema}`,
    types: storeTypes as pg.CustomTypesConfig,
  });
  // An idle connection that dies (server restart) must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  return pool as unknown as PgPool;
}
