import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { decodeEdifact } from "./edifact-charset.ts";
import { readEdifact } from "./edifact-reader.ts";
import { tokenizeEdifact } from "./edifact-tokenizer.ts";

const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url));
const ENVELOPE = (body: string, count = 1) => `UNB+UNOA:3+S:14+R:14+260301:0930+IC1'${body}UNZ+${count}+IC1'`;
const ORDER = "UNH+1+ORDERS:D:96A:UN'BGM+220+PO1+9'UNT+3+1'";

function failureOf(input: string | Uint8Array) {
  const result = readEdifact("test.edi", input);
  assert.equal(result.ok, false, "expected a failure");
  return result.ok ? undefined! : result.failure;
}

describe("edifact tokenizer", () => {
  it("applies the UNA: custom separators, decimal comma, release character", () => {
    const text = 'UNA*#,! "UNB#UNOA*3#S#R#260301*0930#1"FTX#AAI###a!*b!#c!!d!"e"';
    const { segments, failure } = tokenizeEdifact(text, "t.edi");
    assert.equal(failure, undefined);
    assert.deepEqual(segments[0], { tag: "UNA", elements: [['*#,! "']], position: 1, line: 1 });
    assert.deepEqual(segments[2]?.elements[3], ['a*b#c!d"e']);
  });

  it("defaults to :+.? ' without a UNA and unescapes ?' ?+ ?: ??", () => {
    const { segments } = tokenizeEdifact("FTX+AAI+++x?'y?+z?:w??v'", "t.edi");
    assert.deepEqual(segments[0]?.elements[3], ["x'y+z:w?v"]);
  });

  it("reads a syntax version 4 UNA with a repetition separator; an unescaped repetition is unsupported", () => {
    const escaped = tokenizeEdifact("UNA:+.?*'FTX+AAI+++a?*b'", "t.edi");
    assert.equal(escaped.failure, undefined);
    assert.deepEqual(escaped.segments[1]?.elements[3], ["a*b"]);
    const repeated = tokenizeEdifact("UNA:+.?*'FTX+AAI+++a*b'", "t.edi");
    assert.equal(repeated.failure?.code, "CDK_EDI_UNSUPPORTED");
    const noUna = tokenizeEdifact("UNB+UNOC:4+S+R+20260301:0930+1'FTX+AAI+++a*b'", "t.edi");
    assert.equal(
      noUna.failure?.code,
      "CDK_EDI_UNSUPPORTED",
      "version 4 without UNA: * is the repetition separator",
    );
  });

  it("tolerates CR/LF between segments and removes line breaks inside a wrapped segment, with a warning", () => {
    const { segments, warnings } = tokenizeEdifact("DTM+137:200508\r\n19:102'\r\nQTY+21:1'\n", "t.edi");
    assert.deepEqual(segments[0]?.elements, [["137", "20050819", "102"]]);
    assert.equal(segments[1]?.line, 3, "the line where the next segment starts");
    assert.match(warnings[0] ?? "", /1 segment\(s\) contained line breaks/);
  });

  it("locates a release character before a non-service character (IMD-03-4)", () => {
    const failure = tokenizeEdifact("BGM+220'\nIMD+F++:::Marke ?*?* neu'", "t.edi").failure;
    assert.equal(failure?.code, "CDK_EDI_SYNTAX");
    assert.deepEqual(failure?.location, { segment: 2, line: 2, tag: "IMD", element: "IMD-03-4" });
    assert.equal(failure?.found, "?*");
  });

  it("refuses a segment that does not start with a tag, and a short or ambiguous UNA", () => {
    assert.equal(tokenizeEdifact("bgm+220'", "t.edi").failure?.location.segment, 1);
    assert.match(tokenizeEdifact("UNA:+", "t.edi").failure?.message ?? "", /shorter than 6/);
    assert.match(tokenizeEdifact("UNA::.? '", "t.edi").failure?.message ?? "", /same character/);
  });

  it("keeps hostile input bounded: long segments, many components, many segments", () => {
    const started = performance.now();
    const long = tokenizeEdifact(`FTX+${"A".repeat(5_000_000)}`, "t.edi");
    assert.match(long.failure?.message ?? "", /longer than 20000 characters/);
    const components = tokenizeEdifact(`QTY+${":".repeat(1_000)}'`, "t.edi");
    assert.match(components.failure?.message ?? "", /more than 99 components/);
    const many = tokenizeEdifact("QTY+1'".repeat(50_000), "t.edi", {
      maxSegments: 1_000,
      maxSegmentLength: 100,
      maxElements: 9,
      maxComponents: 9,
    });
    assert.match(many.failure?.message ?? "", /more than 1000 segments/);
    assert.equal(many.segments.length, 1_000);
    const releases = tokenizeEdifact(`FTX+${"??".repeat(9_000)}'`, "t.edi");
    assert.equal(releases.segments[0]?.elements[0]?.[0]?.length, 9_000);
    assert.ok(performance.now() - started < 2_000, "bounded time");
  });
});

