/**
 * What every message mapper shares: the partner's mapping options, problem collection with locations,
 * provenance (which segment each canonical field came from) and the final `checkModel`, whose problems
 * are traced back to segments through that provenance. A mapper collects every problem it finds, then
 * returns one `CDK_EDI_CONTENT` failure listing them all.
 */
import { checkModel } from "../../core/model/model-checks.ts";
import type { ModelEntityName } from "../../core/model/model-registry.ts";
import type { EdifactMessage } from "./edifact-reader.ts";
import {
  at,
  type EdifactFailure,
  type EdifactLocation,
  type EdifactSegment,
  failure,
  valueAt,
} from "./edifact-syntax.ts";
import { type DateValue, ediDate, ediDecimal } from "./edifact-values.ts";

/** Per-partner mapping settings; a partner's config in `crossdock.yaml` resolves to these. */
export interface EdifactMappingOptions {
  /** The connection name records are attributed to (order `channel`, `refs` system); default `edifact`. */
  readonly channel?: string;
  /** Currency when a message has no CUX; without it such a message is `CDK_EDI_CONTENT`. */
  readonly defaultCurrency?: string;
  /** Offset applied to EDIFACT dates, which carry none; default `Z`. */
  readonly utcOffset?: string;
  /** Partner unit codes to UN/ECE Rec 20 (`{ GBND: "CT" }`); 1-3 character codes pass through. */
  readonly units?: Readonly<Record<string, string>>;
  /** Which item number becomes the SKU, by type code (LIN-03-2, PIA-02-2); default SA, EN, SRV, UP, IN, BP, MF. */
  readonly itemIdPreference?: readonly string[];
}

export const DEFAULT_ITEM_ID_PREFERENCE = ["SA", "EN", "SRV", "UP", "IN", "BP", "MF"] as const;

/** The result of mapping one message: canonical records (validated), or a located failure. */
export type MapOutcome =
  | {
      readonly ok: true;
      readonly entity: ModelEntityName;
      readonly records: readonly unknown[];
      readonly warnings: readonly string[];
    }
  | { readonly ok: false; readonly failure: EdifactFailure; readonly warnings: readonly string[] };

export interface Problem {
  readonly location: EdifactLocation;
  readonly message: string;
}

export class MappingContext {
  readonly problems: Problem[] = [];
  readonly warnings: string[] = [];
  readonly channel: string;
  readonly utcOffset: string;
  readonly #provenance = new Map<string, EdifactLocation>();
  readonly file: string;
  readonly message: EdifactMessage;
  readonly options: EdifactMappingOptions;

  constructor(file: string, message: EdifactMessage, options: EdifactMappingOptions) {
    this.file = file;
    this.message = message;
    this.options = options;
    this.channel = options.channel ?? "edifact";
    this.utcOffset = options.utcOffset ?? "Z";
  }

  /** The UNH segment: where problems without a better place are located. */
  get header(): EdifactSegment {
    return this.message.segments[0]!;
  }

  /** Records a problem at a segment (or at UNH) with what was found and expected. */
  problem(
    segment: EdifactSegment | undefined,
    place: { element?: number; component?: number },
    what: string,
    found?: string,
    expected?: string,
  ): void {
    const built = failure({
      code: "CDK_EDI_CONTENT",
      file: this.file,
      location: at(segment ?? this.header, place.element, place.component),
      what: `message ${this.message.reference}: ${what}`,
      ...(found === undefined ? {} : { found }),
      ...(expected === undefined ? {} : { expected }),
    });
    this.problems.push({ location: built.location, message: built.message });
  }

  /** Remembers that canonical `path` came from `location`. */
  note(path: string, segment: EdifactSegment, element?: number, component?: number): void {
    this.#provenance.set(path, at(segment, element, component));
  }

  /** A number at `segment` element/component, or `undefined` (with a problem when present but invalid). */
  decimal(segment: EdifactSegment, element: number, component: number, what: string): string | undefined {
    const raw = valueAt(segment, element, component);
    if (raw === "") return undefined;
    const value = ediDecimal(raw);
    if (value === undefined)
      this.problem(segment, { element, component }, `${what} is not a number`, raw, "a decimal number");
    return value;
  }

  /** A DTM segment's date (element 1, components 2 and 3); a problem when it cannot be read. */
  date(segment: EdifactSegment): Extract<DateValue, { ok: true }> | undefined {
    const value = ediDate(valueAt(segment, 1, 2), valueAt(segment, 1, 3));
    if (!value.ok) {
      this.problem(
        segment,
        { element: 1, component: 2 },
        "the date cannot be read",
        valueAt(segment, 1, 2),
        value.expected,
      );
      return undefined;
    }
    if (value.quirk) this.warnings.push(`segment ${segment.position}: ${value.quirk}`);
    return value;
  }

  /** Validates the records with `checkModel`; problems are traced to segments by the longest noted path. */
  finish(entity: ModelEntityName, records: readonly unknown[]): MapOutcome {
    records.forEach((record, index) => {
      if (this.problems.length > 0) return;
      const checked = checkModel(entity, record);
      if (checked.ok) return;
      for (const problem of checked.problems) {
        const location = this.#locate(problem.path);
        const where = records.length > 1 ? `${entity} ${index + 1} ` : "";
        this.problems.push({
          location,
          message: failure({
            code: "CDK_EDI_CONTENT",
            file: this.file,
            location,
            what: `message ${this.message.reference}: the ${where}${entity} is not valid: ${problem.path || "/"} ${problem.message}`,
          }).message,
        });
      }
    });
    const first = this.problems[0];
    if (first === undefined) return { ok: true, entity, records, warnings: this.warnings };
    const more = this.problems.length > 1 ? ` (and ${this.problems.length - 1} more problem(s))` : "";
    return {
      ok: false,
      warnings: this.warnings,
      failure: {
        code: "CDK_EDI_CONTENT",
        message: `${first.message}${more}`,
        file: this.file,
        location: first.location,
        messageRef: this.message.reference,
        problems: this.problems.slice(0, 100),
      },
    };
  }

  #locate(path: string): EdifactLocation {
    for (let prefix = path; prefix !== ""; prefix = prefix.slice(0, prefix.lastIndexOf("/"))) {
      const found = this.#provenance.get(prefix);
      if (found) return found;
    }
    return at(this.header);
  }
}
