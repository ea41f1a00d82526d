/**
 * The conformance runner and command: a folder of mixed files (X12, a truncated X12, an Odoo recording,
 * unknown bytes, documentation), then the shared corpus where it is beside the checkout.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { runCli } from "../cli/main.ts";
import { CONFORMANCE_DECODERS } from "./conformance-decoders.ts";
import { describeLocation, runConformance } from "./conformance-runner.ts";

const fixture = (name: string) => fileURLToPath(new URL(`./edi-x12/fixtures/${name}`, import.meta.url));
const corpus = fileURLToPath(new URL("../../../shared/corpus", import.meta.url));

test("a folder of mixed files: each parsed or located, documentation skipped, unknown bytes refused", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "cdk-conformance-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, "edi", "in"), { recursive: true });
  await copyFile(fixture("850-two-lines.x12"), join(dir, "edi", "in", "po.x12"));
  const good = await import("node:fs/promises").then((fs) =>
    fs.readFile(fixture("850-two-lines.x12"), "utf8"),
  );
  await writeFile(join(dir, "edi", "truncated.x12"), good.slice(0, good.indexOf("SE*")));
  await writeFile(
    join(dir, "odoo.json"),
    JSON.stringify({
      request: { url: "http://odoo/jsonrpc", body: { jsonrpc: "2.0" } },
      response: {
        status: 200,
        body: { jsonrpc: "2.0", error: { data: { name: "odoo.exceptions.AccessError", message: "no" } } },
      },
    }),
  );
  await writeFile(join(dir, "blob.bin"), Buffer.from([0, 1, 2, 255, 254, 0, 7]));
  await writeFile(join(dir, "README.md"), "# partner samples\n");

  const report = await runConformance(dir, { decoders: CONFORMANCE_DECODERS });
  const by = new Map(report.results.map((r) => [r.file, r]));
  assert.deepEqual(report.skipped, ["README.md"]);
  assert.equal(report.crashes, 0);
  assert.equal(by.get(join("edi", "in", "po.x12"))?.outcome, "parsed");
  assert.deepEqual(by.get(join("edi", "in", "po.x12"))?.records, { order: 1 });
  const truncated = by.get(join("edi", "truncated.x12"));
  assert.equal(truncated?.outcome, "error");
  assert.match(truncated?.error?.code ?? "", /^CDK_EDI_/);
  assert.match(truncated?.error?.message ?? "", /truncated\.x12/);
  assert.notEqual(describeLocation(truncated as never), "");
  assert.deepEqual(by.get("odoo.json")?.documents, [{ type: "json-rpc CDK_ODOO_ACCESS", count: 1 }]);
  const blob = by.get("blob.bin");
  assert.equal(blob?.outcome, "error");
  assert.match(blob?.error?.message ?? "", /blob\.bin: no decoder recognises this file/);

  const out: string[] = [];
  const code = await runCli(["conformance", dir], {
    out: (s) => out.push(s),
    err: (s) => out.push(s),
    env: {},
    cwd: dir,
  });
  const text = out.join("\n");
  assert.match(text, /po\.x12\s+x12\s+parsed\s+850 x1\s+order 1/);
  assert.match(text, /4 files: 2 parsed, 2 with a located error, 0 decoder crashes/);
  assert.match(text, /not decoded \(documentation, source excerpts\): README\.md/);
  assert.equal(code, 1, "1: some file has an error (3 would be a decoder crash)");
});

test("the shared corpus: every file parsed or a located error naming it, and no decoder crashes", async (t) => {
  if (!existsSync(corpus)) return t.skip("shared corpus absent: ../shared/corpus");
  const report = await runConformance(corpus, { decoders: CONFORMANCE_DECODERS });
  assert.equal(
    report.crashes,
    0,
    JSON.stringify(report.results.filter((r) => r.error?.code === "CDK_INTERNAL")),
  );
  assert.ok(report.results.length >= 140, `${report.results.length} files`);
  for (const result of report.results) {
    if (result.outcome === "parsed") continue;
    assert.ok(result.error, result.file);
    assert.ok(
      result.error.message.includes(result.file.split("/").at(-1) as string),
      `${result.file}: ${result.error.message}`,
    );
    assert.notEqual(describeLocation(result), "", `${result.file} has no location`);
  }
  const x12 = report.results.filter((r) => r.file.startsWith("x12/"));
  assert.ok(
    x12.every((r) => r.format === "x12"),
    "every X12 file is taken by the X12 decoder",
  );
  const odoo = report.results.filter((r) => r.file.startsWith("odoo-rpc/") || r.file.startsWith("odoo/"));
  // Every recording is understood; the one error is the Odoo documentation's own request example,
  // whose body has a trailing comma (not JSON), located to its line.
  const refused = odoo.filter((r) => r.outcome !== "parsed");
  assert.deepEqual(
    refused.map((r) => [r.file, r.error?.code, r.error?.location.line]),
    [["odoo/odoo-documentation__json2_search_read_request.http", "CDK_ODOO_PROTOCOL", 14]],
  );
});
