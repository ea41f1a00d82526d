import type { Database, Statement } from "better-sqlite3";
import { compileDomain, compileOrder, tableOf } from "./domain-sql.ts";
import { type FieldDef, isStored, type ModelDef, type Row } from "./model-def.ts";
import { missingError, userError, validationError, valueError } from "./odoo-error.ts";
import { decodeRow, encodeValue, requiredError } from "./orm-values.ts";
import type { VersionProfile } from "./version-profile.ts";
import { applyM2mCommands, applyO2mCommands } from "./x2many-commands.ts";

/** The models of one Odoo version. */
export interface Registry {
  readonly profile: VersionProfile;
  readonly models: ReadonlyMap<string, ModelDef>;
}

/** `offset`, `limit` and `order` of a search (JSON nulls and false mean none). */
export interface SearchOptions {
  offset?: number;
  limit?: number | false | null;
  order?: string | false | null;
}

const statements = new WeakMap<Database, Map<string, Statement>>();

/** Counters shared by every env of one call (records touched drive per-record latency). */
interface CallShared {
  touched: number;
}

/**
 * One call's view of an Odoo database: the generic ORM (search/browse/create/write/unlink) over SQLite,
 * run as `uid` with `context`, stamping `create_date`/`write_date` with `stamp` (the transaction start).
 * Business code in `models/` is written against it; access rights are checked by the dispatcher.
 */
export class OrmEnv {
  readonly db: Database;
  readonly registry: Registry;
  readonly uid: number;
  readonly context: Readonly<Record<string, unknown>>;
  readonly stamp: string;
  readonly shared: CallShared;

  constructor(
    db: Database,
    registry: Registry,
    uid: number,
    context: Record<string, unknown>,
    stamp: string,
    shared: CallShared = { touched: 0 },
  ) {
    this.db = db;
    this.registry = registry;
    this.uid = uid;
    this.context = context;
    this.stamp = stamp;
    this.shared = shared;
  }

  get profile(): VersionProfile {
    return this.registry.profile;
  }

  /** Same call, other context (merged over the current one). */
  withContext(extra: Record<string, unknown>): OrmEnv {
    return new OrmEnv(
      this.db,
      this.registry,
      this.uid,
      { ...this.context, ...extra },
      this.stamp,
      this.shared,
    );
  }

  /** Same call with exactly this context. */
  withExactContext(context: Record<string, unknown>): OrmEnv {
    return new OrmEnv(this.db, this.registry, this.uid, context, this.stamp, this.shared);
  }

  model(name: string): ModelDef {
    const model = this.registry.models.get(name);
    if (!model) throw userError(`Object ${name} doesn't exist`);
    return model;
  }

  prepare(sql: string): Statement {
    let cache = statements.get(this.db);
    if (!cache) {
      cache = new Map();
      statements.set(this.db, cache);
    }
    let stmt = cache.get(sql);
    if (!stmt) {
      // Domains of every shape give distinct SQL: keep the cache bounded for long-running sandboxes.
      if (cache.size >= 5000) cache.clear();
      stmt = this.db.prepare(sql);
      cache.set(sql, stmt);
    }
    return stmt;
  }

  private where(model: string, domain: unknown) {
    return compileDomain(
      {
        model: (n) => this.model(n),
        activeTest: this.context.active_test !== false,
      },
      model,
      domain,
    );
  }

  /** Ids matching `domain`, in `order` (default: the model's), honouring offset/limit. */
  search(model: string, domain: unknown = [], options: SearchOptions = {}): number[] {
    const def = this.model(model);
    const w = this.where(model, domain);
    const limit = typeof options.limit === "number" && options.limit >= 0 ? options.limit : -1;
    const offset = typeof options.offset === "number" && options.offset > 0 ? options.offset : 0;
    const sql = `SELECT t.id FROM ${tableOf(model)} t WHERE ${w.sql} ORDER BY ${compileOrder(def, options.order)} LIMIT ? OFFSET ?`;
    return (
      this.prepare(sql)
        .pluck()
        .all(...w.params, limit, offset) as number[]
    ).map(Number);
  }

