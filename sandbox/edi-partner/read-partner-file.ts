/**
 * The sandbox trading partner's inbound side: one file from its inbound folder, read with the project's
 * X12 reader, envelope checker and set runner. The hub drops two kinds of documents there, as it does
 * for any partner that is both its supplier and its customer:
 *
 * - as the partner's customer, 850 purchase orders (`read-850.ts`, the project's 850 mapper);
 * - as the partner's supplier, answering the partner's own 850s: 855 acknowledgements (`read-855.ts`,
 *   the project's 855 mapper), 856 ship notices (`read-856.ts`) and 810 invoices (`read-810.ts`).
 *
 * Checks on top of the reader's (each rejects the set in the 997, AK5 R, located at the ISA or ST): ISA08
 * must be the partner's id, the set one of these four, and its group the one X12 files it under (850
 * `PO`, 855 `PR`, 856 `SH`, 810 `IN`). Only sets accepted whole (and in an interchange accepted whole)
 * reach the partner's records.
 */
import { el, problemAt, type X12Problem, type X12Segment } from "../../src/connectors/edi-x12/x12-segment.ts";
import { createX12SetRunner, type X12SetOutcome } from "../../src/connectors/edi-x12/x12-set-runner.ts";
import { runX12 } from "../../src/connectors/edi-x12/x12-stream.ts";
import { invoice810Mapper, type ReceivedInvoice } from "./read-810.ts";
import { type PurchaseOrder850, purchaseOrder850Mapper } from "./read-850.ts";
import { acknowledgement855Mapper, type ReceivedAcknowledgement } from "./read-855.ts";
import { type ReceivedShipNotice, shipNotice856Mapper } from "./read-856.ts";

/** GS01 of each set type the partner reads. */
export const PARTNER_GROUPS: Readonly<Record<string, string>> = {
  "850": "PO",
  "855": "PR",
  "856": "SH",
  "810": "IN",
};

/** A document the hub sent about one of the partner's own purchase orders, by its PO number. */
export type CustomerDocument =
  | { readonly type: "855"; readonly poNumber: string; readonly acknowledgement: ReceivedAcknowledgement }
  | { readonly type: "856"; readonly poNumber: string; readonly shipNotice: ReceivedShipNotice }
  | { readonly type: "810"; readonly poNumber: string; readonly invoice: ReceivedInvoice };

export interface PartnerInterchange {
  /** The ISA; undefined for bare sets, which get no 997. */
  readonly isa: X12Segment | undefined;
  readonly outcomes: readonly X12SetOutcome[];
  /** Accepted 850s: the hub buying from the partner. */
  readonly orders: readonly PurchaseOrder850[];
  /** Accepted 855s, 856s and 810s: the hub answering the partner's own 850s. */
  readonly documents: readonly CustomerDocument[];
}

export interface ReadPartnerFileResult {
  readonly interchanges: readonly PartnerInterchange[];
  readonly problems: readonly string[];
}

/** Reads one file of interchanges addressed to `partnerId`. Never throws. */
export function readPartnerFile(file: string, bytes: Uint8Array, partnerId: string): ReadPartnerFileResult {
  const problems: string[] = [];
  const interchanges: PartnerInterchange[] = [];
  // What each set's reader made of it, by its ST's segment number; kept only if the set is accepted.
  const parsed = new Map<number, PurchaseOrder850 | CustomerDocument>();
  const mappers = [
    purchaseOrder850Mapper((st, po) => parsed.set(st.index, po)),
    acknowledgement855Mapper((st, poNumber, acknowledgement) =>
      parsed.set(st.index, { type: "855", poNumber, acknowledgement }),
    ),
    shipNotice856Mapper((st, poNumber, shipNotice) =>
      parsed.set(st.index, { type: "856", poNumber, shipNotice }),
    ),
    invoice810Mapper((st, poNumber, invoice) => parsed.set(st.index, { type: "810", poNumber, invoice })),
  ];
  const handler = createX12SetRunner(
    file,
    // As a seller (850s) its own part number (VP) comes first, then the buyer's (BP).
    { connection: "sandbox-edi-partner", skuQualifiers: ["VP", "BP", "UP", "EN", "IN"] },
    new Map(mappers.map((m) => [m.type, m])),
    {
      problem: (problem) => problems.push(problem.message),
      interchangeEnd(outcomes, isa) {
        for (const outcome of outcomes) {
          if (outcome.problem !== undefined) continue;
          const problem = envelopeProblem(file, outcome, isa, partnerId);
          if (problem === undefined) continue;
          outcome.problem = problem;
          outcome.accepted = false;
          problems.push(problem.message);
        }
        const orders: PurchaseOrder850[] = [];
        const documents: CustomerDocument[] = [];
        for (const outcome of outcomes) {
          const value = outcome.accepted ? parsed.get(outcome.st.index) : undefined;
          if (value === undefined) continue;
          if ("type" in value) documents.push(value);
          else orders.push(value);
        }
        interchanges.push({ isa, outcomes: [...outcomes], orders, documents });
      },
    },
  );
  runX12(file, bytes, handler);
  return { interchanges, problems };
}

function envelopeProblem(
  file: string,
  outcome: X12SetOutcome,
  isa: X12Segment | undefined,
  partnerId: string,
): X12Problem | undefined {
  const at = (seg: X12Segment, element: string | undefined, what: string) =>
    problemAt(
      "CDK_EDI_CONTROL",
      file,
      { segment: seg.index, line: seg.line, tag: seg.tag, ...(element ? { element } : {}) },
      what,
    );
  if (isa === undefined) return at(outcome.st, undefined, "a bare transaction set; expected an ISA");
  if (el(isa, 8).trim() !== partnerId)
    return at(isa, "ISA-08", `ISA08 is "${el(isa, 8).trim()}"; expected this partner's id ${partnerId}`);
  const expected = PARTNER_GROUPS[outcome.type];
  if (!outcome.mapped || expected === undefined)
    return problemAt(
      "CDK_EDI_UNSUPPORTED",
      file,
      { segment: outcome.st.index, line: outcome.st.line, tag: "ST", element: "ST-01" },
      `transaction set ${outcome.type} is not accepted here; expected ${Object.keys(PARTNER_GROUPS).join(", ")}`,
    );
  const group = outcome.group?.functionalId ?? "";
  if (group !== expected)
    return at(isa, undefined, `the ${outcome.type} set is in group "${group}"; expected GS01 ${expected}`);
  return undefined;
}
