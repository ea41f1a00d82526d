import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { X12_MAPPERS } from "./x12-mappers.ts";
import type { X12Record } from "./x12-mapping.ts";
import type { X12Problem } from "./x12-segment.ts";
import { createX12SetRunner, type X12SetOutcome } from "./x12-set-runner.ts";
import { runX12 } from "./x12-stream.ts";

function map(file: string, text: string, options: { warehouse?: string } = {}) {
  const records: X12Record[] = [];
  const problems: X12Problem[] = [];
  const warnings: string[] = [];
  const outcomes: X12SetOutcome[] = [];
  runX12(
    file,
    text,
    createX12SetRunner(file, { connection: "acme-3pl", timeZoneOffset: "-08:00", ...options }, X12_MAPPERS, {
      record: (record) => records.push(record),
      problem: (problem) => problems.push(problem),
      warning: (text) => warnings.push(text),
      interchangeEnd: (done) => outcomes.push(...done),
    }),
  );
  return { records, problems, warnings, outcomes };
}

const interchange = (set: string[]) =>
  `${[
    "ISA*00*          *00*          *ZZ*ACME3PL        *ZZ*CROSSDOCK      *260312*1015*U*00401*000000501*0*T*>",
    "GS*AW*ACME3PL*CROSSDOCK*20260312*1015*501*X*004010",
    "ST*947*0001",
    ...set,
    `SE*${set.length + 2}*0001`,
    "GE*1*501",
    "IEA*1*000000501",
  ].join("~\n")}~\n`;

/** Two adjustments, each with the on hand after it (QTY*17, and QTY*33 available for the first). */
const withOnHand = interchange([
  "W15*20260312*ADJ-3301*DEP-77",
  "N1*WH*Acme 3PL Reno*92*RENO",
  "G62*ZZ*20260312*8*101500",
  "LX*1",
  "W19*AU*-3*EA**VN*CHAIR-OAK-01*UP*012345678905*L2603-A",
  "G69*Oak chair, natural",
  "N9*LI*1",
  "QTY*17*41*EA",
  "QTY*33*38*EA",
  "LX*2",
  "W19*AA*2*CA**VN*TABLE-OAK-02",
  "QTY*17*12*CA",
]);

