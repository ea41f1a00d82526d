import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readX12, x12Sets } from "./x12-reader.ts";
import type { X12Segment } from "./x12-segment.ts";
import { runX12, streamX12 } from "./x12-stream.ts";

const isa = (control: string, sep = "*", comp = ">", term = "~") =>
  [
    "ISA",
    "00",
    " ".repeat(10),
    "00",
    " ".repeat(10),
    "ZZ",
    "SENDER".padEnd(15),
    "ZZ",
    "RECEIVER".padEnd(15),
    "260301",
    "0930",
    "U",
    "00401",
    control,
    "0",
    "T",
    comp,
  ].join(sep) + term;

/** One interchange with one group and one 997 set; `edit` changes its segments before joining. */
function interchange(
  control = "000000001",
  sep = "*",
  term = "~\n",
  edit?: (segments: string[]) => void,
): string {
  const body = [
    `GS${sep}FA${sep}SENDER${sep}RECEIVER${sep}20260301${sep}0930${sep}7${sep}X${sep}004010`,
    `ST${sep}997${sep}0001`,
    `AK1${sep}PO${sep}12`,
    `AK9${sep}A${sep}1${sep}1${sep}1`,
    `SE${sep}4${sep}0001`,
    `GE${sep}1${sep}7`,
    `IEA${sep}1${sep}${control}`,
  ];
  edit?.(body);
  return isa(control, sep, ">", term[0]) + term.slice(1) + body.map((s) => s + term).join("");
}

const tags = (segments: readonly X12Segment[]) => segments.map((s) => s.tag).join(",");

describe("readX12: delimiters", () => {
  it("reads ~, newline and NAK terminated interchanges alike", () => {
    for (const term of ["~\n", "~\r\n", "~", "\n", "\u0015", "\u2026"]) {
      const doc = readX12("f.x12", interchange("000000001", "*", term));
      assert.deepEqual(doc.problems, [], JSON.stringify(term));
      const [set] = [...x12Sets(doc)];
      assert.equal(set?.accepted, true);
      assert.equal(tags(set!.set.segments), "AK1,AK9");
      assert.equal(doc.segmentCount, 8);
    }
  });

  it("switches delimiters at every ISA of a mailbag", () => {
    const text = interchange("000000001", "*", "~\n") + interchange("000000002", "|", "!\r\n");
    const doc = readX12("bag.x12", text);
    assert.deepEqual(doc.problems, []);
    assert.equal(doc.interchanges.length, 2);
    assert.equal(doc.interchanges[1]!.delimiters.element, "|");
    assert.equal(doc.interchanges[1]!.delimiters.segment, "!");
    assert.deepEqual(doc.interchanges[1]!.groups[0]!.sets[0]!.segments[1]!.elements, ["A", "1", "1", "1"]);
    assert.equal(doc.interchanges[1]!.header!.index, 9);
  });

  it("reads an ISA whose fields are not padded, by its separators, with a warning", () => {
    const text = interchange().replace("SENDER         ", "SENDER").replace("RECEIVER       ", "RECEIVER");
    const doc = readX12("short.x12", text);
    assert.deepEqual(doc.problems, []);
    assert.match(doc.warnings.join("\n"), /not the fixed 106/);
  });

  it("reads bare ST..SE sets with delimiters taken from the ST", () => {
    const doc = readX12(
      "bare.edi",
      "ST*997*0001~AK1*PO*1~AK9*A*1*1*1~SE*4*0001~\nST*997*0002~AK1*PO*2~AK9*A*1*1*1~SE*4*0002~",
    );
    assert.deepEqual(doc.problems, []);
    assert.equal([...x12Sets(doc)].filter((s) => s.accepted).length, 2);
    assert.match(doc.warnings[0]!, /no ISA\/GS envelope/);
  });

  it("takes the punctuation that ends the GS as the terminator when the ISA ends with a line break", () => {
    const text = `${isa("000000001", "*", ">", "\n")}GS*FA*S*R*20260301*0930*7*X*004010~\nST*997*1~\nAK1*PO*1~\nAK9*A*1*1*1~\nSE*4*1~\nGE*1*7~\nIEA*1*000000001~\n`;
    const doc = readX12("nl.x12", text);
    assert.deepEqual(doc.problems, []);
    assert.equal(doc.interchanges[0]!.delimiters.segment, "~");
    assert.equal(doc.interchanges[0]!.groups[0]!.header!.elements[7], "004010");
  });

  it("ignores a trailing DOS end-of-file mark", () => {
    assert.deepEqual(readX12("z.x12", `${interchange()}\u001a`).problems, []);
  });
});

