import type { OrmEnv } from "./orm-env.ts";

/** Field types the sandbox ORM knows; stored ones map to one SQLite column (one2many to none). */
export type FieldType =
  | "char"
  | "text"
  | "html"
  | "integer"
  | "float"
  | "monetary"
  | "boolean"
  | "date"
  | "datetime"
  | "selection"
  | "many2one"
  | "one2many"
  | "many2many"
  | "json";

/** A record as the ORM hands it to business code: column values, booleans as booleans, m2m as id arrays. */
export type Row = Record<string, unknown> & { id: number };

/** One field of a model: its type, relation, default and, for computed fields, how to compute and search it. */
export interface FieldDef {
  type: FieldType;
  string?: string;
  /** Target model of relational fields. */
  relation?: string;
  /** many2one: what deleting the target does to this record (default: the link is emptied). */
  ondelete?: "cascade" | "set null";
  /** one2many: the many2one on the target pointing back. */
  inverse?: string;
  selection?: readonly (readonly [string, string])[];
  required?: boolean;
  readonly?: boolean;
  /** Left out of default reads and fields_get (credentials, sandbox bookkeeping). */
  hidden?: boolean;
  /** Value on create when vals lack the field; a function gets the env and the vals being created. */
  default?: unknown | ((env: OrmEnv, vals: Record<string, unknown>) => unknown);
  /** Non-stored computed field: values for the given rows, in order. */
  compute?: (env: OrmEnv, rows: Row[]) => unknown[];
  /** Computed fields are not searchable unless they say how (returns an equivalent domain). */
  search?: (op: string, value: unknown) => unknown[];
}

/** Python-like signature of a method callable over RPC: positional parameter names after `self`. */
export interface MethodDef {
  /** Class name used in TypeError messages (`BaseModel.search_count()`). */
  owner: string;
  /** True when the first positional argument is the record ids (`@api.multi`-style). */
  multi: boolean;
  params: readonly string[];
  /** Parameters that must be given (TypeError otherwise). */
  required?: readonly string[];
  /** Operation checked against access rights before running. */
  operation?: "read" | "write" | "create" | "unlink" | "none";
  /** Does the work; `undefined` return means Python None. */
  run: (env: OrmEnv, ids: number[], args: Record<string, unknown>, model: string) => unknown;
  /** Records touched by the call, for per-record latency (default: ids length or result length). */
  touched?: (ids: number[], args: Record<string, unknown>, result: unknown) => number;
}

/** Who may do what on a model. */
export type AccessClass = "business" | "settings" | "users";

/**
 * One model: fields, default order, display name, access class, RPC methods (merged over BaseModel's)
 * and the hooks its business rules hang on. Built per version by the files in `models/`.
 */
export interface ModelDef {
  name: string;
  description: string;
  fields: Record<string, FieldDef>;
  /** Default `order` for searches. */
  order?: string;
  /** Field holding the display name (default `name`). */
  recName?: string;
  /** Custom display name (e.g. "Parent, Child"). */
  displayName?: (env: OrmEnv, rows: Row[]) => string[];
  transient?: boolean;
  access?: AccessClass;
  /** Group named in ACL error messages. */
  groups?: string;
  /** Python class for TypeError messages of its own methods. */
  className?: string;
  methods?: Record<string, MethodDef>;
  /** Unique constraints: fields and the message of the ValidationError. */
  unique?: readonly { fields: readonly string[]; message: string }[];
  /** Hooks run inside the call's transaction. */
  beforeCreate?: (env: OrmEnv, vals: Record<string, unknown>) => void;
  afterCreate?: (env: OrmEnv, ids: number[], valsList: Record<string, unknown>[]) => void;
  beforeWrite?: (env: OrmEnv, ids: number[], vals: Record<string, unknown>) => void;
  afterWrite?: (env: OrmEnv, ids: number[], vals: Record<string, unknown>) => void;
  beforeUnlink?: (env: OrmEnv, ids: number[]) => void;
}

/** True when the field has a column in the model's table. */
export function isStored(field: FieldDef): boolean {
  return field.compute === undefined && field.type !== "one2many";
}

/** Shorthand builders keep model files readable. */
export const f = {
  char: (string?: string, extra: Partial<FieldDef> = {}): FieldDef => ({ type: "char", string, ...extra }),
  text: (string?: string): FieldDef => ({ type: "text", string }),
  int: (string?: string, extra: Partial<FieldDef> = {}): FieldDef => ({ type: "integer", string, ...extra }),
  float: (string?: string, extra: Partial<FieldDef> = {}): FieldDef => ({ type: "float", string, ...extra }),
  money: (string?: string, extra: Partial<FieldDef> = {}): FieldDef => ({
    type: "monetary",
    string,
    ...extra,
  }),
  bool: (string?: string, extra: Partial<FieldDef> = {}): FieldDef => ({ type: "boolean", string, ...extra }),
  date: (string?: string): FieldDef => ({ type: "date", string }),
  datetime: (string?: string, extra: Partial<FieldDef> = {}): FieldDef => ({
    type: "datetime",
    string,
    ...extra,
  }),
  sel: (selection: readonly (readonly [string, string])[], extra: Partial<FieldDef> = {}): FieldDef => ({
    type: "selection",
    selection,
    ...extra,
  }),
  m2o: (relation: string, extra: Partial<FieldDef> = {}): FieldDef => ({
    type: "many2one",
    relation,
    ...extra,
  }),
  o2m: (relation: string, inverse: string, extra: Partial<FieldDef> = {}): FieldDef => ({
    type: "one2many",
    relation,
    inverse,
    ...extra,
  }),
  m2m: (relation: string, extra: Partial<FieldDef> = {}): FieldDef => ({
    type: "many2many",
    relation,
    ...extra,
  }),
  json: (extra: Partial<FieldDef> = {}): FieldDef => ({ type: "json", ...extra }),
};

/** Turns `[["a","A"]]`-style keys into a selection list from plain keys. */
export function keys(...values: string[]): [string, string][] {
  return values.map((v) => [v, v.replace(/_/g, " ").replace(/^\w/, (c) => c.toUpperCase())]);
}
