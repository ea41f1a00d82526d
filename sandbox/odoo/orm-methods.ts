import { loadRecords } from "./load-import.ts";
import { type FieldDef, isStored, type MethodDef, type ModelDef } from "./model-def.ts";
import { typeError, valueError } from "./odoo-error.ts";
import type { OrmEnv } from "./orm-env.ts";
import { formattedReadGroup, readGroup, webRead } from "./orm-group.ts";
import { readRecords } from "./orm-read.ts";
import type { VersionProfile } from "./version-profile.ts";

/** Normalises `limit`/`offset` values coming from JSON (null/false mean none). */
function num(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || value === false) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw typeError(
      `'${typeof value === "string" ? "str" : typeof value}' object cannot be interpreted as an integer (${name})`,
    );
  }
  return value;
}

function orderOf(value: unknown): string | undefined {
  if (value === undefined || value === null || value === false) return undefined;
  if (typeof value !== "string") throw valueError(`Invalid "order" specified (${JSON.stringify(value)}).`);
  return value;
}

function touch<T>(env: OrmEnv, result: T[]): T[] {
  env.shared.touched += result.length;
  return result;
}

const searchOpts = (a: Record<string, unknown>) => ({
  offset: num(a.offset, "offset"),
  limit: num(a.limit, "limit"),
  order: orderOf(a.order),
});

/** Field description as `fields_get` gives it. */
function describe(name: string, field: FieldDef, model: ModelDef): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: field.type,
    string:
      field.string ??
      name
        .replace(/_id$|_ids$/, "")
        .replace(/_/g, " ")
        .replace(/^\w/, (c) => c.toUpperCase()),
    required: Boolean(field.required),
    readonly: Boolean(field.readonly || field.compute),
    store: isStored(field) || field.type === "one2many",
    searchable: isStored(field) || Boolean(field.search),
    sortable: isStored(field) && field.type !== "many2many",
    name,
    model_name: model.name,
  };
  if (field.relation) out.relation = field.relation;
  if (field.inverse) out.relation_field = field.inverse;
  if (field.selection) out.selection = field.selection.map(([k, v]) => [k, v]);
  return out;
}

const BASE = "BaseModel";