describe("edifact reader: envelope", () => {
  it("reads interchanges and messages with their identifiers", () => {
    const result = readEdifact("t.edi", fixture("orders-d96a-latin1.edi"));
    assert.ok(result.ok);
    const [interchange] = result.interchanges;
    assert.equal(interchange?.controlRef, "IC0001");
    assert.deepEqual(interchange?.sender, { id: "4012345000009", qualifier: "14" });
    assert.equal(interchange?.test, true);
    assert.equal(interchange?.ackRequested, true);
    assert.equal(interchange?.delimiters.decimal, ",");
    const message = interchange?.messages[0];
    assert.deepEqual(
      [message?.reference, message?.type, message?.version, message?.release, message?.association],
      ["1", "ORDERS", "D", "96A", "EAN008"],
    );
    assert.equal(message?.segments.length, 24);
  });

  it("reads several interchanges in one file, and groups", () => {
    const two = readEdifact("t.edi", ENVELOPE(ORDER) + ENVELOPE(ORDER).replaceAll("IC1", "IC2"));
    assert.ok(two.ok);
    assert.deepEqual(
      two.interchanges.map((i) => i.controlRef),
      ["IC1", "IC2"],
    );
    const grouped = readEdifact(
      "t.edi",
      ENVELOPE(`UNG+ORDERS+S+R+260301:0930+G1+UN+D:96A'${ORDER}UNE+1+G1'`),
    );
    assert.ok(grouped.ok);
    assert.equal(grouped.interchanges[0]?.messages[0]?.groupRef, "G1");
  });

  it("checks UNT01 (segment count) and UNT02 (= UNH01) as CDK_EDI_CONTROL", () => {
    const count = failureOf(ENVELOPE("UNH+1+ORDERS:D:96A:UN'BGM+220+PO1+9'UNT+4+1'"));
    assert.equal(count.code, "CDK_EDI_CONTROL");
    assert.deepEqual(count.location, { segment: 4, tag: "UNT", line: 1, element: "UNT-01" });
    assert.equal(count.found, "4");
    assert.equal(count.expected, "3");
    assert.equal(count.messageRef, "1");
    const reference = failureOf(ENVELOPE("UNH+1+ORDERS:D:96A:UN'BGM+220+PO1+9'UNT+3+2'"));
    assert.equal(reference.location.element, "UNT-02");
  });

  it("checks UNZ01 (message count), UNZ02 (= UNB05) and UNE against UNG", () => {
    assert.equal(failureOf(ENVELOPE(ORDER, 2)).location.element, "UNZ-01");
    assert.equal(failureOf(`${ENVELOPE(ORDER).slice(0, -4)}X1'`).location.element, "UNZ-02");
    const group = failureOf(ENVELOPE(`UNG+ORDERS+S+R+260301:0930+G1+UN+D:96A'${ORDER}UNE+2+G1'`));
    assert.equal(group.code, "CDK_EDI_CONTROL");
    assert.equal(group.location.tag, "UNE");
    assert.equal(failureOf(fixture("orders-bad-count.edi")).syntaxErrorCode, "29");
  });

  it("refuses structure errors as CDK_EDI_SYNTAX: outside a message, nested UNH, missing trailers", () => {
    const outside = failureOf(ENVELOPE(`${ORDER}LIN+1'`));
    assert.equal(outside.code, "CDK_EDI_SYNTAX");
    assert.match(outside.message, /test\.edi segment 5 \(LIN, line 1\): LIN outside a message/);
    assert.match(
      failureOf(ENVELOPE("UNH+1+ORDERS:D:96A:UN'UNH+2+ORDERS:D:96A:UN'")).message,
      /UNH inside message 1/,
    );
    const truncated = readEdifact("t.edi", `UNB+UNOA:3+S+R+260301:0930+IC1'${ORDER}`);
    assert.equal(truncated.ok, false);
    assert.equal(truncated.interchanges[0]?.messages.length, 1, "the complete message is kept");
    assert.match(
      truncated.ok ? "" : truncated.failure.message,
      /ends inside an open interchange.*expected UNZ/,
    );
    assert.match(
      failureOf("UNB+UNOA:3+S+R+260301:0930+IC1'UNH+1+ORDERS:D:96A:UN'BGM+1'").message,
      /open message/,
    );
    assert.match(failureOf("UNB+UNOA:3++R+260301:0930+IC1'").message, /the sender id is missing/);
    assert.match(failureOf("").message, /no interchange/);
  });

  it("decodes by the syntax identifier: UNOC as Latin-1, UNOY as UTF-8, UTF-8 under UNOC with a warning", () => {
    const latin = readEdifact("t.edi", fixture("orders-d96a-latin1.edi"));
    assert.ok(latin.ok);
    const nad = latin.interchanges[0]?.messages[0]?.segments.find((s) => s.tag === "NAD");
    assert.equal(nad?.elements[3]?.[0], "Müller Handel GmbH");
    const utf8 = new TextEncoder().encode(
      ENVELOPE("UNH+1+ORDERS:D:96A:UN'FTX+AAI+++Grüße'UNT+3+1'").replace("UNOA", "UNOY"),
    );
    const read = readEdifact("t.edi", utf8);
    assert.ok(read.ok);
    assert.equal(read.interchanges[0]?.messages[0]?.segments[1]?.elements[3]?.[0], "Grüße");
    const mislabelled = decodeEdifact("t.edi", new TextEncoder().encode("UNB+UNOC:3+S+R+1+1'FTX+Ë'"));
    assert.ok(mislabelled.ok);
    assert.match(mislabelled.warnings[0] ?? "", /bytes are UTF-8/);
    const unknown = failureOf(new TextEncoder().encode("UNB+KECA:3+S+R+1+1'"));
    assert.equal(unknown.code, "CDK_EDI_UNSUPPORTED");
    assert.equal(unknown.location.element, "UNB-01-1");
  });

  it("never throws: every truncation and random bytes give a result", () => {
    const bytes = fixture("orders-d96a-latin1.edi");
    for (let end = 0; end <= bytes.length; end++) {
      const result = readEdifact("t.edi", bytes.subarray(0, end));
      if (end < bytes.length - 2) assert.equal(result.ok, false, `prefix of ${end} bytes`);
    }
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % 256;
    };
    for (let run = 0; run < 200; run++) {
      const noise = Uint8Array.from({ length: 64 + (run % 50) * 20 }, random);
      const mixed = new Uint8Array([
        ...new TextEncoder().encode("UNB+UNOC:3+S+R+1+1'UNH+1+ORDERS:D:96A:UN'"),
        ...noise,
      ]);
      assert.doesNotThrow(() => readEdifact("t.edi", mixed));
    }
  });
});
