import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { X12_MAPPERS } from "./x12-mappers.ts";
import type { X12Record } from "./x12-mapping.ts";
import type { X12Problem } from "./x12-segment.ts";
import { createX12SetRunner, type X12SetOutcome } from "./x12-set-runner.ts";
import { runX12 } from "./x12-stream.ts";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");

function map(file: string, text: string) {
  const records: X12Record[] = [];
  const problems: X12Problem[] = [];
  const outcomes: X12SetOutcome[] = [];
  runX12(
    file,
    text,
    createX12SetRunner(file, { connection: "acme-edi" }, X12_MAPPERS, {
      record: (record) => records.push(record),
      problem: (problem) => problems.push(problem),
      interchangeEnd: (done) => outcomes.push(...done),
    }),
  );
  return { records, problems, outcomes, values: records.map((r) => r.value as Record<string, unknown>) };
}

describe("850 to order", () => {
  it("maps the fixture with SKUs by qualifier preference, units, addresses and terms", () => {
    const { values, problems } = map("850.x12", fixture("850-two-lines.x12"));
    assert.deepEqual(problems, []);
    const order = values[0]!;
    assert.equal(order.channel, "acme-edi");
    assert.equal(order.channelOrderId, "PO-7001");
    assert.equal(order.placedAt, "2026-03-01T00:00:00Z");
    assert.equal(order.status, "pending");
    assert.deepEqual(order.customer, {
      kind: "company",
      name: "Acme Retail Inc",
      code: "ACME01",
      refs: [{ system: "acme-edi", kind: "N1-BY-92", id: "ACME01" }],
    });
    assert.deepEqual(order.shipTo, {
      name: "Acme DC East",
      street: "100 Harbor Road",
      street2: "Dock 4",
      city: "Newark",
      postalCode: "07102",
      region: "NJ",
      countryCode: "US",
      phone: "555-0100",
    });
    assert.equal((order.billTo as { city: string }).city, "Boston");
    assert.deepEqual(order.lines, [
      {
        lineId: "1",
        sku: "CHAIR-OAK-01",
        name: "Oak chair",
        quantity: "12",
        uom: "EA",
        unitPrice: "19.99",
        total: "239.88",
      },
      {
        lineId: "2",
        sku: "TABLE-OAK-02",
        name: "Oak table, case of 2",
        quantity: "3",
        uom: "CS",
        unitPrice: "120.5",
        total: "361.5",
      },
    ]);
    assert.deepEqual(order.paymentTerms, { code: "01", name: "Net 30", dueDays: 30 });
    assert.equal((order.totals as { grandTotal: string }).grandTotal, "601.38");
  });

  const cases: [string, (t: string) => string, string, string][] = [
    [
      "an empty BEG03",
      (t) => t.replace("BEG*00*SA*PO-7001", "BEG*00*SA*"),
      "BEG-03",
      "BEG03 (purchase order number) is empty",
    ],
    [
      "a bad quantity",
      (t) => t.replace("PO1*2*3*CA", "PO1*2*three*CA"),
      "PO1-02",
      'PO102 (quantity ordered) is "three"',
    ],
    ["no price", (t) => t.replace("*120.5**BP", "***BP"), "PO1-04", "PO104 (unit price)"],
    ["an unknown currency", (t) => t.replace("CUR*BY*USD", "CUR*BY*XYZ"), "CUR-02", "/currency"],
  ];
  for (const [name, edit, element, text] of cases) {
    it(`refuses ${name} as CDK_EDI_CONTENT located at ${element}`, () => {
      const { problems, records, outcomes } = map("bad.x12", edit(fixture("850-two-lines.x12")));
      assert.equal(records.length, 0);
      assert.equal(problems[0]!.code, "CDK_EDI_CONTENT");
      assert.equal(problems[0]!.location.element, element);
      assert.ok(problems[0]!.message.startsWith("bad.x12: segment "));
      assert.ok(problems[0]!.message.includes(text), problems[0]!.message);
      assert.equal(outcomes[0]!.accepted, false);
    });
  }
});

