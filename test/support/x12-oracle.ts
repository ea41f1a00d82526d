/**
 * The X12 writer tests' oracle: an interchange read segment by segment by node-x12 (an independent
 * parser) and by the project's own reader, each as `[tag, ...elements]` rows, so a test can say both
 * read the same thing.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { runX12 } from "../../src/connectors/edi-x12/x12-stream.ts";

interface NodeX12Segment {
  tag: string;
  elements: { value: string }[];
}
interface NodeX12Interchange {
  header: NodeX12Segment;
  trailer: NodeX12Segment;
  functionalGroups: {
    header: NodeX12Segment;
    trailer: NodeX12Segment;
    transactions: { header: NodeX12Segment; trailer: NodeX12Segment; segments: NodeX12Segment[] }[];
  }[];
}
const { X12Parser } = createRequire(import.meta.url)("node-x12") as {
  X12Parser: new (strict: boolean) => { parse(edi: string): NodeX12Interchange };
};

/** Every segment node-x12 reads, in order, as [tag, ...elements]. */
export function nodeX12Segments(edi: string): string[][] {
  const interchange = new X12Parser(true).parse(edi);
  const row = (s: NodeX12Segment) => [s.tag, ...s.elements.map((e) => e.value)];
  const out = [row(interchange.header)];
  for (const group of interchange.functionalGroups) {
    out.push(row(group.header));
    for (const set of group.transactions)
      out.push(row(set.header), ...set.segments.map(row), row(set.trailer));
    out.push(row(group.trailer));
  }
  out.push(row(interchange.trailer));
  return out;
}

/** Every segment our reader reads, the same way, with no problem allowed (`file` names it in one). */
export function ourSegments(edi: string, file = "out.x12"): string[][] {
  const out: string[][] = [];
  runX12(file, edi, {
    problem: (p) => assert.fail(p.message),
    interchangeStart: (isa) => out.push(["ISA", ...isa!.elements]),
    groupStart: (gs) => out.push(["GS", ...gs!.elements]),
    setStart: (st) => out.push(["ST", ...st.elements]),
    setSegment: (s) => out.push([s.tag, ...s.elements]),
    setEnd: (se) => out.push(["SE", ...se!.elements]),
    groupEnd: (ge) => out.push(["GE", ...ge!.elements]),
    interchangeEnd: (iea) => out.push(["IEA", ...iea!.elements]),
  });
  return out;
}
