import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { MODEL_ENTITIES, type ModelEntityName, validateModel } from "./model-registry.ts";

// Real payloads written by others (Shopify, WooCommerce, EasyPost, ShipBob, Odoo...), read by path.
const CORPUS = fileURLToPath(new URL("../../../../shared/corpus/", import.meta.url));
const names = Object.keys(MODEL_ENTITIES) as ModelEntityName[];

function jsonFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? jsonFiles(join(folder, entry.name))
      : entry.name.endsWith(".json")
        ? [join(folder, entry.name)]
        : [],
  );
}

describe("real channel payloads against the canonical model", {
  skip: existsSync(CORPUS) ? false : `no corpus at ${CORPUS}`,
}, () => {
  test("no raw channel payload passes as a canonical entity, and none makes the validator throw", () => {
    let checked = 0;
    for (const file of jsonFiles(CORPUS)) {
      let payload: unknown;
      try {
        payload = JSON.parse(readFileSync(file, "utf8"));
      } catch {
        continue; // malformed on purpose: decoding is the connectors' test, not the model's
      }
      for (const name of names) {
        const started = performance.now();
        const result = validateModel(name, payload);
        assert.ok(performance.now() - started < 250, `${file} as ${name} took too long`);
        assert.equal(result.ok, false, `${file} passed as ${name}`);
        if (!result.ok) {
          assert.ok(result.problems.length > 0 && result.problems.length <= 100);
          for (const problem of result.problems) assert.match(problem.path, /^(\/.*)?$/, file);
        }
        checked += 1;
      }
    }
    assert.ok(checked > 100, `only ${checked} validations ran`);
  });
});
