/**
 * Runs `checkModel` on a mapper's output and, when it refuses it, turns the first problem into a
 * `CDK_EDI_CONTENT` located at the segment (and element) the field came from.
 */
import { checkModel } from "../../core/model/model-checks.ts";
import type { ModelEntityName, ModelValue } from "../../core/model/model-registry.ts";
import type { X12SetContext } from "./x12-mapping.ts";
import { el, elementProblem, problemAt, type X12Problem, type X12Segment } from "./x12-segment.ts";

/** Where each field of a record came from: JSON pointer prefix to segment and element position. */
export class X12Origins {
  readonly #origins = new Map<string, { segment: X12Segment; position?: number }>();
  readonly #fallback: X12Segment;

  constructor(fallback: X12Segment) {
    this.#fallback = fallback;
  }

  set(path: string, segment: X12Segment, position?: number): void {
    this.#origins.set(path, position === undefined ? { segment } : { segment, position });
  }

  /** The origin of the longest recorded prefix of `path`, else the set's ST. */
  locate(path: string): { segment: X12Segment; position?: number } {
    for (let p = path; ; p = p.slice(0, p.lastIndexOf("/"))) {
      const found = this.#origins.get(p);
      if (found !== undefined) return found;
      if (p === "") return { segment: this.#fallback };
    }
  }
}

/** The checked record, or a located problem. */
export function checkX12Record<N extends ModelEntityName>(
  file: string,
  entity: N,
  value: unknown,
  origins: X12Origins,
): { ok: true; value: ModelValue<N> } | { ok: false; problem: X12Problem } {
  const result = checkModel(entity, value);
  if (result.ok) return result;
  const first = result.problems[0]!;
  const { segment, position } = origins.locate(first.path);
  const what = `the ${entity} it maps to is refused: ${first.path || "(document)"} ${first.message} (rule ${first.rule})`;
  return {
    ok: false,
    problem:
      position === undefined
        ? problemAt(
            "CDK_EDI_CONTENT",
            file,
            { segment: segment.index, line: segment.line, tag: segment.tag },
            what,
          )
        : elementProblem("CDK_EDI_CONTENT", file, segment, position, what),
  };
}

/** Checks a mapper's record and hands it to the consumer; the located problem when it is refused. */
export function emitChecked(
  context: Pick<X12SetContext, "file" | "emit">,
  entity: ModelEntityName,
  value: unknown,
  origins: X12Origins,
): X12Problem | undefined {
  const checked = checkX12Record(context.file, entity, value, origins);
  if (!checked.ok) return checked.problem;
  context.emit(entity, checked.value);
  return undefined;
}

/** ISA06 and ISA08 (sender and receiver ids) for a record's extensions; none for a bare set. */
export function interchangeIds(isa: X12Segment | undefined): { senderId?: string; receiverId?: string } {
  return isa ? { senderId: el(isa, 6).trim(), receiverId: el(isa, 8).trim() } : {};
}
