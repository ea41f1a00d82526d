/**
 * 856 (advance ship notice) from a canonical `shipment`, with the HL hierarchy shipment > order >
 * pack > item (BSN05 `0001`, "SOPI"). One pack (HL P) per package, with its tracking number (MAN*CP)
 * and the items it holds; a shipment without packages gets one pack holding every line.
 *
 * Shipment level: TD1 (package count), TD5 (carrier SCAC and service), REF*BM (tracking number),
 * DTM*011 (shipped), N1*ST with N3/N4 (ship-to). Order level: PRF (the order's channel order id, the
 * customer's PO number). Item level: LIN (VP = SKU), SN1 (quantity and unit).
 */
import type { Shipment } from "../../core/model/shipment.ts";
import { moreProductIds, type X12ProductIds } from "./x12-build-855.ts";
import { toX12DateTime, uomToX12 } from "./x12-values.ts";
import type { X12SetBody } from "./x12-writer.ts";

export function build856(shipment: Shipment, options: { productIds?: X12ProductIds } = {}): X12SetBody {
  const segments: string[][] = [];
  const shipped = toX12DateTime(shipment.shippedAt);
  segments.push(["BSN", "00", shipment.shipmentId, shipped.date, shipped.time, "0001"]);
  let hl = 0;
  const level = (parent: number | undefined, code: string) => {
    hl++;
    segments.push(["HL", String(hl), parent === undefined ? "" : String(parent), code]);
    return hl;
  };
  const s = level(undefined, "S");
  const packages = shipment.packages?.length
    ? shipment.packages
    : [{ trackingNumber: shipment.trackingNumber, contents: undefined }];
  segments.push(["TD1", "CTN", String(packages.length)]);
  if (shipment.carrier !== undefined)
    segments.push(["TD5", "", "2", shipment.carrier, "", shipment.service ?? ""]);
  if (shipment.trackingNumber !== undefined) segments.push(["REF", "BM", shipment.trackingNumber]);
  segments.push(["DTM", "011", shipped.date, shipped.time]);
  const to = shipment.shipTo;
  if (to !== undefined) {
    segments.push(["N1", "ST", to.name ?? to.company ?? to.street]);
    segments.push(["N3", to.street, to.street2 ?? ""]);
    segments.push(["N4", to.city, to.region ?? "", to.postalCode ?? "", to.countryCode]);
  }
  const o = level(s, "O");
  segments.push(["PRF", shipment.order.channelOrderId]);
  const uomOf = new Map(shipment.lines.map((line) => [line.sku, line.uom]));
  for (const pack of packages) {
    const p = level(o, "P");
    if (pack.trackingNumber !== undefined) segments.push(["MAN", "CP", pack.trackingNumber]);
    const items = pack.contents ?? shipment.lines.map((line) => ({ sku: line.sku, quantity: line.quantity }));
    for (const item of items) {
      level(p, "I");
      segments.push(["LIN", "", "VP", item.sku, ...moreProductIds(options.productIds, item.sku)]);
      segments.push(["SN1", "", item.quantity, uomToX12(uomOf.get(item.sku) ?? "EA")]);
    }
  }
  segments.push(["CTT", String(hl)]);
  return { type: "856", segments };
}
