/**
 * The 943 the hub sends to a 3PL: written in two envelopes, it reads back with node-x12 (the independent
 * oracle) to the same segments as with the project's reader, which reads it without a problem.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nodeX12Segments, ourSegments } from "../../../test/support/x12-oracle.ts";
import { MODEL_EXAMPLES } from "../../core/model/model-examples.ts";
import type { Shipment } from "../../core/model/shipment.ts";
import { build943, type StockTransfer } from "./x12-build-943.ts";
import { readX12 } from "./x12-reader.ts";
import { writeX12Interchange, type X12PartnerEnvelope } from "./x12-writer.ts";

const envelopes: X12PartnerEnvelope[] = [
  {
    senderQualifier: "ZZ",
    senderId: "CROSSDOCK",
    receiverQualifier: "ZZ",
    receiverId: "ACME3PL",
    version: "00401",
    elementSeparator: "*",
    segmentTerminator: "~",
    componentSeparator: ">",
    usageIndicator: "T",
    lineBreak: "\n",
  },
  {
    senderQualifier: "01",
    senderId: "123456789",
    receiverQualifier: "ZZ",
    receiverId: "ACME3PL",
    version: "00501",
    elementSeparator: "|",
    segmentTerminator: "!",
    componentSeparator: ":",
    repetitionSeparator: "^",
    usageIndicator: "P",
  },
];

const example = MODEL_EXAMPLES.shipment as Shipment;
/** A supplier's delivery of purchase P00012 to the 3PL's Reno warehouse, one line in two lots. */
const delivery: StockTransfer = {
  shipment: {
    ...example,
    shipmentId: "ASN-7781",
    order: { channel: "nordic-oak", channelOrderId: "P00012" },
    carrier: "ODFL",
    service: "LTL",
    trackingNumber: "PRO-55120",
    shippedAt: "2026-03-10T22:30:00-05:00",
    shipTo: {
      name: "Acme 3PL Reno",
      street: "200 Logistics Way",
      city: "Reno",
      region: "NV",
      postalCode: "89502",
      countryCode: "US",
    },
    lines: [
      {
        orderLineId: "1",
        sku: "CHAIR-OAK-01",
        quantity: "24",
        uom: "C62",
        lots: [
          { lot: "L2603-A", quantity: "20" },
          { lot: "L2603-B", quantity: "4" },
        ],
      },
      { orderLineId: "2", sku: "TABLE-OAK-02", quantity: "6", uom: "C62" },
    ],
    packages: [
      { packageId: "PAL-1", weight: { value: "310", unit: "kg" } },
      { packageId: "PAL-2", weight: { value: "88000", unit: "g" } },
    ],
  },
  to: { code: "RENO", name: "Acme 3PL Reno" },
  from: {
    name: "Nordic Oak AB",
    code: "NORDIC-OAK",
    address: { street: "Sagverksgatan 2", city: "Jonkoping", postalCode: "55303", countryCode: "SE" },
  },
  poNumber: "P00012",
  expectedOn: "2026-03-16",
  upcs: { "TABLE-OAK-02": "012345678905" },
};
const options = { depositor: { name: "Crossdock Trading", id: "CDK01" } };

describe("build943", () => {
  for (const envelope of envelopes) {
    it(`writes a 943 in a ${envelope.version} envelope that node-x12 reads back identically`, () => {
      const edi = writeX12Interchange(envelope, {
        functionalId: "AR",
        sets: [build943(delivery, options)],
        control: { interchange: 42, group: 7, sets: [3] },
        at: new Date("2026-03-11T08:05:00Z"),
      });
      const ours = ourSegments(edi, "943.x12");
      const theirs = nodeX12Segments(edi);
      // node-x12 rewrites ISA13 and IEA02 with parseInt (see docs/edi-x12.md).
      theirs[0]![13] = ours[0]![13]!;
      theirs.at(-1)![2] = ours.at(-1)![2]!;
      assert.deepEqual(ours, theirs);
      assert.deepEqual(
        ours.slice(3, -3).map((s) => s.join("*")),
        [
          "W06*J*P00012*20260311*ASN-7781**P00012",
          "N1*DE*Crossdock Trading*92*CDK01",
          "N1*SF*Nordic Oak AB*92*NORDIC-OAK",
          "N3*Sagverksgatan 2",
          "N4*Jonkoping**55303*SE",
          "N1*ST*Acme 3PL Reno*92*RENO",
          "N3*200 Logistics Way",
          "N4*Reno*NV*89502*US",
          "N9*PO*P00012",
          "N9*2I*PRO-55120",
          "G62*17*20260316",
          "W27*M*ODFL*LTL",
          "W04*20*EA**VN*CHAIR-OAK-01",
          "N9*LI*1",
          "N9*LT*L2603-A",
          "W04*4*EA**VN*CHAIR-OAK-01",
          "N9*LI*1",
          "N9*LT*L2603-B",
          "W04*6*EA**VN*TABLE-OAK-02*UP*012345678905",
          "N9*LI*2",
          "W03*30*398*KG***2*CT",
        ],
      );
    });
  }

  it("reads back with the project's whole-file reader without a problem or warning", () => {
    const edi = writeX12Interchange(envelopes[0]!, {
      functionalId: "AR",
      sets: [build943(delivery, options)],
      control: { interchange: 1, group: 1, sets: [1] },
      at: new Date("2026-03-11T08:05:00Z"),
    });
    const doc = readX12("943.x12", edi);
    assert.deepEqual(doc.problems, []);
    assert.deepEqual(doc.warnings, []);
    const set = doc.interchanges[0]!.groups[0]!.sets[0]!;
    assert.equal(set.type, "943");
    assert.equal(doc.interchanges[0]!.groups[0]!.header!.elements[0], "AR");
  });

  it("writes an inter-warehouse transfer: shipper from shipment.warehouse, no lots, what a lot leaves out", () => {
    const transfer: StockTransfer = {
      shipment: {
        ...example,
        shipmentId: "WH/INT/00042",
        order: { channel: "odoo", channelOrderId: "WH/INT/00042" },
        lines: [
          {
            sku: "CUSHION-GREY",
            quantity: "10",
            uom: "C62",
            lots: [{ lot: "C-1", quantity: "7" }],
          },
        ],
        packages: [{ packageId: "BOX-1" }],
      },
      to: { code: "RENO" },
    };
    delete (transfer.shipment as { shipTo?: unknown }).shipTo;
    delete (transfer.shipment as { trackingNumber?: unknown }).trackingNumber;
    delete (transfer.shipment as { carrier?: unknown }).carrier;
    delete (transfer.shipment as { service?: unknown }).service;
    const body = build943(transfer, { depositor: { name: "Crossdock" }, reportingCode: "N" });
    assert.deepEqual(
      body.segments.map((s) => s.join("*").replace(/\*+$/, "")),
      [
        "W06*N*WH/INT/00042*20260302*WH/INT/00042",
        "N1*DE*Crossdock",
        "N1*SF*WH*92*WH",
        "N1*ST*RENO*92*RENO",
        "W27*M",
        "W04*7*EA**VN*CUSHION-GREY",
        "N9*LT*C-1",
        "W04*3*EA**VN*CUSHION-GREY",
        "W03*10*****1*CT",
      ],
    );
  });
});