describe("846 to stock levels", () => {
  it("maps QTY 17/33 and SDQ locations, one record per item and location", () => {
    const { values, problems } = map("846.x12", fixture("846-3pl-stock.x12"));
    assert.deepEqual(problems, []);
    const base = { schemaVersion: 1, uom: "EA", asOf: "2026-03-01T06:00:00Z", source: "acme-edi" };
    assert.deepEqual(values, [
      { ...base, sku: "CHAIR-OAK-01", warehouse: "RENO", onHand: "40", reserved: "4", available: "36" },
      { ...base, sku: "TABLE-OAK-02", warehouse: "RENO", onHand: "5", reserved: "0", available: "5" },
      { ...base, sku: "CUSHION-GREY", warehouse: "RENO", onHand: "10", reserved: "0", available: "10" },
      { ...base, sku: "CUSHION-GREY", warehouse: "NYC1", onHand: "4", reserved: "0", available: "4" },
    ]);
  });
});

describe("945 to shipment", () => {
  it("maps W06, W27, G62, W12 lines with lots and N9*2I packages; skips lines with nothing shipped", () => {
    const { values, problems } = map("945.x12", fixture("945-3pl-shipment.x12"));
    assert.deepEqual(problems, []);
    const shipment = values[0]!;
    assert.deepEqual(shipment.order, { channel: "acme-edi", channelOrderId: "SO-1001" });
    assert.equal(shipment.shipmentId, "SH-555");
    assert.equal(shipment.shippedAt, "2026-03-02T14:05:00Z");
    assert.equal(shipment.carrier, "UPSN");
    assert.equal(shipment.trackingNumber, "BOL-9931");
    assert.equal(shipment.warehouse, "RENO");
    assert.deepEqual(shipment.lines, [
      { sku: "CHAIR-OAK-01", quantity: "2", uom: "EA", lots: [{ lot: "L2603-A", quantity: "2" }] },
      { sku: "CUSHION-GREY", quantity: "3", uom: "EA" },
    ]);
    assert.deepEqual(shipment.packages, [
      {
        trackingNumber: "1Z999AA10123456784",
        contents: [
          { sku: "CHAIR-OAK-01", quantity: "2" },
          { sku: "CUSHION-GREY", quantity: "3" },
        ],
      },
    ]);
  });
});

describe("944 to receipt", () => {
  it("maps W17 and W07 lines with line ids and lots", () => {
    const { values, problems } = map("944.x12", fixture("944-3pl-receipt.x12"));
    assert.deepEqual(problems, []);
    assert.deepEqual(values[0], {
      schemaVersion: 1,
      receiptId: "RCPT-9",
      poNumber: "P00012",
      warehouse: "RENO",
      receivedAt: "2026-03-16T00:00:00Z",
      lines: [
        {
          lineId: "1",
          sku: "CHAIR-OAK-01",
          quantity: "24",
          uom: "EA",
          condition: "good",
          lots: [{ lot: "L2603-A", quantity: "24" }],
        },
        { lineId: "2", sku: "TABLE-OAK-02", quantity: "4", uom: "EA", condition: "good" },
      ],
    });
  });
});

describe("997 to functional acknowledgement", () => {
  it("reads AK1, AK2/AK3/AK4/AK5 and AK9", () => {
    const text =
      "ST*997*0001~AK1*PO*2~AK2*850*103465910~AK3*REF*3**8~AK4*1**7*BM~AK5*R*5~AK2*850*103465911~AK5*A~AK9*P*2*2*1~SE*10*0001~";
    const { values, problems } = map("997.edi", text);
    assert.deepEqual(problems, []);
    assert.deepEqual(values[0], {
      functionalId: "PO",
      groupControlNumber: "2",
      status: "P",
      setsIncluded: 2,
      setsReceived: 2,
      setsAccepted: 1,
      sets: [
        {
          type: "850",
          controlNumber: "103465910",
          status: "R",
          errors: ["5"],
          segmentErrors: [
            { tag: "REF", position: "3", code: "8", elements: [{ position: "1", code: "7", copy: "BM" }] },
          ],
        },
        { type: "850", controlNumber: "103465911", status: "A", errors: [], segmentErrors: [] },
      ],
    });
  });
});
