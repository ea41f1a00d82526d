/**
 * 945 (warehouse shipping advice) from one of the warehouse model's shipment confirmations, as the
 * sandbox 3PL writes it; the hub reads it with `x12-945-shipment.ts`.
 *
 * - W06: `F`, the depositor order number (the 940's W05-02), the ship date, the shipment id
 *   (`SH-000001`), the warehouse's order id (`FO-000001`) and the 940's W05-03 (purchase order).
 * - N1*ST/N3/N4 the ship-to from the 940; N1*SF the warehouse (`92` and its code).
 * - N9 at the header: `2I` tracking number (the first package's), `CN` PRO number, `BM` bill of lading.
 * - G62*11 ship date and time (HHMMSS); W27 method `M`, the SCAC (the 940's carrier, up to 4 characters), the
 *   service as routing, `PP`.
 * - Per order line, LX and W12: status (`CC` line complete, `BP` partial with a backorder to follow,
 *   `CP` partial with the rest cancelled), quantity ordered, units shipped in this shipment, quantity
 *   difference (ordered minus shipped so far), `EA`, `VP` and the SKU. Then N9*2I per package holding
 *   the SKU, and when some was cancelled N9*ZZ with the reason in capitals (`STOCK_DISCREPANCY`,
 *   `CANCELLED_BY_WAREHOUSE`). A line with nothing shipped this time has W12-03 `0`.
 * - W03: units shipped, weight in kilograms (`KG`), package count (`CT`).
 */
import type { X12SetBody } from "../../src/connectors/edi-x12/x12-writer.ts";
import type { ShipmentConfirmation, WarehouseOrder } from "../warehouse3pl/warehouse.ts";

/** What the 945 needs besides the confirmation. */
export interface Build945Input {
  readonly confirmation: ShipmentConfirmation;
  readonly order: WarehouseOrder;
  /** The 940's W05-03. */
  readonly purchaseOrder?: string | undefined;
  readonly warehouse: { readonly code: string; readonly name: string };
  readonly proNumber: string;
  readonly billOfLading: string;
}

function status(line: ShipmentConfirmation["lines"][number]): string {
  if (line.remaining > 0) return "BP";
  return line.cancelled > 0 ? "CP" : "CC";
}

export function build945(input: Build945Input): X12SetBody {
  const { confirmation: c, order } = input;
  const iso = c.shipped_at;
  const date = iso.slice(0, 10).replaceAll("-", "");
  const time = iso.slice(11, 19).replaceAll(":", "");
  const to = order.request.ship_to;
  const segments: string[][] = [
    ["W06", "F", c.reference, date, c.shipment_id, c.order_id, input.purchaseOrder ?? ""],
    ["N1", "ST", to.name ?? to.company ?? ""],
    ["N3", to.address1 ?? "", to.address2 ?? ""],
    ["N4", to.city ?? "", to.province ?? "", to.zip ?? "", to.country_code ?? ""],
    ["N1", "SF", input.warehouse.name, "92", input.warehouse.code],
  ];
  if (c.tracking_number) segments.push(["N9", "2I", c.tracking_number]);
  segments.push(["N9", "CN", input.proNumber], ["N9", "BM", input.billOfLading]);
  segments.push(["G62", "11", date, "8", time]);
  segments.push(["W27", "M", c.carrier.toUpperCase().slice(0, 4), c.service, "PP"]);
  let units = 0;
  let grams = 0;
  c.lines.forEach((line, index) => {
    segments.push(["LX", String(index + 1)]);
    const difference = line.ordered - line.shipped_total;
    segments.push([
      "W12",
      status(line),
      String(line.ordered),
      String(line.shipped),
      String(difference),
      "EA",
      "",
      "VP",
      line.sku,
    ]);
    units += line.shipped;
    for (const pack of c.packages) {
      if (pack.lines.some((l) => l.sku === line.sku)) segments.push(["N9", "2I", pack.tracking_number]);
    }
    if (line.reason !== undefined && line.cancelled > 0)
      segments.push(["N9", "ZZ", line.reason.toUpperCase()]);
  });
  for (const pack of c.packages) grams += pack.weight_grams;
  segments.push([
    "W03",
    String(units),
    (grams / 1000).toFixed(1),
    "KG",
    "",
    "",
    String(c.packages.length),
    "CT",
  ]);
  return { type: "945", segments };
}
