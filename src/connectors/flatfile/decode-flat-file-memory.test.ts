import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { test } from "node:test";
import { compileLayout } from "./check-layout.ts";
import { decodeFlatFile } from "./decode-flat-file.ts";
import { RECEIPTS, STOCK_REPORT } from "./fixtures/test-layouts.ts";

const LINES = 200_000;

/** A lazily generated file: lines are made only when the decoder pulls them. */
function generated(line: (n: number) => string, produced: { count: number }): Readable {
  return Readable.from(
    (function* () {
      for (let n = 0; n < LINES; n += 500) {
        const chunk: string[] = [];
        for (let i = n; i < Math.min(n + 500, LINES); i++) chunk.push(line(i));
        produced.count = Math.min(n + 500, LINES);
        yield Buffer.from(`${chunk.join("\n")}\n`);
      }
    })(),
  );
}

test("200k fixed-width lines stream with bounded lines in flight and bounded memory", async () => {
  const produced = { count: 0 };
  let records = 0;
  let maxInFlight = 0;
  const stock = compileLayout({ ...STOCK_REPORT, skipLines: 0 }, "stock");
  const line = (i: number) =>
    `${`SKU-${i}`.padEnd(20)}WH1     000012500000002000000010500${"20260301093000"}`;
  global.gc?.();
  const before = process.memoryUsage().rss;
  const result = await decodeFlatFile(generated(line, produced), stock, {
    fileName: "big.txt",
    onRecord: async (record) => {
      records++;
      maxInFlight = Math.max(maxInFlight, produced.count - record.line);
      if (records % 20_000 === 0) await new Promise((resolve) => setImmediate(resolve));
    },
  });
  const growth = process.memoryUsage().rss - before;
  assert.deepEqual(result.errors, []);
  assert.equal(result.recordCount, LINES);
  assert.equal(result.records.length, 0);
  // Stream buffers hold a few chunks; a decoder that read ahead would have all 200k lines in flight.
  assert.ok(maxInFlight < 20_000, `lines generated but not yet decoded: ${maxInFlight}`);
  assert.ok(growth < 150 * 1024 * 1024, `RSS grew by ${Math.round(growth / 1048576)} MiB`);
});

test("200k CSV lines grouped by key stream with bounded lines in flight", async () => {
  const produced = { count: 0 };
  let maxInFlight = 0;
  const receipts = compileLayout(
    {
      ...RECEIPTS,
      csv: { header: false },
      records: [
        {
          fields: RECEIPTS.records[0]!.fields.map(({ header: _h, ...f }, i) =>
            f.type === "constant" ? f : { ...f, column: i + 1 },
          ),
        },
      ],
    },
    "r",
  );
  const line = (i: number) => `R-${Math.floor(i / 4)},PO-1,WH1,01.03.2026,SKU-${i % 4},${(i % 9) + 1}`;
  const result = await decodeFlatFile(generated(line, produced), receipts, {
    fileName: "big.csv",
    onRecord: (record) => {
      maxInFlight = Math.max(maxInFlight, produced.count - record.line);
    },
  });
  assert.deepEqual(result.errors, []);
  assert.equal(result.recordCount, LINES / 4);
  assert.ok(maxInFlight < 20_000, `lines generated but not yet decoded: ${maxInFlight}`);
});
