/**
 * The 850 the hub sends to a supplier: written in two envelopes, it reads back with node-x12 (the
 * independent oracle) to the same segments as with the project's reader, and the project's own 850
 * mapper reads it to an order with the purchase's lines, parties and date.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nodeX12Segments, ourSegments } from "../../../test/support/x12-oracle.ts";
import { MODEL_EXAMPLES } from "../../core/model/model-examples.ts";
import type { Order } from "../../core/model/order.ts";
import type { PurchaseOrder } from "../../core/model/purchase-order.ts";
import { build850 } from "./x12-build-850.ts";
import { X12_MAPPERS } from "./x12-mappers.ts";
import type { X12Record } from "./x12-mapping.ts";
import { createX12SetRunner } from "./x12-set-runner.ts";
import { runX12 } from "./x12-stream.ts";
import { writeX12Interchange, type X12PartnerEnvelope } from "./x12-writer.ts";

const envelopes: X12PartnerEnvelope[] = [
  {
    senderQualifier: "ZZ",
    senderId: "CROSSDOCK",
    receiverQualifier: "ZZ",
    receiverId: "NORDICOAK",
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
    receiverId: "NORDICOAK",
    version: "00501",
    elementSeparator: "|",
    segmentTerminator: "!",
    componentSeparator: ":",
    repetitionSeparator: "^",
    usageIndicator: "P",
  },
];

const example = MODEL_EXAMPLES["purchase-order"] as PurchaseOrder;
const purchase: PurchaseOrder = {
  ...example,
  supplier: { ...example.supplier, code: "NORDIC-OAK" },
  shipTo: {
    name: "Crossdock DC",
    street: "Hamnvagen 4",
    city: "Goteborg",
    postalCode: "41764",
    countryCode: "SE",
  },
  lines: example.lines.map((line, i) => ({ ...line, name: i === 0 ? "Oak chair, natural" : "Oak table" })),
};
const options = { buyer: { name: "Crossdock Trading", id: "CDK01" }, internalReference: "PO/2026/0042" };

function mapped(edi: string) {
  const records: X12Record[] = [];
  runX12(
    "850.x12",
    edi,
    createX12SetRunner("850.x12", { connection: "nordic-oak", skuQualifiers: ["BP"] }, X12_MAPPERS, {
      record: (r) => records.push(r),
      problem: (p) => assert.fail(p.message),
    }),
  );
  return records;
}

describe("build850", () => {
  for (const envelope of envelopes) {
    it(`writes an 850 in a ${envelope.version} envelope that node-x12 reads back identically`, () => {
      const edi = writeX12Interchange(envelope, {
        functionalId: "PO",
        sets: [build850(purchase, options)],
        control: { interchange: 42, group: 7, sets: [3] },
        at: new Date("2026-03-02T08:05:00Z"),
      });
      const ours = ourSegments(edi, "850.x12");
      const theirs = nodeX12Segments(edi);
      // node-x12 rewrites ISA13 and IEA02 with parseInt (see docs/edi-x12.md).
      theirs[0]![13] = ours[0]![13]!;
      theirs.at(-1)![2] = ours.at(-1)![2]!;
      assert.deepEqual(ours, theirs);
      const set = ours.slice(3, -3).map((s) => s.join("*"));
      assert.deepEqual(set, [
        "BEG*00*SA*P00012**20260302",
        "CUR*BY*SEK",
        "REF*IL*PO/2026/0042",
        "ITD*01*3*****30*****30 days net",
        "DTM*002*20260316",
        "N1*BY*Crossdock Trading*92*CDK01",
        "N1*ST*Crossdock DC*92*WH",
        "N3*Hamnvagen 4",
        "N4*Goteborg**41764*SE",
        "N1*SE*Nordic Oak AB*92*NORDIC-OAK",
        "PO1*1*24*EA*610.00**VP*NO-CH-01*BP*CHAIR-OAK-01",
        "PID*F****Oak chair, natural",
        "PO1*2*6*EA*2450.50**BP*TABLE-OAK-02",
        "PID*F****Oak table",
        "CTT*2*30",
      ]);
    });
  }

  it("reads back with the project's 850 mapper to an order with the purchase's lines", () => {
    const edi = writeX12Interchange(envelopes[0]!, {
      functionalId: "PO",
      sets: [build850(purchase, options)],
      control: { interchange: 1, group: 1, sets: [1] },
      at: new Date("2026-03-02T08:05:00Z"),
    });
    const [record] = mapped(edi);
    const order = record!.value as Order;
    assert.equal(record!.entity, "order");
    assert.equal(order.channelOrderId, "P00012");
    assert.equal(order.placedAt, "2026-03-02T00:00:00Z");
    assert.equal(order.currency, "SEK");
    assert.equal(order.customer.name, "Crossdock Trading");
    assert.equal(order.shipTo?.city, "Goteborg");
    assert.deepEqual(
      order.lines.map((l) => [l.lineId, l.sku, l.quantity, l.uom, l.unitPrice]),
      purchase.lines.map((l) => [l.lineId, l.sku, l.quantity, "EA", l.unitPrice.replace(/\.?0+$/, "")]),
    );
    assert.equal(Number(order.totals.grandTotal), 29343);
    const ext = order.extensions!["nordic-oak"] as { productIds: unknown[]; refs: unknown };
    assert.deepEqual(ext.productIds[0], { lineId: "1", VP: "NO-CH-01", BP: "CHAIR-OAK-01" });
    assert.deepEqual(ext.refs, { IL: "PO/2026/0042" });
  });

  it("marks a resend as a duplicate (BEG01 07) and leaves out what the purchase does not have", () => {
    const bare: PurchaseOrder = {
      ...example,
      lines: [example.lines[1]!],
    };
    delete (bare as { paymentTerms?: unknown }).paymentTerms;
    delete (bare as { expectedOn?: unknown }).expectedOn;
    delete (bare as { warehouse?: unknown }).warehouse;
    const body = build850(bare, { buyer: { name: "Crossdock" }, purpose: "07" });
    assert.deepEqual(
      body.segments.map((s) => s.join("*")),
      [
        "BEG*07*SA*P00012**20260302",
        "CUR*BY*SEK",
        "N1*BY*Crossdock",
        "N1*SE*Nordic Oak AB",
        "PO1*2*6*EA*2450.50**BP*TABLE-OAK-02",
        "CTT*1*6",
      ],
    );
  });
});
