/**
 * Reads a CONTRL a partner sent back for one of our interchanges: which interchange (UCI01), whether
 * it was accepted (UCI04: 7 acknowledged, 8 received, 4 rejected), and each reported message (UCM).
 * This is what clears an interchange's acknowledgement deadline (`CDK_EDI_ACK_OVERDUE`); it produces
 * no canonical record.
 */
import type { EdifactMessage } from "./edifact-reader.ts";
import { valueAt } from "./edifact-syntax.ts";

export type ContrlAction = "accepted" | "received" | "rejected";

export interface ContrlReport {
  /** Our UNB05 the report is about. */
  readonly interchangeRef: string;
  readonly action: ContrlAction;
  /** UCI05, the syntax error code, when the interchange was rejected. */
  readonly errorCode?: string;
  readonly messages: readonly {
    readonly reference: string;
    readonly action: ContrlAction;
    readonly errorCode?: string;
  }[];
}

const ACTIONS: Readonly<Record<string, ContrlAction>> = { "7": "accepted", "8": "received", "4": "rejected" };

/** The report of a CONTRL message; `undefined` when it is not a CONTRL or has no UCI. */
export function readContrl(message: EdifactMessage): ContrlReport | undefined {
  const uci = message.segments.find((s) => s.tag === "UCI");
  if (message.type !== "CONTRL" || uci === undefined) return undefined;
  const action = (code: string): ContrlAction => ACTIONS[code] ?? "rejected";
  const code = (value: string) => (value === "" ? {} : { errorCode: value });
  return {
    interchangeRef: valueAt(uci, 1),
    action: action(valueAt(uci, 4)),
    ...code(valueAt(uci, 5)),
    messages: message.segments
      .filter((s) => s.tag === "UCM")
      .map((ucm) => ({
        reference: valueAt(ucm, 1),
        action: action(valueAt(ucm, 3)),
        ...code(valueAt(ucm, 4)),
      })),
  };
}
