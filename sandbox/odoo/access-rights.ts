import type { MethodDef, ModelDef } from "./model-def.ts";
import { aclError, valueError } from "./odoo-error.ts";
import type { OrmEnv } from "./orm-env.ts";
import type { VersionProfile } from "./version-profile.ts";

/** ACL operations, as `ir.model.access` names them. */
export type Operation = "read" | "write" | "create" | "unlink";
/** The sandbox's three kinds of users (stand-ins for Odoo's groups). */
export type UserGroup = "admin" | "sales" | "readonly";

const OPERATIONS = new Set(["read", "write", "create", "unlink"]);

/** The sandbox group of the env's user (uid 1, the superuser, is admin). */
export function userGroup(env: OrmEnv): UserGroup {
  if (env.uid === 1) return "admin";
  const row = env.prepare(`SELECT sandbox_group FROM res_users WHERE id = ?`).get(env.uid) as
    | { sandbox_group: UserGroup }
    | undefined;
  return row?.sandbox_group ?? "readonly";
}

/**
 * The ACL table of the sandbox, per model access class: "settings" models are for administrators only;
 * "users" can be read by all and changed by administrators; "business" models (sales, stock, products,
 * accounting) can be read by all and changed by administrators and sales users.
 */
export function allowed(model: ModelDef, operation: Operation, group: UserGroup): boolean {
  if (group === "admin") return true;
  const access = model.access ?? "business";
  if (access === "settings") return false;
  if (operation === "read") return true;
  if (access === "users") return false;
  return group === "sales";
}

/** Raises Odoo's AccessError when the user may not do `operation` on the model. */
export function checkAccess(env: OrmEnv, model: ModelDef, operation: Operation): void {
  if (!allowed(model, operation, userGroup(env))) {
    throw aclError(
      operation,
      model.description,
      model.name,
      model.groups ?? "Sales/User: Own Documents Only",
    );
  }
}

function operationOf(value: unknown): Operation {
  if (typeof value !== "string" || !OPERATIONS.has(value))
    throw valueError(`Invalid access mode ${JSON.stringify(value)}`);
  return value as Operation;
}

/** 16/17 `check_access_rights(operation, raise_exception=True)`; 18+ `has_access(operation)`. */
export function rightsProbeMethods(profile: VersionProfile): Record<string, MethodDef> {
  if (profile.rightsProbe === "check_access_rights") {
    return {
      check_access_rights: {
        owner: "BaseModel",
        multi: false,
        params: ["operation", "raise_exception"],
        required: ["operation"],
        operation: "none",
        run: (env, _ids, a, model) => {
          const def = env.model(model);
          const operation = operationOf(a.operation);
          if (a.raise_exception === false) return allowed(def, operation, userGroup(env));
          checkAccess(env, def, operation);
          return true;
        },
      },
    };
  }
  return {
    has_access: {
      owner: "BaseModel",
      multi: true,
      params: ["operation"],
      required: ["operation"],
      operation: "none",
      run: (env, _ids, a, model) => allowed(env.model(model), operationOf(a.operation), userGroup(env)),
    },
  };
}
