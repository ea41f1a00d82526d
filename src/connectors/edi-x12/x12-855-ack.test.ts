/**
 * The 855 mapper: the project's own 855 writer read back to the acknowledgement it was written from,
 * the line status rules (split lines, partial rejections, price changes, BAK02 defaults), located
 * refusals, and the corpus 855s when the shared corpus is there.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { MODEL_EXAMPLES } from "../../core/model/model-examples.ts";
import type { Order } from "../../core/model/order.ts";
import type { SupplierAcknowledgement } from "../../core/model/supplier-acknowledgement.ts";
import { build855 } from "./x12-build-855.ts";
import { X12_MAPPERS } from "./x12-mappers.ts";
import type { X12Problem } from "./x12-segment.ts";
import { createX12SetRunner } from "./x12-set-runner.ts";
import { runX12 } from "./x12-stream.ts";
import { writeX12Interchange, type X12PartnerEnvelope } from "./x12-writer.ts";

const CORPUS = fileURLToPath(new URL("../../../../shared/corpus/x12/", import.meta.url));

const supplier: X12PartnerEnvelope = {
  senderQualifier: "ZZ",
  senderId: "NORDICOAK",
  receiverQualifier: "ZZ",
  receiverId: "CROSSDOCK",
  version: "00401",
  elementSeparator: "*",
  segmentTerminator: "~",
  componentSeparator: ">",
  usageIndicator: "T",
  lineBreak: "\n",
};

function map(file: string, text: string | Uint8Array) {
  const acks: SupplierAcknowledgement[] = [];
  const problems: X12Problem[] = [];
  const warnings: string[] = [];
  runX12(
    file,
    text,
    createX12SetRunner(file, { connection: "nordic-oak" }, X12_MAPPERS, {
      record: (r) => {
        assert.equal(r.entity, "supplier-acknowledgement");
        acks.push(r.value as SupplierAcknowledgement);
      },
      problem: (p) => problems.push(p),
      warning: (w) => warnings.push(w),
    }),
  );
  return { acks, problems, warnings };
}

/** A bare 855 set around `body` (segments between ST and SE, `~`-terminated). */
function bare(body: string): string {
  const count = body.split("~").filter(Boolean).length + 2;
  return `ST*855*0001~${body}SE*${count}*0001~`;
}

/** The order the example acknowledgement answers (the example purchase order, as an order). */
const purchase = MODEL_EXAMPLES["purchase-order"];
const order = {
  ...(MODEL_EXAMPLES.order as Order),
  placedAt: purchase.orderedAt,
  currency: purchase.currency,
  lines: purchase.lines.map(({ supplierSku: _, ...line }) => line),
} as Order;

