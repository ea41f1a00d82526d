import assert from "node:assert/strict";
import { test } from "node:test";
import { checkLayout, compileLayout } from "./check-layout.ts";
import { readFieldValue } from "./field-value.ts";
import { STOCK_REPORT } from "./fixtures/test-layouts.ts";
import type { FlatFileLayout } from "./flat-file-layout.ts";

const paths = (value: unknown) => {
  const checked = checkLayout(value, "acme");
  return checked.ok ? [] : checked.problems.map((p) => `${p.path}: ${p.message}`);
};

test("overlaps, duplicate names, zero width and missing positions are located", () => {
  const layout: FlatFileLayout = {
    format: "fixed-width",
    records: [
      {
        fields: [
          { name: "a", start: 1, length: 10, type: "text" },
          { name: "b", start: 5, length: 3, type: "text" },
          { name: "a", start: 20, length: 2, type: "text" },
          { name: "d", start: 30, type: "date", format: "DDMM" },
        ],
      },
    ],
  };
  assert.deepEqual(paths(layout), [
    "flatFiles.layouts.acme.records[0].fields[2].name: repeats the field name a",
    "flatFiles.layouts.acme.records[0].fields[3].length: is required (width in characters, at least 1)",
    'flatFiles.layouts.acme.records[0].fields[3].format: "DDMM" has no year (CCYY, YYYY or YY)',
    "flatFiles.layouts.acme.records[0].fields[1]: b (from 5) overlaps a (1-10)",
  ]);
  const zero = structuredClone(STOCK_REPORT);
  (zero.records[0]!.fields[1] as { length: number }).length = 0;
  assert.deepEqual(paths(zero), ["flatFiles.layouts.acme.records[0].fields[1].length: must be >= 1"]);
  assert.deepEqual(paths({ ...STOCK_REPORT, delimiter: ";" }), [
    "flatFiles.layouts.acme.delimiter: is not a layout key",
  ]);
});

test("record types, header names and groupBy are checked against each other", () => {
  const layout: FlatFileLayout = {
    format: "csv",
    groupBy: "key",
    records: [
      { type: "H", fields: [{ name: "key", header: "Key", type: "text" }] },
      { type: "H", role: "detail", fields: [{ name: "x", column: 2, type: "constant", value: "1" }] },
    ],
  };
  assert.deepEqual(paths(layout), [
    "flatFiles.layouts.acme.recordType: is required when the layout has more than one record",
    "flatFiles.layouts.acme.records[0].fields[0].header: needs csv.header: true (the file's first line names the columns)",
    'flatFiles.layouts.acme.records[1].type: repeats record type "H"',
    "flatFiles.layouts.acme.records[1].fields[0]: a constant field reads no text: remove column, header, start and length",
    "flatFiles.layouts.acme.records[1].fields: has no field key (groupBy)",
  ]);
  assert.throws(
    () => compileLayout(layout, "acme"),
    (error: { code: string; message: string; details: { problems: unknown[] } }) => {
      assert.equal(error.code, "CDK_FILE_LAYOUT_INVALID");
      assert.match(
        error.message,
        /^flat-file layout acme is not valid: flatFiles\.layouts\.acme\.recordType: is required/,
      );
      assert.equal(error.details.problems.length, 5);
      return true;
    },
  );
});

test("field values: decimals stay exact strings, dates are checked", () => {
  const decimal = (text: string, extra = {}) =>
    readFieldValue(text, { name: "q", type: "decimal", ...extra });
  assert.deepEqual(decimal("000000000012.500"), { ok: true, value: "12.500" });
  assert.deepEqual(decimal("0001250", { impliedDecimals: 2 }), { ok: true, value: "12.50" });
  assert.deepEqual(decimal("5", { impliedDecimals: 3 }), { ok: true, value: "0.005" });
  assert.deepEqual(decimal("30,00", { decimalComma: true }), { ok: true, value: "30.00" });
  assert.deepEqual(decimal("-000000000000075.000"), { ok: true, value: "-75.000" });
  assert.deepEqual(decimal("12.5-"), { ok: true, value: "-12.5" });
  assert.deepEqual(decimal("-0.00"), { ok: true, value: "0.00" });
  assert.equal(decimal("1e5").ok, false);
  assert.equal(decimal("-1-").ok, false);
  assert.deepEqual(readFieldValue(" 0042 ", { name: "i", type: "integer" }), { ok: true, value: "42" });
  assert.deepEqual(readFieldValue("", { name: "i", type: "integer", required: true }), {
    ok: false,
    found: "an empty value",
    expected: "a value (the field is required)",
  });
  const compiled = compileLayout(
    { format: "csv", records: [{ fields: [{ name: "d", column: 1, type: "date", format: "YYMMDD" }] }] },
    "d",
  );
  const field = [...compiled.records.values()][0]!.fields[0]!;
  assert.deepEqual(readFieldValue("240229", field.field, field.date), {
    ok: true,
    value: "2024-02-29T00:00:00Z",
  });
  assert.equal(readFieldValue("230229", field.field, field.date).ok, false);
  assert.deepEqual(readFieldValue("X", { name: "s", type: "text", map: { S: "shipped" } }), {
    ok: false,
    found: '"X"',
    expected: "one of S",
  });
});
