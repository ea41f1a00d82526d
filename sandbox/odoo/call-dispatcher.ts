import type { Database } from "better-sqlite3";
import { checkAccess } from "./access-rights.ts";
import { type BoundCall, bindJson2, bindPositional } from "./call-binding.ts";
import type { CallLog, CallRecord } from "./call-log.ts";
import type { FaultInjector, FaultSpec } from "./fault-injector.ts";
import { accessDenied, accessError, attributeError, OdooError } from "./odoo-error.ts";
import { OrmEnv, type Registry } from "./orm-env.ts";
import type { WorkerPool } from "./worker-pool.ts";

/** An RPC as the transports hand it over. */
export interface RpcCall {
  transport: CallRecord["transport"];
  db: string;
  model: string;
  method: string;
  /** execute_kw style (positional + kwargs) or JSON-2 style (named body). */
  positional?: unknown;
  kwargs?: unknown;
  named?: unknown;
  /** Who calls: checked credentials, or an already authenticated uid (session, JSON-2 key). */
  auth: { uid: unknown; secret: unknown } | { trustedUid: number };
}

/** What the transport must render. */
export type RpcOutcome =
  | { kind: "result"; value: unknown; fault?: FaultSpec }
  | { kind: "error"; error: OdooError; fault?: FaultSpec }
  | { kind: "fault"; fault: FaultSpec };

/** What the dispatcher works with; built once by `startSandboxOdoo`. */
export interface DispatcherDeps {
  databases: ReadonlyMap<string, { db: Database; registry: Registry }>;
  pool: WorkerPool;
  faults: FaultInjector;
  log: CallLog;
  now: () => number;
  perCallMs: number;
  perRecordMs: Record<string, number>;
}

/** `YYYY-MM-DD HH:MM:SS` in UTC, Odoo's datetime format. */
export function odooDatetime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

/** psycopg2's answer for a database that does not exist. */
export function unknownDatabase(db: string): OdooError {
  return new OdooError(
    "psycopg2.OperationalError",
    `connection to server at "127.0.0.1", port 5432 failed: FATAL:  database "${db}" does not exist\n`,
    500,
    [
      `  File "/opt/odoo/odoo/sql_db.py", line 771, in borrow\n    result = psycopg2.connect(`,
      `  File "/usr/lib/python3/dist-packages/psycopg2/__init__.py", line 122, in connect\n    conn = _connect(dsn, connection_factory=connection_factory, **kwasync)`,
    ],
  );
}

const sleep = (ms: number) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());

const CONCURRENCY_ERRORS: Record<string, [string, string]> = {
  serialization: [
    "psycopg2.errors.SerializationFailure",
    "could not serialize access due to concurrent update\n",
  ],
  lock: ["psycopg2.errors.LockNotAvailable", 'could not obtain lock on row in relation "res_partner"\n'],
};

/** Checks a password or API key; returns the uid or false. */
export function checkCredentials(db: Database, uid: unknown, secret: unknown): number | false {
  if (typeof uid !== "number" || typeof secret !== "string" || !secret) return false;
  const row = db
    .prepare(`SELECT id FROM res_users WHERE id = ? AND active = 1 AND (password = ? OR sandbox_api_key = ?)`)
    .get(uid, secret, secret) as { id: number } | undefined;
  return row ? row.id : false;
}

/**
 * Serves one RPC the way Odoo's `execute_kw` does, in Odoo's order of checks (database, credentials,
 * private method, model, method, arguments, access rights), as ONE transaction: the write stamp is taken
 * when a worker picks the call up, latency is spent before the work is applied (so what it commits
 * carries a stamp already in the past), and any error rolls everything back.
 */
export class CallDispatcher {
  private readonly deps: DispatcherDeps;

  constructor(deps: DispatcherDeps) {
    this.deps = deps;
  }

