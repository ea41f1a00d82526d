import type { FieldDef } from "./model-def.ts";
import { valueError } from "./odoo-error.ts";
import type { OrmEnv } from "./orm-env.ts";

/**
 * Odoo's x2many write commands: `[0,0,vals]` create, `[1,id,vals]` update, `[2,id]` delete,
 * `[3,id]` unlink, `[4,id]` link, `[5]` clear, `[6,0,ids]` set. A bare list of ids means "set".
 */
function commandsOf(value: unknown): unknown[][] {
  if (value === false || value === null) return [[5]];
  if (!Array.isArray(value))
    throw valueError(`Wrong value for an x2many field: ${JSON.stringify(value)?.slice(0, 100)}`);
  if (value.every((v) => typeof v === "number")) return [[6, 0, value]];
  return value.map((c) => {
    if (!Array.isArray(c) || typeof c[0] !== "number")
      throw valueError(`Invalid x2many command ${JSON.stringify(c)?.slice(0, 100)}`);
    return c;
  });
}

function idList(value: unknown): number[] {
  if (!Array.isArray(value))
    throw valueError(`Expected a list of ids, got ${JSON.stringify(value)?.slice(0, 100)}`);
  return value.map((v) => {
    if (typeof v !== "number") throw valueError(`Invalid id ${JSON.stringify(v)}`);
    return v;
  });
}

/** New id list of a many2many field after the commands. */
export function applyM2mCommands(env: OrmEnv, field: FieldDef, current: number[], value: unknown): number[] {
  let ids = [...current];
  const relation = field.relation as string;
  for (const cmd of commandsOf(value)) {
    const [code, id, arg] = cmd as [number, number, unknown];
    switch (code) {
      case 0:
        ids.push(env.create(relation, arg as Record<string, unknown>));
        break;
      case 1:
        env.write(relation, [id], arg as Record<string, unknown>);
        break;
      case 2:
        env.unlink(relation, [id]);
        ids = ids.filter((x) => x !== id);
        break;
      case 3:
        ids = ids.filter((x) => x !== id);
        break;
      case 4:
        env.ensureExist(relation, [id]);
        if (!ids.includes(id)) ids.push(id);
        break;
      case 5:
        ids = [];
        break;
      case 6: {
        const next = idList(arg);
        env.ensureExist(relation, next);
        ids = [...new Set(next)];
        break;
      }
      default:
        throw valueError(`Unknown x2many command ${code}`);
    }
  }
  return ids;
}

/** Applies one2many commands for the record `parentId` (lines point back through `field.inverse`). */
export function applyO2mCommands(env: OrmEnv, field: FieldDef, parentId: number, value: unknown): void {
  const relation = field.relation as string;
  const inverse = field.inverse as string;
  const current = () => env.withContext({ active_test: false }).search(relation, [[inverse, "=", parentId]]);
  for (const cmd of commandsOf(value)) {
    const [code, id, arg] = cmd as [number, number, unknown];
    switch (code) {
      case 0:
        env.create(relation, { ...(arg as Record<string, unknown>), [inverse]: parentId });
        break;
      case 1:
        env.write(relation, [id], arg as Record<string, unknown>);
        break;
      case 2:
      case 3:
        // Lines cannot live without their parent in the models simulated here (ondelete cascade).
        env.unlink(relation, [id]);
        break;
      case 4:
        env.write(relation, [id], { [inverse]: parentId });
        break;
      case 5:
        env.unlink(relation, current());
        break;
      case 6: {
        const keep = new Set(idList(arg));
        env.unlink(
          relation,
          current().filter((x) => !keep.has(x)),
        );
        if (keep.size) env.write(relation, [...keep], { [inverse]: parentId });
        break;
      }
      default:
        throw valueError(`Unknown x2many command ${code}`);
    }
  }
}
