import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nodeX12Segments, ourSegments } from "../../../test/support/x12-oracle.ts";
import { MODEL_EXAMPLES } from "../../core/model/model-examples.ts";
import type { Order } from "../../core/model/order.ts";
import { build810 } from "./x12-build-810.ts";
import { build855 } from "./x12-build-855.ts";
import { build856 } from "./x12-build-856.ts";
import { build940 } from "./x12-build-940.ts";
import { build997 } from "./x12-build-997.ts";
import { X12_MAPPERS } from "./x12-mappers.ts";
import type { X12Record } from "./x12-mapping.ts";
import { readX12 } from "./x12-reader.ts";
import { createX12SetRunner, type X12SetOutcome } from "./x12-set-runner.ts";
import { runX12 } from "./x12-stream.ts";
import { writeX12Interchange, type X12PartnerEnvelope, type X12SetBody } from "./x12-writer.ts";

const partners: X12PartnerEnvelope[] = [
  {
    senderQualifier: "ZZ",
    senderId: "CROSSDOCK",
    receiverQualifier: "01",
    receiverId: "123456789",
    version: "00401",
    elementSeparator: "*",
    segmentTerminator: "~",
    componentSeparator: ">",
    usageIndicator: "T",
    lineBreak: "\n",
  },
  {
    senderQualifier: "ZZ",
    senderId: "CROSSDOCK",
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
const at = new Date("2026-03-02T15:04:00Z");
const order = MODEL_EXAMPLES.order as Order;
const documents: [string, string, X12SetBody][] = [
  [
    "855",
    "PR",
    build855(MODEL_EXAMPLES["supplier-acknowledgement"], {
      ...order,
      lines: order.lines.map((l, i) => ({ ...l, lineId: String(i + 1) })),
    }),
  ],
  ["856", "SH", build856(MODEL_EXAMPLES.shipment)],
  ["810", "IN", build810(MODEL_EXAMPLES.invoice)],
  ["940", "OW", build940(order, { warehouse: "WH" })],
];

describe("writeX12Interchange", () => {
  for (const partner of partners) {
    for (const [type, functionalId, body] of documents) {
      it(`writes a ${type} in a ${partner.version} envelope that node-x12 reads back identically`, () => {
        const edi = writeX12Interchange(partner, {
          functionalId,
          sets: [body, body],
          control: { interchange: 42, group: 7, sets: [1, 2] },
          at,
        });
        const ours = ourSegments(edi);
        const theirs = nodeX12Segments(edi);
        // node-x12 rewrites ISA13 and IEA02 with parseInt (leading zeros lost): see docs/edi-x12.md.
        assert.equal(theirs[0]![13], "42");
        assert.equal(ours[0]![13], "000000042");
        theirs[0]![13] = ours[0]![13]!;
        theirs.at(-1)![2] = ours.at(-1)![2]!;
        assert.deepEqual(ours, theirs);
        assert.equal(edi.indexOf(partner.segmentTerminator), 105, "the ISA is 106 characters");
        assert.equal(ours.filter((s) => s[0] === "ST").length, 2);
      });
    }
  }

  it("writes the 856 hierarchy shipment > order > pack > item", () => {
    const hl = build856(MODEL_EXAMPLES.shipment)
      .segments.filter((s) => s[0] === "HL")
      .map((s) => s.slice(1).join(","));
    assert.deepEqual(hl, ["1,,S", "2,1,O", "3,2,P", "4,3,I", "5,3,I"]);
  });

  it("replaces delimiters inside values and refuses bad delimiter settings", () => {
    const edi = writeX12Interchange(partners[0]!, {
      functionalId: "OW",
      sets: [{ type: "940", segments: [["W05", "N", "A*B~C>D"]] }],
      control: { interchange: 1, group: 1, sets: [1] },
      at,
    });
    assert.match(edi, /W05\*N\*A B C D~/);
    assert.throws(
      () =>
        writeX12Interchange(
          { ...partners[0]!, segmentTerminator: "*" },
          { functionalId: "OW", sets: [], control: { interchange: 1, group: 1, sets: [] }, at },
        ),
      { code: "CDK_CONFIG_INVALID" },
    );
  });
});

describe("997 round trip", () => {
  it("acknowledges a received group (one set accepted, one rejected at PO1-02) and reads back the same", () => {
    const received = [
      "ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*CROSSDOCK      *260301*0930*U*00401*000000101*0*T*>~",
      "GS*PO*ACMERETAIL*CROSSDOCK*20260301*0930*55*X*004010~",
      "ST*850*0001~BEG*00*SA*PO-1**20260301~N1*BY*Acme~PO1*1*2*EA*5**VP*A1~SE*5*0001~",
      "ST*850*0002~BEG*00*SA*PO-2**20260301~N1*BY*Acme~PO1*1*two*EA*5**VP*A1~SE*5*0002~",
      "GE*2*55~IEA*1*000000101~",
    ].join("\n");
    const outcomes: X12SetOutcome[] = [];
    runX12(
      "in.x12",
      received,
      createX12SetRunner("in.x12", { connection: "acme-edi" }, X12_MAPPERS, {
        interchangeEnd: (o) => outcomes.push(...o),
      }),
    );
    assert.deepEqual(
      outcomes.map((o) => o.accepted),
      [true, false],
    );
    const body = build997(outcomes[0]!.group!, outcomes);
    assert.deepEqual(body.segments, [
      ["AK1", "PO", "55"],
      ["AK2", "850", "0001"],
      ["AK5", "A"],
      ["AK2", "850", "0002"],
      ["AK3", "PO1", "4", "", "8"],
      ["AK4", "2", "", "7", "two"],
      ["AK5", "R", "5"],
      ["AK9", "P", "2", "2", "1"],
    ]);
    const edi = writeX12Interchange(partners[0]!, {
      functionalId: "FA",
      sets: [body],
      control: { interchange: 9, group: 9, sets: [9] },
      at,
    });
    assert.deepEqual(
      ourSegments(edi),
      nodeX12Segments(edi).map((s, i, all) =>
        i === 0
          ? [...s.slice(0, 13), "000000009", ...s.slice(14)]
          : i === all.length - 1
            ? ["IEA", "1", "000000009"]
            : s,
      ),
    );
    const records: X12Record[] = [];
    runX12(
      "997.x12",
      edi,
      createX12SetRunner("997.x12", { connection: "acme-edi" }, X12_MAPPERS, {
        record: (r) => records.push(r),
      }),
    );
    assert.deepEqual(records[0]!.value, {
      functionalId: "PO",
      groupControlNumber: "55",
      status: "P",
      setsIncluded: 2,
      setsReceived: 2,
      setsAccepted: 1,
      sets: [
        { type: "850", controlNumber: "0001", status: "A", errors: [], segmentErrors: [] },
        {
          type: "850",
          controlNumber: "0002",
          status: "R",
          errors: ["5"],
          segmentErrors: [
            { tag: "PO1", position: "4", code: "8", elements: [{ position: "2", code: "7", copy: "two" }] },
          ],
        },
      ],
      interchange: { controlNumber: "000000009", senderId: "CROSSDOCK" },
    });
    assert.equal(readX12("997.x12", edi).problems.length, 0);
  });
});
