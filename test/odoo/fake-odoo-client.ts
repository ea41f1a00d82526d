/**
 * A small in-memory `OdooClient` for unit tests of the change poller and the master data cache: it
 * evaluates Odoo domains (prefix `&`, `|`, `!` with implicit AND), orders, limits, Odoo's `active_test`
 * (archived records are hidden unless the domain names `active`), `search` returning ids, and lets a
 * test fail the next calls. Not a simulator: `sandbox/odoo` is the faithful one.
 */

import type { OdooClient, SearchReadOptions } from "../../src/connectors/odoo/odoo-client.ts";
import { odooDialect } from "../../src/connectors/odoo/odoo-dialect.ts";
import type { OdooCall } from "../../src/connectors/odoo/odoo-transport.ts";

export type FakeRecord = Record<string, unknown> & { id: number };

export interface FakeCall {
  model: string;
  method: string;
  domain: readonly unknown[];
  limit: number | undefined;
  order: string | undefined;
  fields: readonly string[] | undefined;
}

export interface FakeOdoo extends OdooClient {
  readonly tables: Map<string, FakeRecord[]>;
  readonly calls: FakeCall[];
  /** Inserts or replaces a record (by id). */
  put(model: string, record: FakeRecord): void;
  remove(model: string, id: number): void;
  /** The next `count` calls throw `error`. */
  failNext(error: Error, count?: number): void;
  /** Runs before each answer (e.g. to commit a "late" transaction between two pages). */
  beforeAnswer?: (call: FakeCall) => void;
}

export function createFakeOdoo(options: { major?: number } = {}): FakeOdoo {
  const dialect = odooDialect(options.major ?? 17);
  const tables = new Map<string, FakeRecord[]>();
  const calls: FakeCall[] = [];
  let failures: { error: Error; count: number } | undefined;

  function table(model: string): FakeRecord[] {
    let rows = tables.get(model);
    if (!rows) {
      rows = [];
      tables.set(model, rows);
    }
    return rows;
  }

  function select(model: string, domain: readonly unknown[], o: SearchReadOptions = {}): FakeRecord[] {
    const testActive = o.context?.active_test !== false && !mentions(domain, "active");
    let rows = table(model).filter((row) => (!testActive || row.active !== false) && matches(domain, row));
    rows = sortRows(rows, o.order ?? "id asc");
    const offset = o.offset ?? 0;
    return rows.slice(offset, o.limit === undefined ? undefined : offset + o.limit);
  }

  function record(call: FakeCall): void {
    calls.push(call);
    fake.beforeAnswer?.(call);
    if (failures && failures.count > 0) {
      failures.count--;
      throw failures.error;
    }
  }

  const fake: FakeOdoo = {
    database: "fake",
    tables,
    calls,
    connect: async () => ({ major: dialect.major, transport: "jsonrpc", uid: 2 }),
    dialect,
    async call<T>(odooCall: OdooCall): Promise<T> {
      const params: { domain?: unknown[]; limit?: number; order?: string } = odooCall.params ?? {};
      const domain = params.domain ?? [];
      record({
        model: odooCall.model,
        method: odooCall.method,
        domain,
        limit: params.limit,
        order: params.order,
        fields: undefined,
      });
      if (odooCall.method !== "search") throw new Error(`fake Odoo: ${odooCall.method} not supported`);
      const searchOptions: SearchReadOptions = {};
      if (params.limit !== undefined) searchOptions.limit = params.limit;
      if (params.order !== undefined) searchOptions.order = params.order;
      if (odooCall.context !== undefined) searchOptions.context = { ...odooCall.context };
      return select(odooCall.model, domain, searchOptions).map((row) => row.id) as T;
    },
    async searchRead<T>(
      model: string,
      domain: readonly unknown[],
      fields: readonly string[],
      o: SearchReadOptions = {},
    ) {
      record({ model, method: "search_read", domain, limit: o.limit, order: o.order, fields });
      return select(model, domain, o).map((row) => pick(row, fields)) as T[];
    },
    async read<T>(model: string, ids: readonly number[], fields: readonly string[]) {
      record({
        model,
        method: "read",
        domain: [["id", "in", ids]],
        limit: undefined,
        order: undefined,
        fields,
      });
      return table(model)
        .filter((row) => ids.includes(row.id))
        .map((row) => pick(row, fields)) as T[];
    },
    stats: () => ({ attempts: calls.length, retries: 0, inFlight: 0, waiting: 0 }),
    close: async () => {},
    put(model, row) {
      const rows = table(model);
      const at = rows.findIndex((existing) => existing.id === row.id);
      if (at >= 0) rows[at] = row;
      else rows.push(row);
    },
    remove(model, id) {
      tables.set(
        model,
        table(model).filter((row) => row.id !== id),
      );
    },
    failNext(error, count = 1) {
      failures = { error, count };
    },
  };
  return fake;
}

function pick(row: FakeRecord, fields: readonly string[]): FakeRecord {
  const out: FakeRecord = { id: row.id };
  for (const field of fields) out[field] = field in row ? row[field] : false;
  return out;
}

function mentions(domain: readonly unknown[], field: string): boolean {
  return domain.some((term) => Array.isArray(term) && term[0] === field);
}

/** Evaluates a prefix-notation domain right to left with a stack; leftovers are ANDed (Odoo's rule). */
export function matches(domain: readonly unknown[], row: FakeRecord): boolean {
  const stack: boolean[] = [];
  for (let i = domain.length - 1; i >= 0; i--) {
    const item = domain[i];
    if (item === "!") stack.push(!stack.pop());
    else if (item === "&" || item === "|") {
      const a = stack.pop() ?? true;
      const b = stack.pop() ?? true;
      stack.push(item === "&" ? a && b : a || b);
    } else if (Array.isArray(item)) stack.push(term(item as [string, string, unknown], row));
    else throw new Error(`fake Odoo: bad domain item ${JSON.stringify(item)}`);
  }
  return stack.every(Boolean);
}

function term([field, op, value]: [string, string, unknown], row: FakeRecord): boolean {
  const raw = row[field];
  const left = Array.isArray(raw) && field !== "taxes_id" && raw.length === 2 ? raw[0] : raw;
  const empty = left === undefined || left === null || left === false;
  switch (op) {
    case "=":
      return value === false ? empty : left === value;
    case "!=":
      return value === false ? !empty : left !== value;
    case ">":
      return !empty && (left as number) > (value as number);
    case ">=":
      return !empty && (left as number) >= (value as number);
    case "<":
      return !empty && (left as number) < (value as number);
    case "<=":
      return !empty && (left as number) <= (value as number);
    case "in":
      return (value as unknown[]).includes(left === undefined ? false : left);
    case "not in":
      return !(value as unknown[]).includes(left);
    default:
      throw new Error(`fake Odoo: operator ${op} not supported`);
  }
}

function sortRows(rows: FakeRecord[], order: string): FakeRecord[] {
  const keys = order.split(",").map((part) => {
    const [name = "id", direction = "asc"] = part.trim().split(/\s+/);
    return { name, sign: direction.toLowerCase() === "desc" ? -1 : 1 };
  });
  return [...rows].sort((a, b) => {
    for (const { name, sign } of keys) {
      const x = a[name] as string | number;
      const y = b[name] as string | number;
      if (x < y) return -sign;
      if (x > y) return sign;
    }
    return 0;
  });
}