describe("947 to stock levels", () => {
  it("maps each W19 with its on hand (QTY*17/33) to a stock level carrying the adjustment", () => {
    const { records, problems, warnings, outcomes } = map("947.x12", withOnHand);
    assert.deepEqual(problems, []);
    assert.deepEqual(warnings, []);
    assert.deepEqual(
      outcomes.map((o) => [o.type, o.accepted, o.records]),
      [["947", true, 2]],
    );
    assert.deepEqual(
      records.map((r) => r.entity),
      ["stock-level", "stock-level"],
    );
    assert.deepEqual(records[0]!.value, {
      schemaVersion: 1,
      sku: "CHAIR-OAK-01",
      warehouse: "RENO",
      uom: "EA",
      onHand: "41",
      reserved: "3",
      available: "38",
      asOf: "2026-03-12T10:15:00-08:00",
      source: "acme-3pl",
      extensions: {
        "acme-3pl": {
          adjustment: {
            number: "ADJ-3301",
            depositorNumber: "DEP-77",
            reason: "AU",
            reasonText: "damaged in facility",
            quantity: "-3",
            lot: "L2603-A",
            references: { LI: "1" },
          },
        },
      },
    });
    const table = records[1]!.value as Record<string, unknown>;
    assert.deepEqual(
      [table.sku, table.uom, table.onHand, table.reserved, table.available],
      ["TABLE-OAK-02", "CS", "12", "0", "12"],
    );
  });

  it("refuses a 947 whose W19 gives only the change with CDK_EDI_UNSUPPORTED at W19-02, and emits nothing", () => {
    const text = interchange([
      "W15*20260312*ADJ-3302",
      "N1*WH*Acme 3PL Reno*92*RENO",
      "LX*1",
      "W19*AB*5*EA**VN*CHAIR-OAK-01",
      "QTY*17*46*EA",
      "LX*2",
      "W19*07*-1*EA**VN*TABLE-OAK-02",
    ]);
    const { records, problems, outcomes } = map("947-delta.x12", text);
    assert.deepEqual(records, [], "all or nothing: the first line is not handed over either");
    assert.equal(outcomes[0]?.accepted, false);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.code, "CDK_EDI_UNSUPPORTED");
    assert.deepEqual(problems[0]!.location, { segment: 10, tag: "W19", element: "W19-02", line: 10 });
    assert.match(
      problems[0]!.message,
      /^947-delta\.x12: segment 10 \(W19-02, line 10\): the 947 changes TABLE-OAK-02 by -1 EA \(07 product dumped or destroyed\) without the quantity on hand after it; the canonical model has no stock adjustment/,
    );
  });

  it("locates content problems: no W15, a bad quantity, no warehouse, a model refusal", () => {
    const cases: [string[], { warehouse?: string } | undefined, RegExp][] = [
      [
        ["N1*WH*X*92*RENO", "W19*AU*-1*EA**VN*A", "QTY*17*1"],
        undefined,
        /segment 3 \(ST, line 3\): the 947 has no W15/,
      ],
      [
        ["W15*20260312*A1", "N1*WH*X*92*RENO", "W19*AU*minus one*EA**VN*A", "QTY*17*1"],
        undefined,
        /segment 6 \(W19-02, line 6\): W19-02 \(credit\/debit quantity\) is "minus one"/,
      ],
      [["W15*20260312*A1", "W19*AU*-1*EA**VN*A", "QTY*17*1"], undefined, /W15-02.*no N1\*WH warehouse/],
      [
        ["W15*20260312*A1", "N1*WH*X*92*RENO", "W19*AU*-1*EA**VN*A", "QTY*17*1.1234567"],
        undefined,
        /segment 7 \(QTY-02, line 7\): QTY02 \(quantity\) is "1.1234567"/,
      ],
      [
        ["W15*20260312*A1", `W19*AU*-1*EA**VN*${"X".repeat(129)}`, "QTY*17*1"],
        { warehouse: "RENO" },
        /segment 5 \(W19-06, line 5\): the stock-level it maps to is refused: \/sku/,
      ],
    ];
    for (const [set, options, expected] of cases) {
      const { problems, records } = map("bad.x12", interchange(set), options);
      assert.equal(records.length, 0);
      assert.equal(problems[0]?.code, "CDK_EDI_CONTENT", problems[0]?.message);
      assert.match(problems[0]!.message, expected);
    }
  });

  it("keeps an unknown reason code with a warning", () => {
    const text = interchange(["W15*20260312*A9", "W19*Q9*4*EA**VN*CHAIR-OAK-01", "QTY*17*9"]);
    const { records, warnings, problems } = map("947.x12", text, { warehouse: "RENO" });
    assert.deepEqual(problems, []);
    assert.equal(records.length, 1);
    assert.match(warnings[0]!, /reason code "Q9" is not one Crossdock knows/);
  });

  const corpus = join(import.meta.dirname, "../../../../shared/corpus/x12");
  const files = existsSync(corpus)
    ? readdirSync(corpus).filter((name) => /ST\*947\*/.test(readFileSync(join(corpus, name), "latin1")))
    : [];
  it("reads the corpus 947s without throwing, each mapped or refused with a located problem", {
    skip: files.length === 0 ? `no 947 in ${corpus}` : false,
  }, () => {
    for (const name of files) {
      const { records, problems, outcomes } = map(name, readFileSync(join(corpus, name), "latin1"), {
        warehouse: "WH",
      });
      for (const outcome of outcomes.filter((o) => o.type === "947"))
        assert.ok(outcome.accepted || outcome.problem?.location.segment, name);
      assert.ok(records.length > 0 || problems.length > 0, name);
    }
  });
});
