import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { MODEL_EXAMPLES } from "./model-examples.ts";
import { MODEL_ENTITIES, type ModelEntityName, schemas } from "./model-registry.ts";

const doc = readFileSync(new URL("../../../docs/model.md", import.meta.url), "utf8");
const names = Object.keys(MODEL_ENTITIES) as ModelEntityName[];

/** The ```json <entity> blocks of docs/model.md: entity -> parsed example. */
function docExamples(): Map<string, unknown> {
  const examples = new Map<string, unknown>();
  for (const match of doc.matchAll(/^```json ([a-z-]+)\n([\s\S]*?)^```$/gm)) {
    const [, name = "", text = ""] = match;
    assert.ok(!examples.has(name), `${name} has two examples`);
    examples.set(name, JSON.parse(text));
  }
  return examples;
}

describe("docs/model.md agrees with the model", () => {
  test("every schema $id is in the entity table", () => {
    for (const id of Object.keys(schemas()))
      assert.ok(doc.includes(`| \`${id}\` |`), `${id} missing from docs/model.md`);
  });

  test("every entity has exactly one example, and it is the code's example", () => {
    const examples = docExamples();
    assert.deepEqual([...examples.keys()].sort(), [...names].sort());
    for (const name of names)
      assert.deepEqual(examples.get(name), MODEL_EXAMPLES[name], `${name} example differs`);
  });

  test("every consistency rule and input limit the code reports is documented", () => {
    const sources = ["model-checks.ts", "priced-document-checks.ts", "json-limits.ts"].map((file) =>
      readFileSync(new URL(file, import.meta.url), "utf8"),
    );
    const rules = new Set(
      sources.flatMap((source) => [...source.matchAll(/rule: "([a-z-]+)"/g)].map((match) => match[1])),
    );
    assert.ok(rules.size >= 20, `found ${rules.size} rules`);
    for (const rule of rules) assert.ok(doc.includes(`\`${rule}\``), `rule ${rule} is not documented`);
  });
});
