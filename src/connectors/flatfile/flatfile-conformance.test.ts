import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import type { ConformanceResult } from "../conformance.ts";
import { BUILTIN_CSV_LAYOUTS } from "./builtin-csv-layouts.ts";
import { BUILTIN_FIXED_LAYOUTS } from "./builtin-fixed-layouts.ts";
import { checkLayout } from "./check-layout.ts";
import { FLATFILE_CONFORMANCE_DECODERS } from "./flatfile-conformance.ts";

const CORPUS = new URL("../../../../shared/corpus/3pl/", import.meta.url);
const skip = existsSync(CORPUS) ? false : "corpus folder ../shared/corpus/3pl is absent";

async function run(name: string, bytes: Uint8Array): Promise<ConformanceResult | undefined> {
  const decoder = FLATFILE_CONFORMANCE_DECODERS.find((d) => d.sniff(name, bytes));
  return decoder?.decode(name, bytes);
}

test("every built-in layout is valid", () => {
  for (const builtin of [...BUILTIN_CSV_LAYOUTS, ...BUILTIN_FIXED_LAYOUTS]) {
    assert.deepEqual(checkLayout(builtin.layout, builtin.name).ok, true, builtin.name);
  }
});

describe("flat-file conformance over the 3pl corpus", { skip }, () => {
  const results = new Map<string, ConformanceResult | undefined>();
  test("every file is claimed by one decoder and decoded without throwing", async () => {
    for (const file of readdirSync(CORPUS)) {
      const result = await run(file, new Uint8Array(readFileSync(new URL(file, CORPUS))));
      results.set(file, result);
      assert.ok(result, `no decoder claims ${file}`);
      assert.ok(result.outcome === "parsed" || (result.error?.location.line ?? 0) >= 1, file);
    }
  });

  test("expected formats and counts", () => {
    const summary = (file: string) => {
      const r = results.get(file);
      return [
        r?.format,
        r?.outcome,
        Object.fromEntries((r?.documents ?? []).map((d) => [d.type, d.count])),
        r?.records,
      ];
    };
    assert.deepEqual(summary("bots-plugins__desadv96_fixedwidth.inh"), [
      "fixed-width",
      "parsed",
      { HEA: 8, LIN: 26 },
      { shipment: 8 },
    ]);
    assert.deepEqual(summary("bots-plugins__invoic96_fixedwidth.inh"), [
      "fixed-width",
      "parsed",
      { HEA: 1, HAL: 2, LIN: 3, LAL: 8, TOT: 1 },
      { invoice: 1 },
    ]);
    assert.deepEqual(summary("bots-plugins__inhouse810_fixedwidth.inh"), [
      "fixed-width",
      "parsed",
      { HEA: 1, LIN: 3 },
      { invoice: 1 },
    ]);
    assert.deepEqual(summary("bots-plugins__orders_flat_csv_test.csv"), [
      "csv",
      "parsed",
      { row: 8 },
      { order: 4 },
    ]);
    assert.deepEqual(summary("bots-plugins__articledata01_semicolon.csv"), [
      "csv",
      "parsed",
      { row: 3 },
      { product: 1 },
    ]);
    assert.deepEqual(summary("bots-plugins__alto_ETRHDR_header.csv"), ["csv", "parsed", { row: 4 }, {}]);
    assert.deepEqual(summary("bots-plugins__alto_ETRDTL_detail.csv"), ["csv", "parsed", { row: 5 }, {}]);
    assert.deepEqual(summary("shipbob-node-sdk__wro_1.json"), [
      "shipbob-json",
      "parsed",
      { wro: 1 },
      { receipt: 1 },
    ]);
    assert.deepEqual(summary("shipbob-node-sdk__wro_2.json"), ["shipbob-json", "parsed", { wro: 1 }, {}]);
    assert.deepEqual(summary("shipbob-node-sdk__products_2_0.json"), [
      "shipbob-json",
      "parsed",
      { products: 1 },
      { product: 1 },
    ]);
    assert.deepEqual(summary("shipbob-node-sdk__wro_boxes_response_completed.json"), [
      "shipbob-json",
      "parsed",
      { "wro-boxes": 2 },
      {},
    ]);
  });
});

describe("own fixtures", () => {
  test("a ShipBob WRO becomes a receipt of what was received", async () => {
    const result = await run(
      "wro.json",
      new Uint8Array(readFileSync(new URL("./fixtures/shipbob-wro.json", import.meta.url))),
    );
    assert.deepEqual([result?.outcome, result?.records], ["parsed", { receipt: 1 }]);
  });

  test("a fixed-width file with a bad line: error located at line and column, earlier documents counted", async () => {
    const header = `${"HEADESADVD96AUNEAN005".padEnd(50)}${"VB1".padEnd(17)}199811021030`;
    const line = (n: string, qty: string) => `LIN00000${n}8712345003906${" ".repeat(36)}${qty}`;
    const text = `${header}\n${line("1", "000000000001.000")}\n${line("2", "0000000000x1.000")}\n`;
    const result = await run("d.inh", Buffer.from(text));
    assert.equal(result?.outcome, "error");
    assert.deepEqual(result?.error?.location, { line: 3, column: 59, field: "quantity" });
  });

  test("binary and EDI are not claimed; an unknown CSV is counted with a warning", async () => {
    assert.equal(await run("x.bin", Buffer.from([0, 1, 2, 3, 0xff])), undefined);
    assert.equal(await run("x.csv", Buffer.from("ISA*00*          *00*\n")), undefined);
    const unknown = await run("x.csv", Buffer.from("a;b;c\n1;2;3\n"));
    assert.equal(unknown?.outcome, "parsed");
    assert.deepEqual(unknown?.documents, [{ type: "row", count: 2 }]);
    assert.match(unknown?.warnings?.join(" ") ?? "", /no built-in layout/);
  });
});
