/**
 * The sandbox trading partner as a customer: the hub's 855 (PO acknowledgement) answering the partner's
 * own 850. Read with the project's 855 mapper (`x12-855-ack.ts`), so an 855 the hub's own reader would
 * refuse (no BAK03, an unknown BAK02 or ACK01, a quantity or date that does not read, no PO1) is
 * refused here too, located; what the partner keeps is closer to the wire than the canonical record:
 * BAK02 as sent and one line per ACK with its code, the way a buyer's EDI screen shows them.
 */
import { x12AcknowledgementMapper } from "../../src/connectors/edi-x12/x12-855-ack.ts";
import type { X12MapperFactory } from "../../src/connectors/edi-x12/x12-mapping.ts";
import { el, type X12Segment } from "../../src/connectors/edi-x12/x12-segment.ts";
import { x12Decimal } from "../../src/connectors/edi-x12/x12-values.ts";

/** One line of an 855 as the partner keeps it: a PO1 and one of its ACKs. */
export interface AcknowledgedLine {
  /** PO101: the partner's own line number, echoed. */
  readonly lineId: string;
  /** ACK01 (`IA`, `IR`, `IQ`, `IP`, `DR`, ...); `""` for a PO1 without an ACK (BAK02 decides). */
  readonly code: string;
  /** ACK02, else PO102; absent when neither is given. */
  readonly quantity?: string;
}

/** An 855 the partner received for one of its purchase orders. */
export interface ReceivedAcknowledgement {
  /** BAK02: `AD` all accepted, `AC` accepted with changes, `RD` rejected, ... */
  readonly status: string;
  /** BAK08: the hub's sales order; `""` when absent. */
  readonly salesOrder: string;
  readonly lines: readonly AcknowledgedLine[];
  /** The inbound file it came in. */
  readonly file: string;
}

/** The 855 reader; `keep` gets BAK03 and the acknowledgement of each 855 the project's mapper accepts. */
export function acknowledgement855Mapper(
  keep: (st: X12Segment, poNumber: string, ack: ReceivedAcknowledgement) => void,
): X12MapperFactory {
  return {
    type: "855",
    entity: "supplier-acknowledgement",
    create(context) {
      let mapped = false;
      const inner = x12AcknowledgementMapper.create({
        ...context,
        emit: () => {
          mapped = true;
        },
      });
      let bak: X12Segment | undefined;
      const loops: { po1: X12Segment; acks: X12Segment[] }[] = [];
      return {
        segment(segment) {
          if (segment.tag === "BAK") bak ??= segment;
          else if (segment.tag === "PO1") loops.push({ po1: segment, acks: [] });
          else if (segment.tag === "ACK") loops.at(-1)?.acks.push(segment);
          return inner.segment(segment);
        },
        end() {
          const problem = inner.end();
          if (problem !== undefined || !mapped || bak === undefined) return problem;
          const lines = loops.flatMap(({ po1, acks }, index): AcknowledgedLine[] => {
            const lineId = el(po1, 1).trim() || String(index + 1);
            const ordered = x12Decimal(el(po1, 2));
            const line = (code: string, quantity: string | undefined) => ({
              lineId,
              code,
              ...(quantity === undefined ? {} : { quantity }),
            });
            if (acks.length === 0) return [line("", ordered)];
            return acks.map((ack) => line(el(ack, 1).trim(), x12Decimal(el(ack, 2)) ?? ordered));
          });
          keep(context.st, el(bak, 3).trim(), {
            status: el(bak, 2).trim(),
            salesOrder: el(bak, 8).trim(),
            lines,
            file: context.file,
          });
          return undefined;
        },
      };
    },
  };
}
