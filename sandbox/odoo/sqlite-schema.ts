import type { Database } from "better-sqlite3";
import { tableOf } from "./domain-sql.ts";
import { isStored } from "./model-def.ts";
import type { Registry } from "./orm-env.ts";

const SQL_TYPES: Record<string, string> = {
  integer: "INTEGER",
  many2one: "INTEGER",
  boolean: "INTEGER",
  float: "REAL",
  monetary: "REAL",
};

/** Creates one table per model (one column per stored field), indexes on many2one and write_date. */
export function createSchema(db: Database, registry: Registry): void {
  const statements: string[] = [
    "CREATE TABLE IF NOT EXISTS sandbox_sequence (code TEXT PRIMARY KEY, next INTEGER NOT NULL)",
  ];
  for (const model of registry.models.values()) {
    const table = tableOf(model.name);
    const columns = ["id INTEGER PRIMARY KEY AUTOINCREMENT"];
    for (const [name, field] of Object.entries(model.fields)) {
      if (!isStored(field)) continue;
      columns.push(`"${name}" ${SQL_TYPES[field.type] ?? "TEXT"}`);
    }
    statements.push(`CREATE TABLE IF NOT EXISTS ${table} (${columns.join(", ")})`);
    const bare = table.slice(1, -1);
    statements.push(`CREATE INDEX IF NOT EXISTS "${bare}__write_date" ON ${table} (write_date)`);
    for (const [name, field] of Object.entries(model.fields)) {
      if (field.type === "many2one" && isStored(field)) {
        statements.push(`CREATE INDEX IF NOT EXISTS "${bare}__${name}" ON ${table} ("${name}")`);
      }
    }
  }
  statements.push(`CREATE INDEX IF NOT EXISTS "ir_model_data__xmlid" ON "ir_model_data" (module, name)`);
  db.exec(statements.join(";\n"));
}
