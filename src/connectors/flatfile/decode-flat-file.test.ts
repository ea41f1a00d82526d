import assert from "node:assert/strict";
import { createReadStream, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { compileLayout } from "./check-layout.ts";
import { decodeFlatFile } from "./decode-flat-file.ts";
import { RECEIPTS, SHIPMENTS_HD, STOCK_REPORT } from "./fixtures/test-layouts.ts";

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

const shipments = compileLayout(SHIPMENTS_HD, "shipments-hd");

describe("decoding to canonical records", () => {
  test("header/detail CSV with a record-type column: two shipments, lines under their header", async () => {
    const result = await decodeFlatFile(createReadStream(fixture("shipments-hd.csv")), shipments, {
      fileName: "shipments-hd.csv",
    });
    assert.deepEqual(result.errors, []);
    assert.equal(result.recordCount, 2);
    assert.deepEqual(result.recordTypes, { H: 2, D: 3 });
    const [first, second] = result.records;
    assert.equal(first?.line, 1);
    assert.deepEqual(first?.value, {
      schemaVersion: 1,
      shipmentId: "SHP-1001",
      order: { channel: "shop", channelOrderId: "1001" },
      shippedAt: "2026-03-01T09:30:00Z",
      carrier: "UPS",
      trackingNumber: "1Z999AA10123456784",
      status: "shipped",
      lines: [
        { sku: "CHAIR-OAK", quantity: "2", uom: "C62" },
        { sku: "TABLE-OAK", quantity: "1", uom: "C62" },
      ],
    });
    assert.deepEqual((second?.value.lines as unknown[] | undefined)?.[0], {
      sku: "LAMP-01",
      quantity: "3.5",
      uom: "C62",
    });
    assert.equal(second?.value.trackingNumber, undefined);
  });

  test("fixed width with implied decimals and a skipped banner line: stock levels", async () => {
    const result = await decodeFlatFile(
      readFileSync(fixture("stock-report.txt")),
      compileLayout(STOCK_REPORT, "stock"),
      { fileName: "stock-report.txt" },
    );
    assert.deepEqual(result.errors, []);
    assert.equal(result.recordCount, 3);
    assert.deepEqual(result.records[0]?.value, {
      schemaVersion: 1,
      sku: "SKU-0001",
      warehouse: "WH1",
      onHand: "12.500",
      reserved: "2.000",
      available: "10.500",
      asOf: "2026-03-01T09:30:00+01:00",
      source: "3pl-east",
      uom: "C62",
    });
  });

  test("CSV with a header row grouped by key: one receipt per receipt number", async () => {
    const result = await decodeFlatFile(
      readFileSync(fixture("receipts.csv")),
      compileLayout(RECEIPTS, "receipts"),
      { fileName: "receipts.csv" },
    );
    assert.deepEqual(result.errors, []);
    assert.deepEqual(
      result.records.map((r) => [r.value.receiptId, (r.value.lines as unknown[]).length, r.line]),
      [
        ["R-1", 2, 2],
        ["R-2", 1, 4],
      ],
    );
    assert.equal(result.records[1]?.value.poNumber, undefined);
  });

  test("onRecord receives records as they complete and nothing is collected", async () => {
    const seen: string[] = [];
    const result = await decodeFlatFile(readFileSync(fixture("shipments-hd.csv")), shipments, {
      fileName: "f.csv",
      onRecord: (record) => void seen.push(record.value.shipmentId as string),
    });
    assert.deepEqual(seen, ["SHP-1001", "SHP-1002"]);
    assert.equal(result.records.length, 0);
    assert.equal(result.recordCount, 2);
  });
});
