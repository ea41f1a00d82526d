/**
 * 846 (inventory inquiry/advice) stock report as the sandbox 3PL writes it; the hub reads it with
 * `x12-846-stock.ts`.
 *
 * - BIA `00` (original), `SI`, the report id, date and time of the snapshot.
 * - N1*WH the warehouse (`92` and its code), which the hub takes as the stock level's warehouse.
 * - Per SKU: LIN with `VP` and the SKU; QTY*17 on hand, QTY*QC committed (units of received orders
 *   not shipped yet; the qualifier is this sandbox's choice, the hub's mapper ignores it), QTY*33
 *   available (on hand minus committed, never negative). The hub maps reserved = on hand - available.
 * - CTT with the number of LIN items.
 */
import type { X12SetBody } from "../../src/connectors/edi-x12/x12-writer.ts";

/** One SKU's line in a stock report. */
export interface StockReportRow {
  readonly sku: string;
  readonly onHand: number;
  readonly committed: number;
  readonly available: number;
}

export interface Build846Input {
  readonly reportId: string;
  /** When the stock was counted. */
  readonly at: Date;
  readonly warehouse: { readonly code: string; readonly name: string };
  readonly rows: readonly StockReportRow[];
}

export const COMMITTED_QUALIFIER = "QC";

export function build846(input: Build846Input): X12SetBody {
  const iso = input.at.toISOString();
  const segments: string[][] = [
    [
      "BIA",
      "00",
      "SI",
      input.reportId,
      iso.slice(0, 10).replaceAll("-", ""),
      iso.slice(11, 16).replace(":", ""),
    ],
    ["N1", "WH", input.warehouse.name, "92", input.warehouse.code],
  ];
  input.rows.forEach((row, index) => {
    segments.push(["LIN", String(index + 1), "VP", row.sku]);
    segments.push(["QTY", "17", String(row.onHand), "EA"]);
    segments.push(["QTY", COMMITTED_QUALIFIER, String(row.committed), "EA"]);
    segments.push(["QTY", "33", String(row.available), "EA"]);
  });
  segments.push(["CTT", String(input.rows.length)]);
  return { type: "846", segments };
}
