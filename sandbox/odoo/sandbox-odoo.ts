import type { ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Database from "better-sqlite3";
import { CallDispatcher, odooDatetime } from "./call-dispatcher.ts";
import { CallLog } from "./call-log.ts";
import { FaultInjector } from "./fault-injector.ts";
import { createOdooHttpServer } from "./http-server.ts";
import { OrmEnv, type Registry, type SearchOptions } from "./orm-env.ts";
import { readRecords } from "./orm-read.ts";
import { buildRegistry } from "./registry.ts";
import { DEFAULT_USERS, type SeedUser, seedBase } from "./seed-base.ts";
import { seedBulkProducts, seedDemo } from "./seed-demo.ts";
import { createSchema } from "./sqlite-schema.ts";
import { versionProfile } from "./version-profile.ts";
import { WorkerPool } from "./worker-pool.ts";

export type { CallRecord } from "./call-log.ts";
export { CallLog } from "./call-log.ts";
export type { FaultKind, FaultSpec } from "./fault-injector.ts";
export { FaultInjector } from "./fault-injector.ts";

/**
 * How to start a sandbox; every field is optional. The defaults give an Odoo 17 with the demo data on
 * one in-memory database "crossdock", four workers, no latency and the real clock.
 */
export interface SandboxOdooOptions {
  /** Odoo version spoken (fields, methods, transports); default 17. */
  version?: 16 | 17 | 18 | 19;
  /** Database names; default ["crossdock"]. With several, JSON-2 needs X-Odoo-Database. */
  databases?: string[];
  /** SQLite file; default ":memory:". With several databases, the db name is added before the extension. */
  dbPath?: string;
  port?: number;
  host?: string;
  /** "demo" (default): customers, products with stock, carriers, sale orders 25/26; "empty": master data only. */
  seed?: "demo" | "empty";
  /** Extra storable products SKU-00001.. with 1,000 on hand each (benchmarks); default 0. */
  products?: number;
  /** Default: admin/admin uid 2 (API key "sandbox-admin-key", admin) and demo/demo uid 6 (read-only). */
  users?: SeedUser[];
  /** `perCallMs` on every call, plus `perRecordMs["model.method"]` per record the call touches. */
  latency?: { perCallMs?: number; perRecordMs?: Record<string, number> };
  /** Calls served at once; the others queue FIFO. Default 4. */
  workers?: number;
  /** Clock for write_date and dates; default Date.now. */
  now?: () => number;
}

/** In-process, superuser access to one database: no RPC, no latency, each call its own transaction. */
export interface SandboxEnv {
  search(model: string, domain?: unknown[], options?: SearchOptions): number[];
  read(model: string, ids: number[], fields?: string[]): Record<string, unknown>[];
  searchRead(
    model: string,
    domain?: unknown[],
    fields?: string[],
    options?: SearchOptions,
  ): Record<string, unknown>[];
  create(model: string, vals: Record<string, unknown>): number;
  write(model: string, ids: number[], vals: Record<string, unknown>): void;
  unlink(model: string, ids: number[]): void;
  /** Runs any public model method (`action_confirm`, `button_validate`...) with positional args and kwargs. */
  call(model: string, method: string, args?: unknown[], kwargs?: Record<string, unknown>): unknown;
  /** Database id of an external id (`base.main_company`). */
  ref(xmlid: string): number | undefined;
}

/** A running sandbox. `close()` ends parked (`hang-after`) answers, the server and the databases. */
export interface SandboxOdoo {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly version: number;
  readonly faults: FaultInjector;
  readonly calls: CallLog;
  env(db?: string): SandboxEnv;
  close(): Promise<void>;
}

function filePath(base: string, db: string, several: boolean): string {
  if (base === ":memory:" || !several) return base;
  const dot = base.lastIndexOf(".");
  return dot > base.lastIndexOf("/") ? `${base.slice(0, dot)}-${db}${base.slice(dot)}` : `${base}-${db}`;
}

function openDatabase(
  path: string,
  registry: Registry,
  options: SandboxOdooOptions,
  now: () => number,
): Database.Database {
  const db = new Database(path);
  if (path !== ":memory:") db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF");
  createSchema(db, registry);
  const seeded = (db.prepare("SELECT COUNT(*) AS n FROM res_company").get() as { n: number }).n > 0;
  if (!seeded) {
    const env = new OrmEnv(db, registry, 1, { sandbox_seed: true }, odooDatetime(now()));
    db.transaction(() => {
      seedBase(env, options.users ?? DEFAULT_USERS);
      if ((options.seed ?? "demo") === "demo") seedDemo(env);
      seedBulkProducts(env, db, options.products ?? 0);
    })();
  }
  return db;
}

function makeEnv(db: Database.Database, registry: Registry, now: () => number): SandboxEnv {
  const run = <T>(fn: (env: OrmEnv) => T, context: Record<string, unknown> = {}): T =>
    db.transaction(() => fn(new OrmEnv(db, registry, 1, context, odooDatetime(now()))))();
  return {
    search: (model, domain = [], options = {}) => run((env) => env.search(model, domain, options)),
    read: (model, ids, fields) => run((env) => readRecords(env, model, ids, fields)),
    searchRead: (model, domain = [], fields, options = {}) =>
      run((env) => readRecords(env, model, env.search(model, domain, options), fields)),
    create: (model, vals) => run((env) => env.create(model, vals)),
    write: (model, ids, vals) => run((env) => env.write(model, ids, vals)),
    unlink: (model, ids) => run((env) => env.unlink(model, ids)),
    call: (model, method, args = [], kwargs = {}) => {
      const def = registry.models.get(model);
      const m = def?.methods?.[method];
      if (!m) throw new Error(`no method ${model}.${method}`);
      const context = (kwargs.context as Record<string, unknown>) ?? {};
      const rest = { ...kwargs };
      delete rest.context;
      const ids = m.multi ? ((Array.isArray(args[0]) ? args[0] : [args[0]]) as number[]) : [];
      const positional = m.multi ? args.slice(1) : args;
      const named: Record<string, unknown> = { ...rest };
      positional.forEach((v, i) => {
        named[m.params[i] as string] = v;
      });
      return run((env) => m.run(env, ids, named, model), context);
    },
    ref: (xmlid) => run((env) => env.ref(xmlid)),
  };
}

/**
 * Starts a simulated Odoo server (see README.md): Odoo's wire protocols and error shapes over a small
 * SQLite-backed ORM with the sales, stock, invoicing and purchase flows an integration hub drives.
 *
 * @example
 * const odoo = await startSandboxOdoo({ version: 17 });
 * // POST `${odoo.url}/jsonrpc` execute_kw ["crossdock", 2, "admin", "res.partner", "search_read", [[]], {}]
 * await odoo.close();
 */
export async function startSandboxOdoo(options: SandboxOdooOptions = {}): Promise<SandboxOdoo> {
  const profile = versionProfile(options.version ?? 17);
  const registry = buildRegistry(profile);
  const now = options.now ?? Date.now;
  const names = options.databases?.length ? options.databases : ["crossdock"];
  const databases = new Map<string, { db: Database.Database; registry: Registry }>();
  for (const name of names) {
    const db = openDatabase(
      filePath(options.dbPath ?? ":memory:", name, names.length > 1),
      registry,
      options,
      now,
    );
    databases.set(name, { db, registry });
  }
  const faults = new FaultInjector();
  const calls = new CallLog();
  const parked = new Set<ServerResponse>();
  const dispatcher = new CallDispatcher({
    databases,
    pool: new WorkerPool(options.workers ?? 4),
    faults,
    log: calls,
    now,
    perCallMs: options.latency?.perCallMs ?? 0,
    perRecordMs: options.latency?.perRecordMs ?? {},
  });
  const server = createOdooHttpServer({ dispatcher, databases, profile, parked, faults, log: calls });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  let closed = false;
  return {
    url: `http://${host}:${address.port}`,
    version: profile.version,
    faults,
    calls,
    env: (db = names[0] as string) => {
      const target = databases.get(db);
      if (!target) throw new Error(`unknown database ${db}`);
      return makeEnv(target.db, registry, now);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      for (const res of parked) res.socket?.destroy();
      parked.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const { db } of databases.values()) db.close();
    },
  };
}
