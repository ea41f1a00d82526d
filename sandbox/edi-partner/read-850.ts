/**
 * The sandbox trading partner as a supplier: an 850 (purchase order) from the hub mapped with the
 * project's own 850 mapper (`x12-850-order.ts`: the partner is the seller here, exactly the hub's
 * position when a customer sends it an 850). The PO1 segments are kept as received, because a
 * supplier's 855 echoes them. `read-partner-file.ts` runs it next to the customer documents' readers.
 */
import { x12OrderMapper } from "../../src/connectors/edi-x12/x12-850-order.ts";
import type { X12MapperFactory } from "../../src/connectors/edi-x12/x12-mapping.ts";
import { el, type X12Segment } from "../../src/connectors/edi-x12/x12-segment.ts";
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

/** The 850 reader; `keep` gets each 850 that mapped, with its ST (the set's verdict comes later). */
export function purchaseOrder850Mapper(
  keep: (st: X12Segment, po: PurchaseOrder850) => void,
): X12MapperFactory {
  return {
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
          if (problem === undefined && order !== undefined) keep(context.st, { order, purpose, po1s });
          return problem;
        },
      };
    },
  };
}
