/**
 * Runs the mappers over the envelope's events: the glue between `X12EnvelopeChecker` and the per-set
 * mappers, shared by the streaming reader, the conformance decoder and the benchmark.
 *
 * Records are handed over as the mappers emit them. At each interchange's end the consumer gets every
 * set's outcome with its final verdict: a set is accepted only when neither it, its group nor its
 * interchange has a problem (a GE or IEA count that does not match rejects the sets it closes, as a
 * 997 would).
 */
import type { X12EnvelopeHandler } from "./x12-envelope.ts";
import type { X12MapOptions, X12MapperFactory, X12Record, X12SetMapper } from "./x12-mapping.ts";
import { el, problemAt, type X12Delimiters, type X12Problem, type X12Segment } from "./x12-segment.ts";

/** What became of one set. */
export interface X12SetOutcome {
  readonly type: string;
  readonly controlNumber: string;
  readonly st: X12Segment;
  /** GS01 and GS06 of its group, when it has one (what a 997's AK1 names). */
  readonly group: { readonly functionalId: string; readonly controlNumber: string } | undefined;
  /** Whether a mapper exists for its type. */
  readonly mapped: boolean;
  /** Records its mapper emitted. */
  records: number;
  /** Its own problem, else its group's or interchange's (set at the interchange's end). */
  problem: X12Problem | undefined;
  accepted: boolean;
}

export interface X12RunnerHooks {
  record?(record: X12Record): void;
  /** Every set of one interchange, with final verdicts, once its IEA (or the end of the file) is read. */
  interchangeEnd?(outcomes: readonly X12SetOutcome[], isa: X12Segment | undefined): void;
  problem?(problem: X12Problem): void;
  warning?(text: string): void;
}

/** Builds the envelope handler that maps each set with `mappers` (by set type). */
export function createX12SetRunner(
  file: string,
  options: X12MapOptions,
  mappers: ReadonlyMap<string, X12MapperFactory>,
  hooks: X12RunnerHooks,
): X12EnvelopeHandler {
  let isa: X12Segment | undefined;
  let gs: X12Segment | undefined;
  let delimiters: X12Delimiters = { element: "*", segment: "~" };
  let interchangeOutcomes: X12SetOutcome[] = [];
  let groupOutcomes: X12SetOutcome[] = [];
  let current: { outcome: X12SetOutcome; mapper: X12SetMapper | undefined; problem?: X12Problem } | undefined;

  const warning = (text: string) => hooks.warning?.(text);
  return {
    interchangeStart(header, delims) {
      isa = header;
      delimiters = delims;
      interchangeOutcomes = [];
    },
    groupStart(header) {
      gs = header;
      groupOutcomes = [];
    },
    setStart(st) {
      const type = el(st, 1).trim();
      const factory = mappers.get(type);
      const outcome: X12SetOutcome = {
        type,
        controlNumber: el(st, 2),
        st,
        group: gs === undefined ? undefined : { functionalId: el(gs, 1), controlNumber: el(gs, 6) },
        mapped: factory !== undefined,
        records: 0,
        problem: undefined,
        accepted: false,
      };
      const source = { type, controlNumber: outcome.controlNumber, segment: st.index };
      const mapper = factory?.create({
        file,
        options,
        isa,
        gs,
        st,
        delimiters,
        emit(entity, value) {
          outcome.records++;
          hooks.record?.({ entity, value, source });
        },
        warning,
      });
      current = { outcome, mapper };
      groupOutcomes.push(outcome);
      interchangeOutcomes.push(outcome);
    },
    setSegment(segment) {
      if (current?.mapper === undefined || current.problem !== undefined) return;
      current.problem = current.mapper.segment(segment);
    },
    setEnd(se, problem) {
      if (current === undefined) return;
      const { outcome, mapper } = current;
      if (
        problem === undefined &&
        current.problem === undefined &&
        mapper !== undefined &&
        se !== undefined
      ) {
        current.problem = mapper.end();
      }
      outcome.problem = problem ?? current.problem;
      if (current.problem !== undefined && problem === undefined) hooks.problem?.(current.problem);
      current = undefined;
    },
    groupEnd(_ge, problem) {
      if (problem !== undefined) for (const outcome of groupOutcomes) outcome.problem ??= problem;
      gs = undefined;
    },
    interchangeEnd(_iea, problem) {
      for (const outcome of interchangeOutcomes) {
        if (problem !== undefined) outcome.problem ??= problem;
        outcome.accepted = outcome.problem === undefined;
      }
      hooks.interchangeEnd?.(interchangeOutcomes, isa);
      interchangeOutcomes = [];
      isa = undefined;
    },
    problem(problem) {
      hooks.problem?.(problem);
    },
  };
}

/** A `CDK_EDI_UNSUPPORTED` problem for a set type no mapper takes, located at its ST. */
export function unsupportedSet(file: string, st: X12Segment, supported: Iterable<string>): X12Problem {
  return problemAt(
    "CDK_EDI_UNSUPPORTED",
    file,
    { segment: st.index, line: st.line, tag: "ST", element: "ST-01" },
    `transaction set ${el(st, 1)} is not mapped; expected one of ${[...supported].join(", ")}`,
  );
}
