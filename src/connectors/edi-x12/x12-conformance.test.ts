import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { ConformanceResult } from "../conformance.ts";
import { x12ConformanceDecoder } from "./x12-conformance.ts";

const CORPUS = fileURLToPath(new URL("../../../../shared/corpus/x12/", import.meta.url));
const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));

function decodeAll(dir: string): Map<string, ConformanceResult> {
  const results = new Map<string, ConformanceResult>();
  for (const file of readdirSync(dir).sort()) {
    const bytes = readFileSync(dir + file);
    assert.equal(x12ConformanceDecoder.sniff(file, bytes.subarray(0, 64)), true, `${file} is sniffed as X12`);
    results.set(file, x12ConformanceDecoder.decode(file, bytes) as ConformanceResult);
  }
  return results;
}

describe("x12ConformanceDecoder", () => {
  it("does not claim JSON, CSV or EDIFACT", () => {
    for (const head of ['{"id":1}', "sku,qty\n", "UNA:+.? 'UNB+UNOC:3"]) {
      assert.equal(x12ConformanceDecoder.sniff("f", new TextEncoder().encode(head)), false, head);
    }
    assert.equal(x12ConformanceDecoder.sniff("f", new TextEncoder().encode("\ufeff\r\n  ISA*00")), true);
  });

  it("decodes its own fixtures to the expected records", () => {
    const results = decodeAll(FIXTURES);
    assert.deepEqual(
      [...results.values()].map((r) => [r.file, r.outcome, r.records]),
      [
        ["846-3pl-stock.x12", "parsed", { "stock-level": 4 }],
        ["850-two-lines.x12", "parsed", { order: 1 }],
        ["944-3pl-receipt.x12", "parsed", { receipt: 1 }],
        ["945-3pl-shipment.x12", "parsed", { shipment: 1 }],
      ],
    );
  });

  it("reads every file of the shared corpus: parsed, or a located error naming the file", {
    skip: existsSync(CORPUS) ? false : `no corpus at ${CORPUS} (a CI clone without ../shared)`,
  }, () => {
    const results = decodeAll(CORPUS);
    assert.ok(results.size >= 40);
    for (const [file, result] of results) {
      assert.equal(result.format, "x12");
      if (result.outcome === "parsed") continue;
      assert.ok(result.error, file);
      assert.ok(
        result.error.message.startsWith(`${file}: segment ${result.error.location.segment}`),
        result.error.message,
      );
      assert.ok(result.error.location.segment! >= 1);
    }
    const expect = (
      file: string,
      outcome: string,
      records: Record<string, number>,
      error?: [string, number, string?],
    ) => {
      const result = results.get(file)!;
      assert.equal(result.outcome, outcome, `${file}: ${result.error?.message}`);
      assert.deepEqual(result.records, records, file);
      if (error !== undefined) {
        assert.deepEqual(
          [result.error!.code, result.error!.location.segment, result.error!.location.element],
          [...error, ...(error.length === 2 ? [undefined] : [])],
          file,
        );
      }
    };
    expect("node-x12__850.edi", "parsed", { order: 1 });
    expect("bots-plugins__850-004010VICS-01.x12", "parsed", { order: 4 });
    expect("bots-plugins__mailbag01.x12", "parsed", { "functional-ack": 1, order: 11 });
    expect("x12-types__005010_846_ST-only.edi", "parsed", { "stock-level": 2 });
    expect("bots-plugins__810-004010VICS-01.x12", "parsed", { invoice: 2 });
    expect("bots-plugins__retailer_810_2.x12", "parsed", { invoice: 1 });
    expect("x12-types__004010_810_3_ST-only.edi", "error", {}, ["CDK_EDI_CONTENT", 11, "IT1-07"]);
    expect("x12-types__004010_997_3_ST-only.edi", "parsed", { "functional-ack": 2 });
    expect("bots-plugins__850-ebcdic.x12", "error", {}, ["CDK_EDI_UNSUPPORTED", 1]);
    expect("x12-types__004010_856_2.edi", "error", {}, ["CDK_EDI_CONTROL", 47, "GE-01"]);
    expect("x12-types__004010_940_1.edi", "error", {}, ["CDK_EDI_CONTROL", 32, "GE-02"]);
    expect("x12-types__005010_850_15_ST-only.edi", "error", {}, ["CDK_EDI_CONTROL", 37, "SE-02"]);
    expect("x12-types__005010_850_1_napa.edi", "error", {}, ["CDK_EDI_CONTENT", 17, "PO1-04"]);
    expect("x12-types__004010_945_1.edi", "error", {}, ["CDK_EDI_CONTROL", 18, "SE-01"]);
    const vics = results.get("bots-plugins__850-004010VICS-01.x12")!;
    assert.deepEqual(vics.documents, [{ type: "850", count: 4 }]);
    const unmapped = results.get("bots-plugins__830-004010UCS-01.x12")!;
    assert.equal(unmapped.outcome, "parsed");
    assert.match(unmapped.warnings!.join("\n"), /type 830 read and envelope-checked but not mapped/);
  });
});