  async dispatch(call: RpcCall): Promise<RpcOutcome> {
    const startedAt = Date.now();
    const record: CallRecord = {
      transport: call.transport,
      db: call.db,
      uid: false,
      model: call.model,
      method: call.method,
      records: 0,
      startedAt,
      durationMs: 0,
      outcome: "ok",
    };
    const fault = this.deps.faults.take(call.model, call.method);
    const finish = (outcome: RpcOutcome): RpcOutcome => {
      record.durationMs = Date.now() - startedAt;
      record.outcome =
        outcome.kind === "fault"
          ? `fault:${outcome.fault.kind}`
          : outcome.kind === "error"
            ? `error:${outcome.error.odooName}`
            : "ok";
      if (outcome.kind !== "fault" && outcome.fault) record.outcome += ` fault:${outcome.fault.kind}`;
      this.deps.log.add(record);
      return outcome;
    };
    if (fault && ["http502", "http503", "http429", "html500", "reset-before"].includes(fault.kind)) {
      return finish({ kind: "fault", fault });
    }
    return finish(
      await this.deps.pool.run(async () => {
        const stamp = odooDatetime(this.deps.now());
        try {
          const value = await this.execute(call, stamp, record, fault);
          return { kind: "result", value, ...(fault ? { fault } : {}) };
        } catch (error) {
          return { kind: "error", error: toOdooError(error), ...(fault ? { fault } : {}) };
        }
      }),
    );
  }

  private async execute(
    call: RpcCall,
    stamp: string,
    record: CallRecord,
    fault: FaultSpec | undefined,
  ): Promise<unknown> {
    const target = this.deps.databases.get(call.db);
    if (!target) throw unknownDatabase(call.db);
    const { db, registry } = target;
    const uid =
      "trustedUid" in call.auth
        ? call.auth.trustedUid
        : checkCredentials(db, call.auth.uid, call.auth.secret);
    if (uid === false) throw accessDenied();
    record.uid = uid;
    if (fault && CONCURRENCY_ERRORS[fault.kind]) {
      await sleep(fault.delayMs ?? 0);
      const [name, message] = CONCURRENCY_ERRORS[fault.kind] as [string, string];
      throw new OdooError(name, message, 500, [
        `  File "/opt/odoo/odoo/sql_db.py", line 332, in execute\n    res = self._obj.execute(query, params)`,
      ]);
    }
    if (typeof call.method !== "string" || call.method.startsWith("_")) {
      throw accessError(`Private methods (such as ${call.method}) cannot be called remotely.`);
    }
    const model = registry.models.get(call.model);
    if (!model) throw new OdooError("odoo.exceptions.UserError", `Object ${call.model} doesn't exist`, 404);
    const method = Object.hasOwn(model.methods ?? {}, call.method) ? model.methods?.[call.method] : undefined;
    if (!method) throw attributeError(call.model, call.method);
    const bound: BoundCall =
      call.named !== undefined
        ? bindJson2(method, call.method, call.named)
        : bindPositional(method, call.method, call.positional ?? [], call.kwargs);
    const env = new OrmEnv(db, registry, uid, bound.context, stamp);
    if (method.operation && method.operation !== "none") checkAccess(env, model, method.operation);
    const work = () => method.run(env, bound.ids, bound.args, call.model);
    const perRecord = this.deps.perRecordMs[`${call.model}.${call.method}`] ?? 0;
    let estimate = 0;
    if (perRecord > 0) {
      // Dry run to learn how many records the call touches, then wait, then do it for real.
      const probe = new OrmEnv(db, registry, uid, bound.context, stamp);
      db.exec("BEGIN");
      try {
        method.run(probe, bound.ids, bound.args, call.model);
      } catch {
        // the real run below reports the error
      } finally {
        db.exec("ROLLBACK");
      }
      estimate = probe.shared.touched;
    }
    await sleep(this.deps.perCallMs + perRecord * estimate);
    const result = db.transaction(work)();
    record.records = env.shared.touched;
    return result;
  }
}

/** Any failure as an Odoo exception (unexpected JS errors become a Python-looking 500). */
export function toOdooError(error: unknown): OdooError {
  if (error instanceof OdooError) return error;
  if (error instanceof RangeError && /call stack/i.test(error.message))
    return new OdooError("builtins.RecursionError", "maximum recursion depth exceeded", 500);
  const message = error instanceof Error ? error.message : String(error);
  if (/too many|too large|Expression tree/i.test(message)) {
    return new OdooError("psycopg2.errors.ProgramLimitExceeded", message, 500);
  }
  if (/^SQLITE/.test((error as { code?: string })?.code ?? "")) {
    return new OdooError("psycopg2.errors.InternalError", message, 500);
  }
  return new OdooError("builtins.Exception", message, 500);
}
