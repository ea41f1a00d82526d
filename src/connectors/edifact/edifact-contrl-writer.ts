/**
 * CONTRL (syntax and service report) for an interchange Crossdock received, version D:3:UN.
 *
 * Accepted: `UCI+<their UNB05>+<their sender>+<their recipient>+7` and one `UCM+<UNH01>+<type>+7` per
 * message. Rejected (any reader failure): UCI with action 4, so nothing of the interchange counts as
 * accepted; a failure at the envelope adds its syntax error code (0085), the service segment tag and
 * the element position to the UCI; a failure inside a message adds `UCM+<ref>+<type>+4`, then
 * `UCS+<segment position in the message>+<code>` and, when an element is named, `UCD+<code>+<e>:<c>`.
 *
 * Content problems found by mapping (a missing price, a bad total) are not syntax errors and are not
 * reported in a CONTRL (APERAK is the message for those, not written here).
 */
import type { EdifactInterchange } from "./edifact-reader.ts";
import type { EdifactFailure } from "./edifact-syntax.ts";
import type { DraftSegment, MessageDraft } from "./edifact-writer.ts";

/** `QTY-01-2` to `["1", "2"]`; `[]` when no element is named. */
function elementPosition(element: string | undefined): string[] {
  const match = element === undefined ? null : /-([0-9]{2})(?:-([0-9]+))?$/.exec(element);
  if (!match) return [];
  return [String(Number(match[1])), ...(match[2] === undefined ? [] : [match[2]])];
}

/** The CONTRL message body answering `received`; `failure` when reading it failed. */
export function contrlDraft(
  received: Pick<EdifactInterchange, "controlRef" | "sender" | "recipient" | "messages">,
  failure?: EdifactFailure,
): MessageDraft {
  const party = (p: { id: string; qualifier?: string }) => [p.id, p.qualifier ?? ""];
  const uci: DraftSegment = ["UCI", received.controlRef, party(received.sender), party(received.recipient)];
  const segments: DraftSegment[] = [];
  const code = failure?.syntaxErrorCode ?? "18";
  if (failure === undefined) {
    segments.push([...uci, "7"]);
    for (const message of received.messages)
      segments.push([
        "UCM",
        message.reference,
        [message.type, message.version, message.release, message.agency],
        "7",
      ]);
  } else if (failure.messageRef === undefined) {
    const tag = failure.location.tag ?? "";
    const position = ["UNB", "UNZ", "UNG", "UNE"].includes(tag)
      ? elementPosition(failure.location.element)
      : [];
    segments.push([...uci, "4", code, tag, position]);
  } else {
    segments.push([...uci, "4"]);
    const start = failure.messageStart ?? failure.location.segment;
    const tag = failure.location.tag;
    const type = (failure.messageType ?? "").split(":");
    if (tag === "UNH" || tag === "UNT") {
      segments.push(["UCM", failure.messageRef, type, "4", code, tag]);
    } else {
      segments.push(["UCM", failure.messageRef, type, "4"]);
      const position = elementPosition(failure.location.element);
      const segmentPosition = String(failure.location.segment - start + 1);
      if (position.length === 0) segments.push(["UCS", segmentPosition, code]);
      else segments.push(["UCS", segmentPosition], ["UCD", code, position]);
    }
  }
  return {
    type: "CONTRL",
    directory: { version: "D", release: "3", agency: "UN" },
    association: "",
    segments,
  };
}