describe("readX12: envelope checks", () => {
  const cases: [string, (s: string[]) => void, string, string, number][] = [
    ["SE01", (s) => (s[4] = "SE*5*0001"), "CDK_EDI_CONTROL", "SE-01", 6],
    ["SE02", (s) => (s[4] = "SE*4*0002"), "CDK_EDI_CONTROL", "SE-02", 6],
    ["GE01", (s) => (s[5] = "GE*2*7"), "CDK_EDI_CONTROL", "GE-01", 7],
    ["GE02", (s) => (s[5] = "GE*1*8"), "CDK_EDI_CONTROL", "GE-02", 7],
    ["IEA01", (s) => (s[6] = "IEA*3*000000001"), "CDK_EDI_CONTROL", "IEA-01", 8],
    ["IEA02", (s) => (s[6] = "IEA*1*000000009"), "CDK_EDI_CONTROL", "IEA-02", 8],
  ];
  for (const [name, edit, code, element, segment] of cases) {
    it(`refuses a wrong ${name} with its location and rejects the set`, () => {
      const doc = readX12("ctl.x12", interchange("000000001", "*", "~\n", edit));
      assert.equal(doc.problems.length, 1);
      const [problem] = doc.problems;
      assert.equal(problem!.code, code);
      assert.deepEqual(problem!.location, {
        segment,
        tag: element.slice(0, element.indexOf("-")),
        element,
        line: segment,
      });
      assert.match(
        problem!.message,
        new RegExp(`^ctl\\.x12: segment ${segment} \\(${element}, line ${segment}\\): ${name}`),
      );
      assert.equal([...x12Sets(doc)][0]!.accepted, false);
    });
  }

  it("compares control numbers as numbers (000000007 = 7)", () => {
    const doc = readX12(
      "n.x12",
      interchange("000000001", "*", "~\n", (s) => (s[5] = "GE*1*000000007")),
    );
    assert.deepEqual(doc.problems, []);
  });

  it("reports a missing SE at the next ST and keeps reading", () => {
    const doc = readX12(
      "m.x12",
      interchange("000000001", "*", "~\n", (s) => s.splice(4, 0, "ST*997*0002", "AK1*PO*1", "AK9*A*1*1*1")),
    );
    const codes = doc.problems.map((p) => `${p.code}@${p.location.segment}`);
    assert.ok(codes.includes("CDK_EDI_SYNTAX@6"), codes.join(" "));
    const sets = [...x12Sets(doc)];
    assert.deepEqual(
      sets.map((s) => s.set.controlNumber),
      ["0001", "0002"],
    );
  });

  it("reports a segment outside any set, and a file that ends inside an interchange", () => {
    const doc = readX12("o.x12", `${isa("000000001")}\nGS*FA*S*R*20260301*0930*7*X*004010~\nBEG*00~\n`);
    assert.deepEqual(
      doc.problems.map((p) => [p.code, p.location.segment, p.location.tag]),
      [
        ["CDK_EDI_SYNTAX", 3, "BEG"],
        ["CDK_EDI_SYNTAX", 3, "BEG"],
        ["CDK_EDI_SYNTAX", 3, "BEG"],
      ],
    );
    assert.match(doc.problems[1]!.message, /no GE before the end of the file/);
  });
});

describe("readX12: refusals and hostile input", () => {
  it("refuses EBCDIC and UTF-16 as CDK_EDI_UNSUPPORTED at segment 1", () => {
    const ebcdic = Uint8Array.from([0xc9, 0xe2, 0xc1, 0x5c, 0xf0, 0xf0]);
    const utf16 = new Uint8Array(Buffer.from(`\ufeff${interchange()}`, "utf16le"));
    for (const bytes of [ebcdic, utf16]) {
      const doc = readX12("e.x12", bytes);
      assert.equal(doc.problems[0]!.code, "CDK_EDI_UNSUPPORTED");
      assert.equal(doc.problems[0]!.location.segment, 1);
    }
  });

  it("refuses text that is not X12 with a located syntax error", () => {
    const doc = readX12("x.txt", "hello, world\n");
    assert.equal(doc.problems[0]!.code, "CDK_EDI_SYNTAX");
    assert.match(doc.problems[0]!.message, /^x\.txt: segment 1 \(line 1\): expected an ISA/);
  });

  it("stops at a segment longer than the limit, without reading on", () => {
    const text = `${isa("000000001")}GS*FA*${"A".repeat(5_000_000)}`;
    const started = performance.now();
    const doc = readX12("long.x12", text, { maxSegmentLength: 10_000 });
    assert.ok(performance.now() - started < 2_000);
    assert.equal(doc.problems[0]!.code, "CDK_EDI_SYNTAX");
    assert.deepEqual(doc.problems[0]!.location, { segment: 2, line: 1 });
    assert.match(doc.problems[0]!.message, /no segment terminator "~" in the next 10000 characters/);
  });

  it("stops at too many elements or segments", () => {
    const wide = readX12("wide.x12", `${isa("000000001")}GS${"*A".repeat(2_000)}~`);
    assert.match(wide.problems[0]!.message, /2000 elements, above the limit of 1000/);
    const many = readX12("many.x12", `${isa("000000001")}${"GS*A~".repeat(50)}`, { maxSegments: 10 });
    assert.equal(many.segmentCount, 10);
    assert.match(many.problems.find((p) => /more than 10 segments/.test(p.message))!.message, /segment 11/);
  });

  it("never throws on random bytes, and always locates what it reports", () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const base = new TextEncoder().encode(interchange());
    for (let round = 0; round < 300; round++) {
      const bytes = base.slice(0, 20 + Math.floor(random() * base.length));
      for (let k = 0; k < 4; k++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      const doc = readX12("fuzz.x12", bytes);
      for (const problem of doc.problems) {
        assert.ok(problem.location.segment >= 1);
        assert.ok(problem.message.startsWith("fuzz.x12: segment "));
      }
    }
  });
});

describe("streamX12", () => {
  it("gives the same segments whatever the chunk boundaries", async () => {
    const text = interchange("000000001", "*", "~\r\n") + interchange("000000002", "|", "\u0015\n");
    const whole: string[] = [];
    runX12("s.x12", new TextEncoder().encode(text), {
      problem: (p) => assert.fail(p.message),
      setSegment: (s) => whole.push(`${s.index}:${s.line}:${s.tag}:${s.elements.join("|")}`),
    });
    for (const size of [1, 2, 3, 7, 64, 105, 106, 107]) {
      const bytes = new TextEncoder().encode(text);
      async function* chunks() {
        for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
      }
      const streamed: string[] = [];
      await streamX12("s.x12", chunks(), {
        problem: (p) => assert.fail(p.message),
        setSegment: (s) => streamed.push(`${s.index}:${s.line}:${s.tag}:${s.elements.join("|")}`),
      });
      assert.deepEqual(streamed, whole, `chunk size ${size}`);
    }
  });
});