  searchCount(model: string, domain: unknown = [], limit?: number | null): number {
    this.model(model);
    const w = this.where(model, domain);
    const sql = `SELECT COUNT(*) FROM (SELECT 1 FROM ${tableOf(model)} t WHERE ${w.sql} LIMIT ?)`;
    return Number(
      this.prepare(sql)
        .pluck()
        .get(...w.params, typeof limit === "number" ? limit : -1),
    );
  }

  /** Existing records among `ids`, in the order given, decoded (booleans, m2m id lists, json). */
  browse(model: string, ids: readonly number[]): Row[] {
    const def = this.model(model);
    const unique = [...new Set(ids)];
    if (!unique.length) return [];
    const byId = new Map<number, Row>();
    for (let i = 0; i < unique.length; i += 500) {
      const chunk = unique.slice(i, i + 500);
      const sql = `SELECT * FROM ${tableOf(model)} WHERE id IN (${chunk.map(() => "?").join(",")})`;
      for (const raw of this.prepare(sql).all(...chunk) as Record<string, unknown>[]) {
        const row = decodeRow(def, raw);
        byId.set(row.id, row);
      }
    }
    return unique.flatMap((id) => byId.get(id) ?? []);
  }

  /** Records matching `domain`, decoded. */
  find(model: string, domain: unknown = [], options: SearchOptions = {}): Row[] {
    return this.browse(model, this.search(model, domain, options));
  }

  /** One record or MissingError. */
  get(model: string, id: number): Row {
    const row = this.browse(model, [id])[0];
    if (!row) throw missingError(model, [id], this.uid);
    return row;
  }

  /** MissingError when some ids do not exist (write, unlink and actions). */
  ensureExist(model: string, ids: readonly number[]): Row[] {
    const rows = this.browse(model, ids);
    if (rows.length < new Set(ids).size) {
      const found = new Set(rows.map((r) => r.id));
      throw missingError(
        model,
        ids.filter((id) => !found.has(id)),
        this.uid,
      );
    }
    return rows;
  }

  /** Creates one record; x2many values are command lists. Returns the new id. */
  create(model: string, input: Record<string, unknown>): number {
    const def = this.model(model);
    if (input === null || typeof input !== "object" || Array.isArray(input)) {
      throw valueError(`create() expects a dict of values, got ${JSON.stringify(input)?.slice(0, 100)}`);
    }
    const vals: Record<string, unknown> = { ...input };
    this.checkFieldNames(def, vals);
    def.beforeCreate?.(this, vals);
    for (const [name, field] of Object.entries(def.fields)) {
      const fromContext = this.context[`default_${name}`];
      if (vals[name] === undefined && fromContext !== undefined && !field.compute) vals[name] = fromContext;
      if (vals[name] === undefined && field.default !== undefined) {
        vals[name] = typeof field.default === "function" ? field.default(this, vals) : field.default;
      }
    }
    const columns: string[] = ["create_date", "write_date", "create_uid", "write_uid"];
    const values: unknown[] = [this.stamp, this.stamp, this.uid, this.uid];
    if (this.context.sandbox_seed && typeof vals.id === "number") {
      columns.push("id");
      values.push(vals.id);
    }
    const later: [string, FieldDef, unknown][] = [];
    for (const [name, field] of Object.entries(def.fields)) {
      if (field.compute || ["create_date", "write_date", "create_uid", "write_uid"].includes(name)) continue;
      const value = vals[name];
      if (field.type === "one2many") {
        if (value !== undefined) later.push([name, field, value]);
        continue;
      }
      if (field.required && (value === undefined || value === false || value === null || value === "")) {
        throw requiredError(def, name, field);
      }
      if (value === undefined) continue;
      columns.push(`"${name}"`);
      values.push(
        encodeValue(field, field.type === "many2many" ? applyM2mCommands(this, field, [], value) : value),
      );
    }
    const sql = `INSERT INTO ${tableOf(model)} (${columns.join(",")}) VALUES (${columns.map(() => "?").join(",")})`;
    const id = Number(this.prepare(sql).run(...values).lastInsertRowid);
    for (const [, field, value] of later) applyO2mCommands(this, field, id, value);
    this.checkUnique(def, [id], vals);
    this.shared.touched += 1;
    def.afterCreate?.(this, [id], [vals]);
    return id;
  }

