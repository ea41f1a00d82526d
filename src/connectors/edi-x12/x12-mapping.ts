/**
 * The contract between the X12 reader and the per-set mappers (850 to order, 846 to stock levels, ...).
 *
 * A mapper sees one transaction set's segments in order (`segment`) and its end (`end`), and emits
 * canonical records through its context as soon as it has them: an 846 with 100,000 SKUs emits them
 * LIN by LIN and never holds the set. A record is emitted only after `checkModel` accepted it; a
 * mapping problem is a located `CDK_EDI_CONTENT` (or `CDK_EDI_UNSUPPORTED`) returned as a value.
 *
 * A consumer that must be all-or-nothing per set or per interchange waits for the set's (or the
 * interchange's) end before it commits the records: a later segment can still fail the set.
 */
import type { ModelEntityName } from "../../core/model/model-registry.ts";
import { problemAt, type X12Delimiters, type X12Problem, type X12Segment } from "./x12-segment.ts";

/** Per-trading-partner settings of the inbound mappers. */
export interface X12MapOptions {
  /** The connection (trading partner) name: an order's channel, a stock level's source. */
  readonly connection: string;
  /** Warehouse code when the document names none (846, 944). */
  readonly warehouse?: string;
  /** Currency when there is no CUR segment. Default `USD`. */
  readonly defaultCurrency?: string;
  /** Country when N4-04 is empty. Default `US`. */
  readonly defaultCountry?: string;
  /** UTC offset of the partner's dates and times (`Z`, `-05:00`). Default `Z`. */
  readonly timeZoneOffset?: string;
  /**
   * Product id qualifiers in order of preference for the SKU. Default
   * `VP VN UP EN UK SK BP IN CB VA VC MG PN`: the seller's own code first, then GTINs, then the buyer's.
   */
  readonly skuQualifiers?: readonly string[];
}

/** A record a mapper produced: a canonical entity, or a `functional-ack` (a 997). */
export interface X12Record {
  readonly entity: ModelEntityName | "functional-ack";
  readonly value: unknown;
  /** The set it came from: type, ST02 and the ST's segment number. */
  readonly source: { readonly type: string; readonly controlNumber: string; readonly segment: number };
}

/** What a mapper is given for one set. */
export interface X12SetContext {
  readonly file: string;
  readonly options: X12MapOptions;
  readonly isa: X12Segment | undefined;
  readonly gs: X12Segment | undefined;
  readonly st: X12Segment;
  readonly delimiters: X12Delimiters;
  /** Hands a checked record to the consumer. */
  emit(entity: X12Record["entity"], value: unknown): void;
  warning(text: string): void;
}

/** One set's mapping in progress. Returning a problem stops the set's mapping. */
export interface X12SetMapper {
  segment(segment: X12Segment): X12Problem | undefined;
  end(): X12Problem | undefined;
}

export interface X12MapperFactory {
  /** The set type, e.g. `850`. */
  readonly type: string;
  /** What it produces, e.g. `order`. */
  readonly entity: X12Record["entity"];
  create(context: X12SetContext): X12SetMapper;
}

export const DEFAULT_SKU_QUALIFIERS = [
  "VP",
  "VN",
  "UP",
  "EN",
  "UK",
  "SK",
  "BP",
  "IN",
  "CB",
  "VA",
  "VC",
  "MG",
  "PN",
];

/**
 * Adapts a whole-set mapping function to the streaming interface: collects the set's segments and
 * maps them at SE. For documents that are small by nature (one order, one shipment, one 997).
 */
export function wholeSet(
  map: (segments: readonly X12Segment[], context: X12SetContext) => X12Problem | undefined,
  context: X12SetContext,
  maxSegments = 200_000,
): X12SetMapper {
  const segments: X12Segment[] = [];
  let overflow: X12Problem | undefined;
  return {
    segment(segment) {
      if (segments.length >= maxSegments) {
        overflow ??= problemAt(
          "CDK_EDI_CONTENT",
          context.file,
          { segment: segment.index, line: segment.line, tag: segment.tag },
          `the ${context.st.elements[0]} set has more than ${maxSegments} segments, the limit for a set mapped whole`,
        );
        return overflow;
      }
      segments.push(segment);
      return undefined;
    },
    end: () => overflow ?? map(segments, context),
  };
}

/** Product ids from pairs of elements (qualifier, id) starting at `first`, e.g. PO1-06/07, 08/09, ... */
export function productIds(segment: X12Segment, first: number, last: number): Map<string, string> {
  const ids = new Map<string, string>();
  for (let i = first; i < last; i += 2) {
    const qualifier = (segment.elements[i - 1] ?? "").trim();
    const id = (segment.elements[i] ?? "").trim();
    if (qualifier !== "" && id !== "" && !ids.has(qualifier)) ids.set(qualifier, id);
  }
  return ids;
}

/** The preferred SKU among product ids, with the element position its id came from. */
export function pickSku(
  segment: X12Segment,
  first: number,
  last: number,
  qualifiers: readonly string[],
): { sku: string; qualifier: string; position: number } | undefined {
  let best: { sku: string; qualifier: string; position: number; rank: number } | undefined;
  for (let i = first; i < last; i += 2) {
    const qualifier = (segment.elements[i - 1] ?? "").trim();
    const id = (segment.elements[i] ?? "").trim();
    if (qualifier === "" || id === "") continue;
    const found = qualifiers.indexOf(qualifier);
    const rank = found === -1 ? qualifiers.length : found;
    if (best === undefined || rank < best.rank) best = { sku: id, qualifier, position: i + 1, rank };
  }
  return best === undefined
    ? undefined
    : { sku: best.sku, qualifier: best.qualifier, position: best.position };
}
