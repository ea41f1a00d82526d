import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ManualClock } from "../core/clock.ts";
import { resolveConnectionMappings } from "./connection-mappings.ts";
import { createMappingCatalog } from "./mapping-catalog.ts";

test("connections name pinned mappings; every bad reference is reported with its config path", async () => {
  const dir = await mkdtemp(join(tmpdir(), "crossdock-conn-mappings-"));
  try {
    await writeFile(
      join(dir, "broken.v1.jsonata"),
      "/* crossdock-mapping\n source: webhook-json x\n target: order/v1\n*/ {",
    );
    const catalog = createMappingCatalog({ dir, clock: new ManualClock() });
    const { mappings, problems } = await resolveConnectionMappings(
      {
        shop: { type: "webhook-json", mapping: "shopify-order@1" },
        shop2: { type: "shopify", mapping: "shopify-order@1" },
        plain: { type: "webhook-json" },
        latest: { type: "webhook-json", mapping: "shopify-order" },
        wrongType: { type: "edi-x12", mapping: "shopify-order@1" },
        missing: { type: "webhook-json", mapping: "nope@2" },
        broken: { type: "webhook-json", mapping: "broken@1" },
        hostile: { type: "webhook-json", mapping: { $ref: "x" } },
      },
      catalog,
    );
    assert.deepEqual([...mappings.keys()], ["shop", "shop2"]);
    assert.deepEqual(
      problems.map((p) => [p.path.join("."), p.code]),
      [
        ["connections.latest.mapping", "CDK_CONFIG_INVALID"],
        ["connections.wrongType.mapping", "CDK_CONFIG_INVALID"],
        ["connections.missing.mapping", "CDK_MAPPING_NOT_FOUND"],
        ["connections.broken.mapping", "CDK_MAPPING_SYNTAX"],
        ["connections.hostile.mapping", "CDK_CONFIG_INVALID"],
      ],
    );
    assert.match(problems[0]?.message ?? "", /a pinned version/);
    assert.match(problems[1]?.message ?? "", /maps shopify documents but the connection's type is edi-x12/);
    assert.match(
      problems[3]?.message ?? "",
      /broken\.v1\.jsonata:4:5: JSONata S0203: Expected ":" before end of expression/,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
