/**
 * 997 (functional acknowledgement) for a received functional group, from the set runner's outcomes:
 * AK1 (the group's GS01 and GS06), per set AK2 (type, ST02), AK3/AK4 for a located problem (the
 * segment's position in the set and the element's position), AK5 (`A` or `R` with a reason), and AK9
 * (`A` all accepted, `P` some, `R` none) with the counts.
 *
 * AK5 reasons: `4` SE01 count wrong, `3` SE02 differs from ST02, `2` SE missing, `5` a segment in error.
 * AK4 codes: `1` mandatory element missing (it was empty), `7` invalid value otherwise.
 */
import type { X12SetOutcome } from "./x12-set-runner.ts";
import type { X12SetBody } from "./x12-writer.ts";

function ak5Reason(outcome: X12SetOutcome): string {
  const element = outcome.problem?.location.element;
  if (element === "SE-01") return "4";
  if (element === "SE-02") return "3";
  if (outcome.problem?.message.includes("has no SE")) return "2";
  return "5";
}

/** The 997 answering one group; `outcomes` are its sets (all with the same `group`). */
export function build997(
  group: { functionalId: string; controlNumber: string },
  outcomes: readonly X12SetOutcome[],
): X12SetBody {
  const segments: string[][] = [["AK1", group.functionalId, group.controlNumber]];
  let accepted = 0;
  for (const outcome of outcomes) {
    segments.push(["AK2", outcome.type, outcome.controlNumber]);
    const problem = outcome.problem;
    if (outcome.accepted || problem === undefined) {
      accepted++;
      segments.push(["AK5", "A"]);
      continue;
    }
    const { segment, tag, element } = problem.location;
    if (tag !== undefined && tag !== "SE" && segment >= outcome.st.index) {
      const position = String(segment - outcome.st.index + 1);
      segments.push(["AK3", tag, position, "", "8"]);
      const elementPosition = element?.split("-")[1];
      if (elementPosition !== undefined) {
        const found = problem.message.match(/is "([^"]{0,40})"/)?.[1] ?? "";
        segments.push(["AK4", String(Number(elementPosition)), "", found === "" ? "1" : "7", found]);
      }
    }
    segments.push(["AK5", "R", ak5Reason(outcome)]);
  }
  const status = accepted === outcomes.length ? "A" : accepted === 0 ? "R" : "P";
  segments.push(["AK9", status, String(outcomes.length), String(outcomes.length), String(accepted)]);
  return { type: "997", segments };
}

/**
 * The functional groups a 997 answers for one interchange: its sets' verdicts grouped by GS (functional
 * id and GS06), in order. A 997 group (`FA`) is left out: X12 never acknowledges a 997, and partners
 * that did would answer each other forever. Bare sets (no GS) get no 997.
 */
export interface GroupToAcknowledge {
  group: { functionalId: string; controlNumber: string };
  outcomes: X12SetOutcome[];
}

export function groupsToAcknowledge(outcomes: readonly X12SetOutcome[]): GroupToAcknowledge[] {
  const groups = new Map<string, GroupToAcknowledge>();
  for (const outcome of outcomes) {
    if (outcome.group === undefined || outcome.group.functionalId === "FA") continue;
    const key = `${outcome.group.functionalId}/${outcome.group.controlNumber}`;
    const entry: GroupToAcknowledge = groups.get(key) ?? { group: outcome.group, outcomes: [] };
    entry.outcomes.push(outcome);
    groups.set(key, entry);
  }
  return [...groups.values()];
}
