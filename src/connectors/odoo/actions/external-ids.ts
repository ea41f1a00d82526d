/**
 * External ids (Odoo's `ir.model.data`) that make Crossdock's creates idempotent. A record created by
 * `load()` gets its external id in the same Odoo transaction, so after a lost answer the hub can ask
 * whether the record exists instead of creating a second one. Names are stable for a business key:
 * `<prefix>_<readable part>_<hash>`, lower-case `[a-z0-9_]` only, so that keys holding dots, spaces or
 * non-ASCII characters still give a valid name, and two keys that read the same never collide.
 */
import { createHash } from "node:crypto";
import type { OdooClient } from "../odoo-client.ts";

/** The `ir.model.data` module that owns Crossdock's records. */
export const CROSSDOCK_MODULE = "crossdock";

export function externalIdName(prefix: string, key: string): string {
  const readable = key
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 48);
  const hash = createHash("sha256").update(key).digest("hex").slice(0, 10);
  return `${prefix}_${readable}_${hash}`;
}

/** `module.name`, the form `load()` takes in its `id` column. */
export function qualified(name: string): string {
  return `${CROSSDOCK_MODULE}.${name}`;
}

/** Which of these external ids exist for `model`, as name -> record id. One call, safe to repeat. */
export async function findExternalIds(
  client: OdooClient,
  model: string,
  names: readonly string[],
  signal?: AbortSignal,
): Promise<Map<string, number>> {
  if (names.length === 0) return new Map();
  const rows = await client.searchRead<{ name: string; res_id: number }>(
    "ir.model.data",
    [
      ["module", "=", CROSSDOCK_MODULE],
      ["model", "=", model],
      ["name", "in", [...names]],
    ],
    ["name", "res_id"],
    signal === undefined ? {} : { signal },
  );
  return new Map(rows.map((row) => [row.name, row.res_id]));
}

/** Odoo's import takes every cell as text; numbers are written without exponent or float noise. */
export function cell(value: string | number | boolean | undefined | null): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "boolean") return value ? "1" : "0";
  return String(value);
}
