import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import type { ConformanceResult } from "../conformance.ts";
import { decodeEdifact } from "./edifact-charset.ts";
import { createEdifactConformanceDecoder } from "./edifact-conformance.ts";
import { oracleSegments } from "./edifact-oracle-test-fixture.ts";
import { tokenizeEdifact } from "./edifact-tokenizer.ts";

const decoder = createEdifactConformanceDecoder();
const text = (value: string) => new TextEncoder().encode(value);
const CORPUS = new URL("../../../../shared/corpus/edifact/", import.meta.url);
const FIXTURES = new URL("fixtures/", import.meta.url);

/** file -> outcome, documents, records, error code and location (segment, element or tag). */
const EXPECTED_CORPUS: Record<string, [string, string, string, string?]> = {
  "bots-plugins__INVOIC_D96A_UNOC_xmlenvelope.edi": ["error", "INVOIC 2", "", "CDK_EDI_CONTENT 31 MOA-01-2"],
  "bots-plugins__INVOIC_D96A_invoic01.edi": ["error", "INVOIC 2", "", "CDK_EDI_CONTENT 30 MOA-01-2"],
  "bots-plugins__ORDERS_D96A_0T0000000004.edi": ["parsed", "ORDERS 3", "order 3"],
  "bots-plugins__ORDERS_D96A_0T0000000015_wrapped.edi": ["parsed", "ORDERS 1", "order 1"],
  "bots-plugins__ORDERS_D96A_T0000000001.edi": ["parsed", "ORDERS 1", "order 1"],
  "bots-plugins__ORDERS_D96A_csvdemo_test.edi": ["parsed", "ORDERS 4", "order 4"],
  "bots-plugins__ORDERS_D96A_orders96.edi": ["parsed", "ORDERS 2", "order 2"],
  "bots-plugins__PRICAT_D96A_146.edi": ["parsed", "PRICAT 2", ""],
  "bots-plugins__SLSRPT_D96A_slsrpt01.edi": ["parsed", "SLSRPT 2", ""],
  "php-edifact__DESADV_D96A.edi": ["parsed", "DESADV 1", "shipment 2"],
  "php-edifact__DESADV_D96A_utf8.edi": ["parsed", "DESADV 1", "shipment 2"],
  "php-edifact__ORDERS_D01B_EAN010_error.edi": ["error", "", "", "CDK_EDI_SYNTAX 85 IMD-03-4"],
  "php-edifact__ORDERS_D01B_EAN010_ok.edi": ["error", "ORDERS 1", "", "CDK_EDI_CONTENT 18 QTY-01-3"],
  "pydifact__APERAK_v4.edi": ["error", "", "", "CDK_EDI_CONTROL 9 UNT-01"],
  "pydifact__INVOIC_D97A_colon_at_end.edi": ["parsed", "INVOIC 1", "invoice 1"],
  "pydifact__INVOIC_D97A_invoice1.edi": ["parsed", "INVOIC 1", "invoice 1"],
  "pydifact__ORDERS_D96A_order.edi": ["error", "ORDERS 1", "order 1", "CDK_EDI_SYNTAX 18 UNT"],
  "pydifact__ORDERS_D96A_order2.edi": ["error", "ORDERS 1", "order 1", "CDK_EDI_SYNTAX 12 UNT"],
};

function summary(result: ConformanceResult): [string, string, string, string?] {
  const error = result.error;
  return [
    result.outcome,
    result.documents.map((d) => `${d.type} ${d.count}`).join(", "),
    Object.entries(result.records)
      .map(([entity, count]) => `${entity} ${count}`)
      .join(", "),
    ...(error
      ? [`${error.code} ${error.location.segment} ${error.location.element ?? error.location.tag}`]
      : []),
  ] as [string, string, string, string?];
}

async function decodeFolder(folder: URL, decode = decoder) {
  const results = new Map<string, ConformanceResult>();
  for (const file of readdirSync(folder).sort()) {
    const bytes = readFileSync(new URL(file, folder));
    assert.ok(decode.sniff(file, bytes.subarray(0, 64)), `${file} is claimed`);
    const result = await decode.decode(file, bytes);
    results.set(file, result);
    assert.equal(result.file, file);
    if (result.outcome === "error") {
      assert.ok(result.error, `${file}: an error result carries its error`);
      assert.ok(result.error.location.segment !== undefined && result.error.location.segment >= 1);
      assert.ok(
        result.error.message.startsWith(`${file} segment ${result.error.location.segment}`),
        result.error.message,
      );
    }
  }
  return results;
}

