import { CrossdockError } from "../core/errors.ts";
import type { EventInput, JsonValue } from "../store/store.ts";
import {
  entityName,
  type Mapping,
  type MappingContext,
  mappingId,
  type ValidateCanonical,
  type ValidationProblem,
} from "./mapping.ts";

/** A validated canonical record: the entity it is, its business key and its value. */
export interface CanonicalRecord {
  /** The target entity and version, e.g. `order/v1`. */
  readonly entity: string;
  readonly key: string;
  readonly value: JsonValue;
}

/** A validation problem of one output record (its index in `records`). */
export interface RecordProblem extends ValidationProblem {
  readonly record: number;
}

/**
 * Mapping one document, end to end. On success: the records and the events to append with them (in the
 * same store transaction as whatever else the message causes). On failure: the located error, and for
 * an output that failed validation the records as produced plus every problem, so that `mapping test`
 * and exception records can show both.
 */
export type MappingRun =
  | { ok: true; mapping: string; records: CanonicalRecord[]; events: EventInput[] }
  | {
      ok: false;
      mapping: string;
      error: CrossdockError;
      records: CanonicalRecord[];
      problems: RecordProblem[];
    };

/** At most this many problems are kept per run; a wholly wrong output would otherwise list thousands. */
const MAX_PROBLEMS = 50;

/**
 * Runs `mapping` on one decoded document and validates every value against the mapping's target with
 * `validate`. Never throws: a mapper or validator that throws (a bug) becomes `CDK_MAPPING_FAILED`.
 */
export async function runMapping(
  mapping: Mapping,
  document: unknown,
  context: MappingContext,
  validate: ValidateCanonical,
): Promise<MappingRun> {
  const id = mappingId(mapping);
  const failed = (
    error: CrossdockError,
    records: CanonicalRecord[] = [],
    problems: RecordProblem[] = [],
  ) => ({
    ok: false as const,
    mapping: id,
    error,
    records,
    problems,
  });
  let outcome: Awaited<ReturnType<Mapping["map"]>>;
  try {
    outcome = await mapping.map(document, context);
  } catch (cause) {
    return failed(
      new CrossdockError(
        "CDK_MAPPING_FAILED",
        `mapping ${id} threw instead of returning an outcome: ${String(cause)}`,
        {
          cause,
          details: { mapping: id },
        },
      ),
    );
  }
  if (!outcome.ok) return failed(outcome.error);
  const records = outcome.values.map((v) => ({ entity: mapping.target, key: v.key, value: v.value }));
  const problems: RecordProblem[] = [];
  for (const [index, record] of records.entries()) {
    let found: ValidationProblem[];
    try {
      found = validate(mapping.target, record.value);
    } catch (cause) {
      found = [{ path: "", message: `the validator failed: ${String(cause)}` }];
    }
    for (const problem of found)
      problems.push({ record: index, path: problem.path, message: problem.message });
    if (problems.length >= MAX_PROBLEMS) break;
  }
  if (problems.length > 0) {
    const kept = problems.slice(0, MAX_PROBLEMS);
    const first = kept[0] as RecordProblem;
    const more = kept.length > 1 ? ` (and ${kept.length - 1} more)` : "";
    const error = new CrossdockError(
      "CDK_MAPPING_OUTPUT_INVALID",
      `mapping ${id}: output does not match ${mapping.target}: ${first.path || "/"}: ${first.message}${more}`,
      { details: { mapping: id, target: mapping.target, problems: kept } },
    );
    return failed(error, records, kept);
  }
  const events: EventInput[] =
    mapping.emits === undefined
      ? []
      : records.map((record) => ({
          stream: `${entityName(record.entity)}:${record.key}`,
          type: mapping.emits as string,
          data: record.value,
          ...(context.messageId === undefined ? {} : { causationId: context.messageId }),
        }));
  return { ok: true, mapping: id, records, events };
}