  /** Writes the same values on every record; MissingError when one is gone. */
  write(model: string, ids: readonly number[], input: Record<string, unknown>): void {
    const def = this.model(model);
    if (input === null || typeof input !== "object" || Array.isArray(input)) {
      throw valueError(`write() expects a dict of values, got ${JSON.stringify(input)?.slice(0, 100)}`);
    }
    const list = [...new Set(ids)];
    if (!list.length) return;
    this.ensureExist(model, list);
    const vals: Record<string, unknown> = { ...input };
    this.checkFieldNames(def, vals);
    def.beforeWrite?.(this, list, vals);
    const sets = ["write_date = ?", "write_uid = ?"];
    const params: unknown[] = [this.stamp, this.uid];
    const x2m: [string, FieldDef, unknown][] = [];
    for (const [name, value] of Object.entries(vals)) {
      const field = def.fields[name] as FieldDef;
      if (field.compute || name === "id" || value === undefined) continue;
      if (field.type === "one2many" || field.type === "many2many") {
        x2m.push([name, field, value]);
        continue;
      }
      if (field.required && (value === false || value === null || value === ""))
        throw requiredError(def, name, field);
      sets.push(`"${name}" = ?`);
      params.push(encodeValue(field, value));
    }
    for (let i = 0; i < list.length; i += 500) {
      const chunk = list.slice(i, i + 500);
      const sql = `UPDATE ${tableOf(model)} SET ${sets.join(", ")} WHERE id IN (${chunk.map(() => "?").join(",")})`;
      this.prepare(sql).run(...params, ...chunk);
    }
    for (const [name, field, value] of x2m) {
      for (const id of list) {
        if (field.type === "one2many") applyO2mCommands(this, field, id, value);
        else {
          const current = (this.get(model, id)[name] as number[]) ?? [];
          const next = applyM2mCommands(this, field, current, value);
          this.prepare(`UPDATE ${tableOf(model)} SET "${name}" = ? WHERE id = ?`).run(
            JSON.stringify(next),
            id,
          );
        }
      }
    }
    this.checkUnique(def, list, vals);
    this.shared.touched += list.length;
    def.afterWrite?.(this, list, vals);
  }

  /**
   * Deletes records. Records pointing at them through a one2many go too when their many2one says
   * `ondelete: "cascade"` (order lines, move lines, variants); otherwise the link is emptied.
   */
  unlink(model: string, ids: readonly number[]): void {
    const def = this.model(model);
    const list = [...new Set(ids)];
    if (!list.length) return;
    this.ensureExist(model, list);
    def.beforeUnlink?.(this, list);
    for (const field of Object.values(def.fields)) {
      if (field.type !== "one2many" || !field.relation || !field.inverse) continue;
      const children = this.withContext({ active_test: false }).search(field.relation, [
        [field.inverse, "in", list],
      ]);
      if (!children.length) continue;
      const inverse = this.model(field.relation).fields[field.inverse];
      if (inverse?.ondelete === "cascade") this.unlink(field.relation, children);
      else this.write(field.relation, children, { [field.inverse]: false });
    }
    for (let i = 0; i < list.length; i += 500) {
      const chunk = list.slice(i, i + 500);
      this.prepare(`DELETE FROM ${tableOf(model)} WHERE id IN (${chunk.map(() => "?").join(",")})`).run(
        ...chunk,
      );
    }
    this.shared.touched += list.length;
  }

