import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { describe, test } from "node:test";
import { compileLayout } from "./check-layout.ts";
import { decodeFlatFile } from "./decode-flat-file.ts";
import { RECEIPTS, SHIPMENTS_HD, STOCK_REPORT } from "./fixtures/test-layouts.ts";
import type { FlatFileLayout } from "./flat-file-layout.ts";

const shipments = compileLayout(SHIPMENTS_HD, "shipments-hd");
const stock = compileLayout(STOCK_REPORT, "stock");
const decode = (
  text: string | Buffer,
  layout = shipments,
  errors?: Parameters<typeof decodeFlatFile>[2]["errors"],
) => decodeFlatFile(Buffer.from(text), layout, { fileName: "in.csv", ...(errors ? { errors } : {}) });

const GOOD = "H;S1;shop;1;2026-03-01 09:30;UPS;T1\nD;S1;A;1\n";

describe("located record errors", () => {
  test("a bad field names file, line, column, field, found and expected; records before it are kept", async () => {
    const result = await decode(
      `${GOOD}H;S2;shop;2;2026-03-01 09:30;UPS;\nD;S2;B;three\nH;S3;shop;3;2026-03-01 09:30;;\nD;S3;C;2\n`,
    );
    assert.deepEqual(
      result.records.map((r) => r.value.shipmentId),
      ["S1", "S3"],
    );
    assert.equal(result.errors.length, 1);
    const [error] = result.errors;
    assert.equal(error?.code, "CDK_FILE_RECORD_INVALID");
    assert.equal(
      error?.message,
      'in.csv line 4 column 4 field quantity: found "three", expected a decimal number with a decimal comma',
    );
    assert.deepEqual(error?.details, {
      file: "in.csv",
      line: 4,
      field: "quantity",
      column: 4,
      found: '"three"',
      expected: "a decimal number with a decimal comma",
    });
    assert.equal(result.complete, true);
  });

  test("an unknown record type, a detail before any header and an impossible date", async () => {
    const result = await decode(`D;S0;A;1\nX;what\n${GOOD}H;S2;shop;2;2026-02-30 09:30;;\n`);
    assert.deepEqual(
      result.errors.map((e) => e.message),
      [
        "in.csv line 1 field record type: found a D detail record before any header, expected a header record first",
        'in.csv line 2 column 1 field record type: found "X", expected one of H, D',
        'in.csv line 5 column 5 field shipped: found "2026-02-30 09:30", expected a date in the format CCYY-MM-DD HH:mm',
      ],
    );
    assert.equal(result.recordCount, 1);
  });

  test("a document that is not a valid canonical record is refused with the model's path", async () => {
    const result = await decode("H;S1;shop;1;2026-03-01 09:30;UPS;T1\n");
    assert.match(
      result.errors[0]?.message ?? "",
      /^in\.csv line 1: the shipment starting here is not valid: \/lines is required/,
    );
    assert.equal((result.errors[0]?.details as { field?: string } | undefined)?.field, "/lines");
  });

  test("stopAtFirstError stops reading; collect stops at maxErrors", async () => {
    const bad = "H;S9;shop;9;nope;;\nD;S9;A;1\n";
    const text = GOOD + bad.repeat(5) + GOOD.replaceAll("S1", "S2");
    const stop = await decode(text, shipments, { mode: "stopAtFirstError" });
    assert.equal(stop.errors.length, 1);
    assert.equal(stop.complete, false);
    assert.equal(stop.recordCount, 1);
    const collect = await decode(text, shipments, { mode: "collect", maxErrors: 3 });
    assert.equal(collect.errors.length, 3);
    assert.equal(collect.complete, false);
    const all = await decode(text, shipments, { mode: "collect" });
    assert.equal(all.errors.length, 5);
    assert.deepEqual(
      all.records.map((r) => r.value.shipmentId),
      ["S1", "S2"],
    );
    assert.equal(all.complete, true);
  });

  test("a header row without a column the layout names is one error at the header line", async () => {
    const result = await decodeFlatFile(
      Buffer.from("receipt,po,warehouse,sku,qty\nR-1,,WH,A,1\n"),
      compileLayout(RECEIPTS, "r"),
      { fileName: "r.csv" },
    );
    assert.equal(
      result.errors[0]?.message,
      'r.csv line 1 field received: found a header row without "received", expected the column names the layout refers to',
    );
    assert.equal(result.complete, false);
  });
});

