/**
 * The sandbox trading partner's inbound side: one file of 850 (purchase order) interchanges read with
 * the project's X12 reader and envelope checker, and each 850 mapped with the project's own 850 mapper
 * (`x12-850-order.ts`: the partner is the seller here, exactly the hub's position when a customer sends
 * it an 850). The PO1 segments are kept as received, because a supplier's 855 echoes them.
 *
 * Envelope checks on top of the reader's (each rejects the set in the 997, AK5 R without AK3): ISA08
 * must be the partner's id, GS01 `PO`, and the set an 850.
 */
import { x12OrderMapper } from "../../src/connectors/edi-x12/x12-850-order.ts";
import type { X12MapperFactory } from "../../src/connectors/edi-x12/x12-mapping.ts";
import { el, problemAt, type X12Problem, type X12Segment } from "../../src/connectors/edi-x12/x12-segment.ts";
import { createX12SetRunner, type X12SetOutcome } from "../../src/connectors/edi-x12/x12-set-runner.ts";
import { runX12 } from "../../src/connectors/edi-x12/x12-stream.ts";
import type { Order } from "../../src/core/model/order.ts";

/** An accepted 850 as the partner keeps it. */
export interface PurchaseOrder850 {
  /** The order as the project's 850 mapper reads it (`channelOrderId` is BEG03). */
  readonly order: Order;
  /** BEG01: `00` original, `07` duplicate (a resend), ... */
  readonly purpose: string;
  /** PO1 segments as received, echoed in the 855. */
  readonly po1s: readonly X12Segment[];
}

export interface Received850Interchange {
  /** The ISA; undefined for bare sets, which get no 997. */
  readonly isa: X12Segment | undefined;
  readonly outcomes: readonly X12SetOutcome[];
  readonly orders: readonly PurchaseOrder850[];
}

export interface Read850Result {
  readonly interchanges: readonly Received850Interchange[];
  readonly problems: readonly string[];
}

/** Reads one file of 850 interchanges addressed to `partnerId`. Never throws. */
export function read850File(file: string, bytes: Uint8Array, partnerId: string): Read850Result {
  const problems: string[] = [];
  const interchanges: Received850Interchange[] = [];
  const parsed = new Map<number, PurchaseOrder850>();
  const factory: X12MapperFactory = {
    type: "850",
    entity: "order",
    create(context) {
      const po1s: X12Segment[] = [];
      let purpose = "";
      let order: Order | undefined;
      const inner = x12OrderMapper.create({
        ...context,
        emit: (_entity, value) => {
          order = value as Order;
        },
      });
      return {
        segment(segment) {
          if (segment.tag === "PO1") po1s.push(segment);
          if (segment.tag === "BEG") purpose ||= el(segment, 1);
          return inner.segment(segment);
        },
        end() {
          const problem = inner.end();
          if (problem === undefined && order !== undefined)
            parsed.set(context.st.index, { order, purpose, po1s });
          return problem;
        },
      };
    },
  };
  const handler = createX12SetRunner(
    file,
    // The partner is the seller: its own part number (VP) first, then the buyer's (BP).
    { connection: "sandbox-edi-partner", skuQualifiers: ["VP", "BP", "UP", "EN", "IN"] },
    new Map([["850", factory]]),
    {
      problem: (problem) => problems.push(problem.message),
      interchangeEnd(outcomes, isa) {
        for (const outcome of outcomes) {
          if (outcome.problem !== undefined) continue;
          const reject = (p: X12Problem) => {
            outcome.problem = p;
            outcome.accepted = false;
            problems.push(p.message);
          };
          const at = (seg: X12Segment, element: string | undefined, what: string) =>
            problemAt(
              "CDK_EDI_CONTROL",
              file,
              { segment: seg.index, line: seg.line, tag: seg.tag, ...(element ? { element } : {}) },
              what,
            );
          if (isa === undefined) reject(at(outcome.st, undefined, "a bare transaction set; expected an ISA"));
          else if (el(isa, 8).trim() !== partnerId)
            reject(
              at(isa, "ISA-08", `ISA08 is "${el(isa, 8).trim()}"; expected this partner's id ${partnerId}`),
            );
          else if (outcome.group?.functionalId !== "PO")
            reject(
              at(
                isa,
                undefined,
                `the set is in group "${outcome.group?.functionalId ?? ""}"; expected GS01 PO`,
              ),
            );
          else if (!outcome.mapped)
            reject(
              problemAt(
                "CDK_EDI_UNSUPPORTED",
                file,
                { segment: outcome.st.index, line: outcome.st.line, tag: "ST", element: "ST-01" },
                `transaction set ${outcome.type} is not accepted here; expected 850`,
              ),
            );
        }
        const orders = outcomes.flatMap((o) => {
          const order = o.accepted ? parsed.get(o.st.index) : undefined;
          return order === undefined ? [] : [order];
        });
        interchanges.push({ isa, outcomes: [...outcomes], orders });
      },
    },
  );
  runX12(file, bytes, handler);
  return { interchanges, problems };
}