describe("edifact conformance decoder", () => {
  it("sniffs UNA/UNB after a BOM or whitespace, and nothing else", () => {
    assert.equal(decoder.format, "edifact");
    assert.ok(decoder.sniff("a.edi", text("UNA:+.? 'UNB+UNOC:3")));
    assert.ok(decoder.sniff("a.txt", text("\ufeff\r\n UNB+UNOA:1+")));
    assert.equal(decoder.sniff("a.edi", text("ISA*00*          *00*")), false);
    assert.equal(decoder.sniff("a.edi", text('{"UNB": 1}')), false);
    assert.equal(decoder.sniff("a.edi", text("UNBEKANNT")), false);
  });

  it("decodes the own fixtures: records per entity, unmapped types counted with a warning, control errors located", async () => {
    const results = await decodeFolder(FIXTURES);
    assert.deepEqual(summary(results.get("orders-d96a-latin1.edi")!), ["parsed", "ORDERS 1", "order 1"]);
    const mixed = results.get("invoic-and-aperak.edi")!;
    assert.deepEqual(summary(mixed), ["parsed", "INVOIC 1, APERAK 1", "invoice 1"]);
    assert.deepEqual(mixed.warnings, [
      "1 APERAK message(s) counted but not mapped (no canonical mapping for APERAK)",
    ]);
    assert.deepEqual(summary(results.get("orders-bad-count.edi")!), [
      "error",
      "",
      "",
      "CDK_EDI_CONTROL 8 UNT-01",
    ]);
  });

  it("never throws, even on garbage that looks like EDIFACT", async () => {
    for (const input of [
      "UNB+",
      "UNA:+.? 'UNB+UNOC:3+S+R+1+1'UNH+1+ORDERS:D:96A:UN'LIN+1'",
      "UNB+UNOY:4+S+R+1+1'\u0000\uffff",
    ]) {
      const result = await decoder.decode("g.edi", text(input));
      assert.equal(result.outcome, "error");
    }
  });

  it("decodes every corpus file to its expected outcome", {
    skip: !existsSync(CORPUS) && "corpus folder ../shared/corpus/edifact not present",
  }, async () => {
    const results = await decodeFolder(CORPUS);
    for (const [file, result] of results)
      assert.deepEqual(summary(result), EXPECTED_CORPUS[file] ?? ["(not in the table)", "", ""], file);
    assert.match(
      results.get("php-edifact__ORDERS_D01B_EAN010_error.edi")!.error!.message,
      /found "\?\*", expected one of : \+ \? '/,
    );
    assert.ok(
      results
        .get("bots-plugins__ORDERS_D96A_0T0000000015_wrapped.edi")!
        .warnings?.some((w) => /wrapped lines/.test(w)),
    );
  });

  it("maps the good corpus ORDERS line by line once the partner's units are configured", {
    skip: !existsSync(CORPUS) && "corpus folder absent",
  }, async () => {
    const { readEdifact } = await import("./edifact-reader.ts");
    const { mapEdifactMessage } = await import("./edifact-mapping.ts");
    const lineCounts = (file: string, options = {}) => {
      const read = readEdifact(file, readFileSync(new URL(file, CORPUS)));
      return read.interchanges.flatMap((i) =>
        i.messages.map((m) => {
          const mapped = mapEdifactMessage(file, m, { defaultCurrency: "EUR", ...options });
          return mapped.ok
            ? (mapped.records[0] as { lines: unknown[] }).lines.length
            : mapped.failure.message;
        }),
      );
    };
    assert.deepEqual(
      lineCounts("php-edifact__ORDERS_D01B_EAN010_ok.edi", {
        units: { GBND: "XPK", PACK: "PK", SCHA: "XBX", STK: "H87" },
      }),
      [146],
    );
    assert.deepEqual(lineCounts("bots-plugins__ORDERS_D96A_orders96.edi"), [4, 1]);
    assert.deepEqual(lineCounts("bots-plugins__ORDERS_D96A_csvdemo_test.edi"), [4, 2, 1, 1]);
    assert.deepEqual(lineCounts("pydifact__ORDERS_D96A_order.edi"), [2]);
  });

  it("reads the same segments as the edifact package (oracle) on every corpus file but the malformed one", {
    skip: !existsSync(CORPUS) && "corpus folder absent",
  }, () => {
    for (const file of readdirSync(CORPUS).sort()) {
      const decoded = decodeEdifact(file, readFileSync(new URL(file, CORPUS)));
      assert.ok(decoded.ok);
      const ours = tokenizeEdifact(decoded.text, file);
      const theirs = oracleSegments(decoded.text).map((s) => [s.name, s.elements]);
      if (file === "php-edifact__ORDERS_D01B_EAN010_error.edi") {
        // the oracle takes "?*" as "*" and splits "1:10" into components; we stop at segment 85
        assert.equal(ours.failure?.location.segment, 85);
        assert.equal(theirs.length, 601);
        continue;
      }
      assert.equal(ours.failure, undefined, file);
      assert.deepEqual(
        ours.segments.filter((s) => s.tag !== "UNA").map((s) => [s.tag, s.elements]),
        theirs,
        file,
      );
    }
  });
});
