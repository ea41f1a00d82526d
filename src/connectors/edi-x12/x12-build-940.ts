/**
 * 940 (warehouse shipping order) to a 3PL from a canonical `order`. W05-02 (depositor order number) is
 * the order's channel order id, which the 3PL echoes in W06-02 of its 945, and W05-03 the order
 * number. N1*ST/N3/N4 is the ship-to, N1*WH the warehouse when given, G62*10 the requested ship date
 * (the order date), W66 the carrier of the first shipping line. One LX/W01 (quantity, unit, VP = SKU)
 * with G69 (name) per line; W76 totals the quantity.
 */
import { sumDecimals } from "../../core/model/decimal.ts";
import type { Order } from "../../core/model/order.ts";
import { toX12DateTime, uomToX12 } from "./x12-values.ts";
import type { X12SetBody } from "./x12-writer.ts";

export function build940(order: Order, options: { warehouse?: string } = {}): X12SetBody {
  const segments: string[][] = [];
  segments.push(["W05", "N", order.channelOrderId, order.orderNumber ?? ""]);
  const to = order.shipTo;
  if (to !== undefined) {
    segments.push(["N1", "ST", to.name ?? to.company ?? order.customer.name]);
    segments.push(["N3", to.street, to.street2 ?? ""]);
    segments.push(["N4", to.city, to.region ?? "", to.postalCode ?? "", to.countryCode]);
  }
  if (options.warehouse !== undefined)
    segments.push(["N1", "WH", options.warehouse, "92", options.warehouse]);
  segments.push(["G62", "10", toX12DateTime(order.placedAt).date]);
  const carrier = order.shippingLines?.[0]?.carrier;
  // W66-10 is the carrier's SCAC; W66-03 to W66-09 (FOB, routing, amounts) are left empty.
  if (carrier !== undefined) segments.push(["W66", "PP", "M", "", "", "", "", "", "", "", carrier]);
  for (const [index, line] of order.lines.entries()) {
    segments.push(["LX", String(index + 1)]);
    segments.push(["W01", line.quantity, uomToX12(line.uom), "", "VP", line.sku]);
    if (line.name !== undefined) segments.push(["G69", line.name.slice(0, 45)]);
  }
  segments.push(["W76", sumDecimals(order.lines.map((line) => line.quantity))]);
  return { type: "940", segments };
}