/** Methods every model has (BaseModel's public API), with the version's signatures. */
export function baseMethods(profile: VersionProfile): Record<string, MethodDef> {
  const v16 = profile.version === 16;
  const methods: Record<string, MethodDef> = {
    search: {
      owner: BASE,
      multi: false,
      params: ["domain", "offset", "limit", "order"],
      required: ["domain"],
      operation: "read",
      run: (env, _ids, a, model) => touch(env, env.search(model, a.domain, searchOpts(a))),
    },
    search_count: {
      owner: BASE,
      multi: false,
      params: ["domain", "limit"],
      required: ["domain"],
      operation: "read",
      run: (env, _ids, a, model) => env.searchCount(model, a.domain, num(a.limit, "limit")),
    },
    search_read: {
      owner: BASE,
      multi: false,
      params: ["domain", "fields", "offset", "limit", "order", "load"],
      operation: "read",
      run: (env, _ids, a, model) => {
        const ids = env.search(model, a.domain ?? [], searchOpts(a));
        return touch(env, readRecords(env, model, ids, a.fields, a.load));
      },
    },
    read: {
      owner: BASE,
      multi: true,
      params: ["fields", "load"],
      operation: "read",
      run: (env, ids, a, model) => touch(env, readRecords(env, model, ids, a.fields, a.load)),
    },
    create: {
      owner: BASE,
      multi: false,
      params: ["vals_list"],
      required: ["vals_list"],
      operation: "create",
      run: (env, _ids, a, model) => {
        if (Array.isArray(a.vals_list)) return a.vals_list.map((vals) => env.create(model, vals));
        return env.create(model, a.vals_list as Record<string, unknown>);
      },
    },
    write: {
      owner: BASE,
      multi: true,
      params: ["vals"],
      required: ["vals"],
      operation: "write",
      run: (env, ids, a, model) => {
        env.write(model, ids, a.vals as Record<string, unknown>);
        return true;
      },
    },
    unlink: {
      owner: BASE,
      multi: true,
      params: [],
      operation: "unlink",
      run: (env, ids, _a, model) => {
        env.unlink(model, ids);
        return true;
      },
    },
    exists: {
      owner: BASE,
      multi: true,
      params: [],
      operation: "read",
      run: (env, ids, _a, model) => env.browse(model, ids).map((r) => r.id),
    },
    name_search: {
      owner: BASE,
      multi: false,
      params: ["name", "args", "operator", "limit", "domain"],
      operation: "read",
      run: (env, _ids, a, model) => {
        const def = env.model(model);
        const domain = [...((a.domain ?? a.args ?? []) as unknown[])];
        const name = typeof a.name === "string" ? a.name : "";
        if (name) domain.push([def.recName ?? "name", (a.operator as string) ?? "ilike", name]);
        const ids = env.search(model, domain, { limit: num(a.limit, "limit") ?? 100 });
        const names = env.displayNames(model, ids);
        return touch(
          env,
          ids.map((id) => [id, names.get(id)]),
        );
      },
    },
    fields_get: {
      owner: BASE,
      multi: false,
      params: ["allfields", "attributes"],
      operation: "none",
      run: (env, _ids, a, model) => {
        const def = env.model(model);
        const attrs = Array.isArray(a.attributes) ? (a.attributes as string[]) : undefined;
        const only =
          Array.isArray(a.allfields) && a.allfields.length ? new Set(a.allfields as string[]) : undefined;
        const out: Record<string, unknown> = {
          id: { type: "integer", string: "ID", readonly: true, required: false, store: true, name: "id" },
        };
        for (const [name, field] of Object.entries(def.fields)) {
          if ((only && !only.has(name)) || field.hidden) continue;
          const full = describe(name, field, def);
          out[name] = attrs
            ? Object.fromEntries(attrs.filter((k) => k in full).map((k) => [k, full[k]]))
            : full;
        }
        return out;
      },
    },
    default_get: {
      owner: BASE,
      multi: false,
      params: ["fields_list"],
      required: ["fields_list"],
      operation: "none",
      run: (env, _ids, a, model) => {
        const def = env.model(model);
        const out: Record<string, unknown> = {};
        for (const name of (a.fields_list as string[]) ?? []) {
          const field = def.fields[name];
          const fromContext = env.context[`default_${name}`];
          if (fromContext !== undefined) out[name] = fromContext;
          else if (field && field.default !== undefined && typeof field.default !== "function")
            out[name] = field.default;
        }
        return out;
      },
    },
    load: {
      owner: BASE,
      multi: false,
      params: ["fields", "data"],
      required: ["fields", "data"],
      operation: "create",
      run: (env, _ids, a, model) => loadRecords(env, model, a.fields, a.data),
    },
    action_archive: {
      owner: BASE,
      multi: true,
      params: [],
      operation: "write",
      run: (env, ids, _a, model) => {
        env.write(model, ids, { active: false });
        return true;
      },
    },
    action_unarchive: {
      owner: BASE,
      multi: true,
      params: [],
      operation: "write",
      run: (env, ids, _a, model) => {
        env.withContext({ active_test: false }).write(model, ids, { active: true });
        return true;
      },
    },
    read_group: {
      owner: BASE,
      multi: false,
      params: ["domain", "fields", "groupby", "offset", "limit", "orderby", "lazy"],
      required: ["domain", "fields", "groupby"],
      operation: "read",
      run: (env, _ids, a, model) => readGroup(env, model, a),
    },
    name_create: {
      owner: BASE,
      multi: false,
      params: ["name"],
      required: ["name"],
      operation: "create",
      run: (env, _ids, a, model) => {
        const def = env.model(model);
        const id = env.create(model, { [def.recName ?? "name"]: a.name });
        return [id, env.displayNames(model, [id]).get(id)];
      },
    },
  };
  if (profile.version >= 17) {
    methods.web_read = {
      owner: BASE,
      multi: true,
      params: ["specification"],
      required: ["specification"],
      operation: "read",
      run: (env, ids, a, model) => touch(env, webRead(env, model, ids, a.specification)),
    };
    methods.web_search_read = {
      owner: BASE,
      multi: false,
      params: ["domain", "specification", "offset", "limit", "order", "count_limit"],
      required: ["domain", "specification"],
      operation: "read",
      run: (env, _ids, a, model) => {
        const ids = env.search(model, a.domain, searchOpts(a));
        const records = touch(env, webRead(env, model, ids, a.specification));
        const limit = num(a.limit, "limit");
        const length =
          limit !== undefined && records.length >= limit
            ? env.searchCount(model, a.domain)
            : records.length + (num(a.offset, "offset") ?? 0);
        return { length, records };
      },
    };
  }
  if (profile.version >= 19) {
    methods.formatted_read_group = {
      owner: BASE,
      multi: false,
      params: ["domain", "groupby", "aggregates", "having", "offset", "limit", "order"],
      operation: "read",
      run: (env, _ids, a, model) => formattedReadGroup(env, model, a),
    };
  }
  if (v16) {
    // Odoo 16 names the domain `args` and still has `count`.
    const search = methods.search as MethodDef;
    methods.search = {
      ...search,
      params: ["args", "offset", "limit", "order", "count"],
      required: ["args"],
      run: (env, _ids, a, model) => {
        if (a.count) return env.searchCount(model, a.args);
        return touch(env, env.search(model, a.args, searchOpts(a)));
      },
    };
    methods.name_get = {
      owner: BASE,
      multi: true,
      params: [],
      operation: "read",
      run: (env, ids, _a, model) => {
        const names = env.displayNames(model, ids);
        return ids.filter((id) => names.has(id)).map((id) => [id, names.get(id)]);
      },
    };
    methods.search_count = {
      ...(methods.search_count as MethodDef),
      params: ["args", "limit"],
      required: ["args"],
      run: (env, _ids, a, model) => env.searchCount(model, a.args, num(a.limit, "limit")),
    };
  }
  return methods;
}