  /**
   * Stores values computed by business code (amounts, states) without running hooks: like Odoo's
   * recomputation, it still bumps `write_date`.
   */
  update(model: string, ids: readonly number[], vals: Record<string, unknown>): void {
    const def = this.model(model);
    if (!ids.length) return;
    const sets = ["write_date = ?", "write_uid = ?"];
    const params: unknown[] = [this.stamp, this.uid];
    for (const [name, value] of Object.entries(vals)) {
      const field = def.fields[name];
      // Version-specific fields (e.g. `picked`, 17+) are skipped where the version lacks them.
      if (!field || !isStored(field)) continue;
      sets.push(`"${name}" = ?`);
      params.push(encodeValue(field, field.type === "many2many" ? (value ?? []) : value));
    }
    for (const id of ids)
      this.prepare(`UPDATE ${tableOf(model)} SET ${sets.join(", ")} WHERE id = ?`).run(...params, id);
  }

  /** Display names by id (`[id, name]` pairs of many2one reads). */
  displayNames(model: string, ids: readonly number[]): Map<number, string> {
    const def = this.model(model);
    const rows = this.browse(model, ids);
    const names = def.displayName
      ? def.displayName(this, rows)
      : rows.map((r) => {
          const v = r[def.recName ?? "name"];
          return typeof v === "string" && v ? v : `${model},${r.id}`;
        });
    return new Map(rows.map((r, i) => [r.id, names[i] as string]));
  }

  /** Database id of an external id (`module.name`), or undefined. */
  ref(xmlid: string): number | undefined {
    const dot = xmlid.indexOf(".");
    const module = dot > 0 ? xmlid.slice(0, dot) : "__import__";
    const name = dot > 0 ? xmlid.slice(dot + 1) : xmlid;
    const row = this.prepare(`SELECT res_id FROM "ir_model_data" WHERE module = ? AND name = ?`).get(
      module,
      name,
    ) as { res_id: number } | undefined;
    return row?.res_id;
  }

  /** Registers `module.name` -> (model, id) in ir.model.data. */
  setRef(xmlid: string, model: string, id: number): void {
    const dot = xmlid.indexOf(".");
    this.create("ir.model.data", {
      module: dot > 0 ? xmlid.slice(0, dot) : "__import__",
      name: dot > 0 ? xmlid.slice(dot + 1) : xmlid,
      model,
      res_id: id,
    });
  }

  /** Next number of a named sequence (kept in SQLite so a rolled-back call gives it back). */
  nextNumber(code: string): number {
    const row = this.prepare(
      `INSERT INTO sandbox_sequence (code, next) VALUES (?, 2) ON CONFLICT(code) DO UPDATE SET next = next + 1 RETURNING next - 1 AS n`,
    ).get(code) as { n: number };
    return row.n;
  }

  /** Sets a sequence so that the next number is `next`. */
  setNextNumber(code: string, next: number): void {
    this.prepare(
      `INSERT INTO sandbox_sequence (code, next) VALUES (?, ?) ON CONFLICT(code) DO UPDATE SET next = ?`,
    ).run(code, next, next);
  }

  private checkFieldNames(def: ModelDef, vals: Record<string, unknown>): void {
    for (const key of Object.keys(vals)) {
      if (!def.fields[key] && key !== "id") throw valueError(`Invalid field '${key}' on model '${def.name}'`);
    }
  }

  private checkUnique(def: ModelDef, ids: number[], vals: Record<string, unknown>): void {
    for (const constraint of def.unique ?? []) {
      if (!constraint.fields.some((name) => name in vals)) continue;
      for (const row of this.browse(def.name, ids)) {
        const cond = constraint.fields.map((n) => `"${n}" IS ?`).join(" AND ");
        const params = constraint.fields.map((n) => encodeValue(def.fields[n] as FieldDef, row[n]));
        if (params.some((p) => p === null || p === "")) continue;
        const sql = `SELECT COUNT(*) FROM ${tableOf(def.name)} WHERE ${cond} AND id != ?`;
        if (
          Number(
            this.prepare(sql)
              .pluck()
              .get(...params, row.id),
          ) > 0
        ) {
          throw validationError(`The operation cannot be completed: ${constraint.message}`);
        }
      }
    }
  }
}