describe("hostile input gives located errors, never a crash", () => {
  test("an enormous line is skipped with its size; the lines after it are read", async () => {
    const huge = `H;${"x".repeat(200_000)}\n`;
    const result = await decode(GOOD + huge + GOOD.replaceAll("S1", "S2"));
    assert.deepEqual(
      result.errors.map((e) => e.message),
      [
        "in.csv line 3: found a line of 200002 bytes, expected at most 65536 bytes (maxLineBytes)",
        // the unreadable line may have been a detail of S1: S1 is dropped, visibly, not emitted short
        "in.csv line 1: the shipment starting here is dropped: line 3 inside it could not be read",
      ],
    );
    assert.deepEqual(
      result.records.map((r) => r.value.shipmentId),
      ["S2"],
    );
    const record = `${"SKU-1".padEnd(20)}WH1     00000100000000000000000100020260301093000\n`;
    const single = await decodeFlatFile(
      Buffer.from(`banner\n${record}${"9".repeat(70_000)}\n${record}`),
      stock,
      { fileName: "s.txt" },
    );
    assert.equal(single.errors.length, 1, "one record a line: the lines around an unreadable one are kept");
    assert.equal(single.recordCount, 2);
    const noSkip = compileLayout({ ...STOCK_REPORT, skipLines: 0 }, "no-skip");
    const fixed = await decodeFlatFile(Readable.from([Buffer.alloc(5_000_000, 0x41)]), noSkip, {
      fileName: "blob",
    });
    assert.match(fixed.errors[0]?.message ?? "", /^blob line 1: found a line of 5000000 bytes/);
  });

  test("binary bytes, invalid UTF-8 and an unterminated quote", async () => {
    const binary = await decode(
      Buffer.concat([Buffer.from(GOOD), Buffer.from([0x48, 0x3b, 0x00, 0x01, 0x02, 0x3b, 0xff, 0xfe, 0x0a])]),
    );
    assert.match(
      binary.errors[0]?.message ?? "",
      /^in\.csv line 3 column 3: found bytes that are not valid UTF-8/,
    );
    const controls = await decode(`${GOOD}H;S\u0001;shop;1;2026-03-01 09:30;;\n`);
    assert.match(
      controls.errors[0]?.message ?? "",
      /line 3 column 2 field shipment: found control or binary characters/,
    );
    const latin1 = await decode(
      Buffer.concat([Buffer.from("H;S1;shop;1;2026-03-01 09:30;"), Buffer.from([0xc9]), Buffer.from(";\n")]),
    );
    assert.match(
      latin1.errors[0]?.message ?? "",
      /line 1 column 6: found bytes that are not valid UTF-8, expected UTF-8 text \(or encoding: latin1/,
    );
    const quote = await decode(`${GOOD}${GOOD.replaceAll("S1", "S2")}H;"S3;shop;2\nD;S3;B;1\n`);
    assert.deepEqual(
      quote.records.map((r) => r.value.shipmentId),
      ["S1"],
    );
    assert.match(
      quote.errors[0]?.message ?? "",
      /^in\.csv line 5: found a quote opened after line 4 that is never closed/,
    );
  });

  test("random bytes through every layout never throw", async () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed;
    };
    const layouts = [shipments, stock, compileLayout(RECEIPTS, "r")];
    for (let round = 0; round < 30; round++) {
      const bytes = Buffer.from(
        Array.from({ length: 2_000 }, () =>
          round % 2 ? random() % 256 : ([59, 10, 34, 72, 68, 48][random() % 6] as number),
        ),
      );
      for (const layout of layouts) {
        const result = await decodeFlatFile(bytes, layout, { fileName: "rnd" });
        assert.ok(Array.isArray(result.errors));
      }
    }
  });

  test("a read error of the source is an error in the result", async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error("disk gone"));
      },
    });
    const result = await decodeFlatFile(failing, shipments, { fileName: "gone.csv" });
    assert.match(
      result.errors[0]?.message ?? "",
      /^gone\.csv: the file could not be read to the end: disk gone/,
    );
    assert.equal(result.complete, false);
  });
});

test("latin1 layouts read bytes above 0x7f as text", async () => {
  const layout: FlatFileLayout = { ...SHIPMENTS_HD, encoding: "latin1" };
  const result = await decodeFlatFile(
    Buffer.concat([
      Buffer.from("H;S1;shop;1;2026-03-01 09:30;Poste "),
      Buffer.from([0xc9]),
      Buffer.from(";\nD;S1;A;1\n"),
    ]),
    compileLayout(layout, "l"),
    { fileName: "l.csv" },
  );
  assert.equal(result.records[0]?.value.carrier, "Poste É");
});
