/**
 * 944 (warehouse stock transfer receipt advice) as the sandbox 3PL writes it when a 943's goods arrive;
 * the hub reads it with `x12-944-receipt.ts`.
 *
 * - W17: `F` (full detail), the receipt date, the receipt number (`RCV-000001`), the 943's W06-02
 *   (depositor order number) and W06-04 (shipment id).
 * - N1*WH the warehouse (`92` and its code); N9*PO the purchase order when the 943 named one.
 * - Per W04 of the 943: W07 with the units received in good condition (`0` when none), `EA`, `VN` and
 *   the SKU, the lot (W07-06); N9*LI the 943's line id; W13 with the damaged units when some were
 *   (condition `01` damaged; W13-05 reason `ZZ`, mutually defined: the sandbox's choice).
 * - W14: the units received in good condition.
 */
import type { X12SetBody } from "../../src/connectors/edi-x12/x12-writer.ts";

/** What arrived for one W04 of the 943. */
export interface ReceivedLine {
  readonly sku: string;
  readonly expected: number;
  /** In good condition. */
  readonly received: number;
  readonly damaged: number;
  readonly lineId?: string | undefined;
  readonly lot?: string | undefined;
}

export interface Build944Input {
  readonly receiptId: string;
  readonly receivedAt: Date;
  /** The 943's W06-02, W06-04 and purchase order. */
  readonly reference: string;
  readonly shipmentId?: string | undefined;
  readonly purchaseOrder?: string | undefined;
  readonly warehouse: { readonly code: string; readonly name: string };
  readonly lines: readonly ReceivedLine[];
}

export function build944(input: Build944Input): X12SetBody {
  const date = input.receivedAt.toISOString().slice(0, 10).replaceAll("-", "");
  const segments: string[][] = [
    ["W17", "F", date, input.receiptId, input.reference, input.shipmentId ?? ""],
    ["N1", "WH", input.warehouse.name, "92", input.warehouse.code],
  ];
  if (input.purchaseOrder !== undefined) segments.push(["N9", "PO", input.purchaseOrder]);
  for (const line of input.lines) {
    segments.push(["W07", String(line.received), "EA", "", "VN", line.sku, line.lot ?? ""]);
    if (line.lineId !== undefined) segments.push(["N9", "LI", line.lineId]);
    if (line.damaged > 0) segments.push(["W13", String(line.damaged), "EA", "01", line.lot ?? "", "ZZ"]);
  }
  segments.push(["W14", String(input.lines.reduce((sum, l) => sum + l.received, 0))]);
  return { type: "944", segments };
}