describe("855 to supplier-acknowledgement", () => {
  it("reads the project's own 855 (x12-build-855.ts) back to the acknowledgement it was written from", () => {
    const ack = MODEL_EXAMPLES["supplier-acknowledgement"];
    const edi = writeX12Interchange(supplier, {
      functionalId: "PR",
      sets: [build855(ack, order)],
      control: { interchange: 5, group: 5, sets: [5] },
      at: new Date("2026-03-02T15:20:00Z"),
    });
    const { acks, problems, warnings } = map("855.x12", edi);
    assert.deepEqual(problems, []);
    assert.deepEqual(warnings, []);
    const { extensions, ...read } = acks[0]!;
    assert.deepEqual(read, {
      schemaVersion: 1,
      poNumber: "P00012",
      acknowledgementId: "855-000000123",
      status: "accepted_with_changes",
      // BAK09 is a date: the time of day is not in the 855.
      acknowledgedAt: "2026-03-02T00:00:00Z",
      currency: "SEK",
      lines: [
        { lineId: "1", sku: "CHAIR-OAK-01", status: "accepted", quantity: "24" },
        {
          lineId: "2",
          sku: "TABLE-OAK-02",
          status: "changed",
          quantity: "4",
          expectedOn: "2026-03-23",
          reason: "IQ quantity changed",
        },
      ],
    });
    assert.deepEqual((extensions!["nordic-oak"] as { lines: unknown[] }).lines[1], {
      lineId: "2",
      ordered: "6",
      codes: ["IQ"],
      productIds: { VP: "TABLE-OAK-02" },
    });
  });

  it("reads a whole rejection (BAK02 RD, ACK IR) as rejected lines", () => {
    const ack: SupplierAcknowledgement = {
      ...MODEL_EXAMPLES["supplier-acknowledgement"],
      status: "rejected",
      lines: [
        { lineId: "1", status: "rejected", reason: "discontinued" },
        { lineId: "2", status: "rejected" },
      ],
    };
    const edi = writeX12Interchange(supplier, {
      functionalId: "PR",
      sets: [build855(ack, order)],
      control: { interchange: 6, group: 6, sets: [6] },
      at: new Date("2026-03-02T15:20:00Z"),
    });
    const { acks, problems } = map("855.x12", edi);
    assert.deepEqual(problems, []);
    assert.equal(acks[0]!.status, "rejected");
    assert.deepEqual(
      acks[0]!.lines.map((l) => [l.lineId, l.status, l.quantity, l.reason]),
      [
        ["1", "rejected", undefined, "IR item rejected"],
        ["2", "rejected", undefined, "IR item rejected"],
      ],
    );
  });

  it("collapses split lines, partial rejections and price changes into one line each", () => {
    const { acks, problems, warnings } = map(
      "split.edi",
      bare(
        "BAK*00*AC*PO-9*20260301****SO-77*20260302~CUR*SE*EUR~" +
          "PO1*1*10*EA*5**BP*A1*VP*V-A1~ACK*IA*6*EA*068*20260305~ACK*IB*4*EA*067*20260320~" +
          "PO1*2*10*EA*5**BP*B2~ACK*IA*7*EA~ACK*IR*3*EA~" +
          "PO1*3*2*EA*5**BP*C3~CTP**NET*4.75~ACK*IP*2*EA~" +
          "PO1*4*1*EA*5**BP*D4~" +
          "PO1*5*3*EA*5**BP*E5~ACK*IA*3*EA*002*20260310~" +
          "CTT*5~",
      ),
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(warnings, []);
    const [ack] = acks;
    assert.equal(ack!.acknowledgementId, "SO-77");
    assert.equal(ack!.acknowledgedAt, "2026-03-02T00:00:00Z");
    assert.equal(ack!.status, "accepted_with_changes");
    assert.deepEqual(ack!.lines, [
      {
        lineId: "1",
        sku: "A1",
        status: "changed",
        quantity: "10",
        expectedOn: "2026-03-20",
        reason: "IB item backordered",
      },
      {
        lineId: "2",
        sku: "B2",
        status: "changed",
        quantity: "7",
        reason: "IR item rejected; part of the line rejected",
      },
      {
        lineId: "3",
        sku: "C3",
        status: "changed",
        quantity: "2",
        unitPrice: "4.75",
        reason: "IP price changed",
      },
      { lineId: "4", sku: "D4", status: "accepted", quantity: "1" },
      { lineId: "5", sku: "E5", status: "accepted", quantity: "3", expectedOn: "2026-03-10" },
    ]);
  });

  it("takes the lines over BAK02 when they disagree, with a warning", () => {
    const { acks, warnings } = map(
      "disagree.edi",
      bare("BAK*00*AC*PO-9*20260301****SO-77*20260302~PO1*1*10*EA*5**BP*A1~ACK*IA*10*EA~"),
    );
    assert.equal(acks[0]!.status, "accepted");
    assert.match(warnings.join("\n"), /BAK02 is "AC" but the lines make the acknowledgement accepted/);
  });

  const refusals: [string, string, string, string][] = [
    ["no BAK03", "BAK*00*AD**20260301****X*20260302~PO1*1*1*EA*5**BP*A1~ACK*IA*1*EA~", "BAK-03", "BAK03"],
    ["an unknown BAK02", "BAK*00*ZZ*PO-1*20260301****X*20260302~PO1*1*1*EA*5**BP*A1~", "BAK-02", '"ZZ"'],
    ["no line detail (AK)", "BAK*00*AK*PO-1*20260301****X*20260302~", "BAK-02", "no PO1 line"],
    [
      "an unknown ACK01",
      "BAK*00*AD*PO-1*20260301****X*20260302~PO1*1*1*EA*5**BP*A1~ACK*XX*1*EA~",
      "ACK-01",
      '"XX"',
    ],
    [
      "a bad ACK02",
      "BAK*00*AD*PO-1*20260301****X*20260302~PO1*1*1*EA*5**BP*A1~ACK*IA*one*EA~",
      "ACK-02",
      '"one"',
    ],
    [
      "a bad ACK05 date",
      "BAK*00*AC*PO-1*20260301****X*20260302~PO1*1*1*EA*5**BP*A1~ACK*DR*1*EA*068*20261350~",
      "ACK-05",
      '"20261350"',
    ],
    [
      "an unknown currency (checkModel)",
      "BAK*00*AD*PO-1*20260301****X*20260302~CUR*SE*XYZ~PO1*1*1*EA*5**BP*A1~ACK*IA*1*EA~",
      "CUR-02",
      "/currency",
    ],
    [
      "exceptions only, all rejected",
      "BAK*00*RF*PO-1*20260301****X*20260302~PO1*2*1*EA*5**BP*A1~ACK*IR*1*EA~",
      "BAK-02",
      "exceptions only",
    ],
    ["no date anywhere", "BAK*00*AD*PO-1~PO1*1*1*EA*5**BP*A1~ACK*IA*1*EA~", "BAK-09", "BAK09"],
  ];
  for (const [name, body, element, text] of refusals) {
    it(`refuses ${name} as CDK_EDI_CONTENT located at ${element}`, () => {
      const { acks, problems } = map("bad.edi", bare(body));
      assert.equal(acks.length, 0);
      assert.equal(problems[0]?.code, "CDK_EDI_CONTENT");
      assert.equal(problems[0]!.location.element, element, problems[0]!.message);
      assert.ok(problems[0]!.message.startsWith("bad.edi: segment "));
      assert.ok(problems[0]!.message.includes(text), problems[0]!.message);
    });
  }

  it("maps the corpus 855s", {
    skip: existsSync(CORPUS) ? false : `no corpus at ${CORPUS} (a CI clone without ../shared)`,
  }, () => {
    const read = (name: string) => map(name, readFileSync(CORPUS + name));
    const bots = read("bots-plugins__855-004010UCS-01.x12");
    assert.deepEqual(bots.problems, []);
    assert.equal(bots.acks.length, 6);
    // BAK02 AP (product replenishment), PO1 without PO101 or ACK: accepted as sent, by position.
    assert.deepEqual(
      bots.acks.map((a) => [a.poNumber, a.status, a.lines.length]),
      [
        ["194207", "accepted", 26],
        ["194208", "accepted", 1],
        ["194721", "accepted", 1],
        ["194722", "accepted", bots.acks[3]!.lines.length],
        ["194723", "accepted", bots.acks[4]!.lines.length],
        ["194724", "accepted", 1],
      ],
    );
    assert.deepEqual(bots.acks[0]!.lines[0], {
      lineId: "1",
      sku: "001119432383",
      status: "accepted",
      quantity: "102",
    });
    assert.equal(bots.acks[0]!.acknowledgedAt, "2003-05-07T00:00:00Z", "DTM*009 when BAK09 is absent");

    const nodeX12 = read("node-x12__855.edi");
    assert.deepEqual(nodeX12.problems, []);
    assert.deepEqual(
      nodeX12.acks[0]!.lines.map((l) => [l.lineId, l.status, l.quantity ?? null]),
      [
        ["1", "accepted", "3"],
        ["2", "rejected", null],
        ["3", "rejected", null],
        ["4", "accepted", "2"],
      ],
    );
    assert.equal(nodeX12.acks[0]!.status, "accepted_with_changes");
    assert.match(nodeX12.warnings.join("\n"), /BAK02 is "AD"/);

    const stedi = read("stedi-bootstrap__005010_855_inbound.edi");
    assert.deepEqual(stedi.problems, []);
    assert.deepEqual(
      stedi.acks.map((a) => [a.poNumber, a.status, a.acknowledgedAt, a.lines.map((l) => l.lineId)]),
      [["365465413", "accepted", "2022-09-13T00:00:00Z", ["item-1", "item-2"]]],
    );
    // Its SE01 is wrong in the published sample: the envelope refuses the set before mapping.
    const wrongCount = read("x12-types__855_1.edi");
    assert.equal(wrongCount.acks.length, 0);
    assert.equal(wrongCount.problems[0]?.code, "CDK_EDI_CONTROL");
  });
});
