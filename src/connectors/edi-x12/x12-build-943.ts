/**
 * 943 (warehouse stock transfer shipment advice) to a 3PL: the shipment it should expect to receive, a
 * supplier's delivery or a transfer from another warehouse. The 3PL answers with a 944 (receipt
 * advice, `x12-944-receipt.ts`) that echoes W06-02 in W17-04.
 *
 * The input is a `StockTransfer`: a canonical `shipment` on its way to the 3PL's warehouse, plus what
 * the shipment does not say (the receiving warehouse, the shipper, the purchase order it fills).
 * `shipment.order` names what the goods are for: the purchase order of a supplier delivery (channel =
 * the supplier connection), or the internal transfer (channel = the Odoo connection, the picking name).
 *
 * - W06: W06-01 reporting code (`J` original by default), W06-02 the depositor order number
 *   (`shipment.order.channelOrderId`), W06-03 the ship date (UTC), W06-04 the shipment id, W06-06 the
 *   purchase order number when given.
 * - N1 loops: DE the depositor (us, from the options), SF the shipper (with N3/N4 when its address is
 *   known), ST the receiving warehouse (`92` its code; N3/N4 from `shipment.shipTo`).
 * - N9*PO the purchase order number, N9*2I the tracking number; G62*17 the expected delivery date.
 * - W27: transportation method (`M` motor by default), the carrier (SCAC), the service as routing.
 * - Per shipment line, and per lot when the line has lots: W04 with quantity, unit (Rec 20 written as
 *   X12), `VN` the SKU and `UP` its UPC when given; N9*LI the order line id; N9*LT the lot.
 * - W03: total units, the weight in KG when every package has one, the package count (`CT`).
 *
 * Left out: W10/W20 (pallet and packing details), G69 descriptions (a shipment line has no name),
 * serial numbers, NTE notes, lot expiry dates.
 */
import { compareDecimals, subtractDecimals, sumDecimals } from "../../core/model/decimal.ts";
import type { Address } from "../../core/model/party.ts";
import type { Shipment } from "../../core/model/shipment.ts";
import { toX12DateTime, uomToX12 } from "./x12-values.ts";
import type { X12SetBody } from "./x12-writer.ts";

/** A shipment on its way to a 3PL's warehouse, with what the 943 needs besides the shipment. */
export interface StockTransfer {
  readonly shipment: Shipment;
  /** The receiving warehouse at the 3PL: its code (N1*ST `92`) and name. */
  readonly to: { readonly code: string; readonly name?: string };
  /** The shipper (N1*SF): the supplier, or our other warehouse. Default: `shipment.warehouse` as code and name. */
  readonly from?: { readonly name: string; readonly code?: string; readonly address?: Address };
  /** The purchase order the delivery fills (W06-06, N9*PO), when it is not `shipment.order.channelOrderId`. */
  readonly poNumber?: string;
  /** G62*17: when the goods are expected at the warehouse, `YYYY-MM-DD`. */
  readonly expectedOn?: string;
  /** UPC per SKU, written as `UP` beside the SKU. */
  readonly upcs?: Readonly<Record<string, string>>;
}

/** What the 943 needs besides the transfer. */
export interface Build943Options {
  /** N1*DE: the depositor (the distributor that owns the goods), with its id at the 3PL. */
  readonly depositor: { readonly name: string; readonly id?: string };
  /** W06-01; default `J` (original). Some 3PL guides want another code (`N`, `F`). */
  readonly reportingCode?: string;
  /** W27-01; default `M` (motor carrier). */
  readonly transportationMethod?: string;
}

const KG_PER: Readonly<Record<string, number>> = { g: 0.001, kg: 1, lb: 0.45359237, oz: 0.028349523125 };

function party(role: string, name: string, code: string | undefined, address: Address | undefined) {
  const segments: string[][] = [code === undefined ? ["N1", role, name] : ["N1", role, name, "92", code]];
  if (address !== undefined) {
    segments.push(["N3", address.street, address.street2 ?? ""]);
    segments.push(["N4", address.city, address.region ?? "", address.postalCode ?? "", address.countryCode]);
  }
  return segments;
}

/** Total weight in kilograms when every package has one (3 decimals at most), else undefined. */
function totalKg(shipment: Shipment): string | undefined {
  const packages = shipment.packages ?? [];
  if (packages.length === 0 || packages.some((p) => p.weight === undefined)) return undefined;
  const kg = packages.reduce((sum, p) => sum + Number(p.weight!.value) * (KG_PER[p.weight!.unit] ?? 0), 0);
  return String(Math.round(kg * 1000) / 1000);
}

export function build943(transfer: StockTransfer, options: Build943Options): X12SetBody {
  const { shipment } = transfer;
  const shipped = toX12DateTime(shipment.shippedAt).date;
  const segments: string[][] = [
    [
      "W06",
      options.reportingCode ?? "J",
      shipment.order.channelOrderId,
      shipped,
      shipment.shipmentId,
      "",
      transfer.poNumber ?? "",
    ],
  ];
  const depositor = options.depositor;
  segments.push(...party("DE", depositor.name, depositor.id, undefined));
  const from = transfer.from ?? (shipment.warehouse === undefined ? undefined : { name: shipment.warehouse });
  if (from !== undefined)
    segments.push(...party("SF", from.name, from.code ?? shipment.warehouse, from.address));
  segments.push(...party("ST", transfer.to.name ?? transfer.to.code, transfer.to.code, shipment.shipTo));
  if (transfer.poNumber !== undefined) segments.push(["N9", "PO", transfer.poNumber]);
  if (shipment.trackingNumber !== undefined) segments.push(["N9", "2I", shipment.trackingNumber]);
  if (transfer.expectedOn !== undefined)
    segments.push(["G62", "17", transfer.expectedOn.replaceAll("-", "")]);
  segments.push(["W27", options.transportationMethod ?? "M", shipment.carrier ?? "", shipment.service ?? ""]);
  for (const line of shipment.lines) {
    const upc = transfer.upcs?.[line.sku];
    const ids = upc === undefined ? ["VN", line.sku] : ["VN", line.sku, "UP", upc];
    const unit = uomToX12(line.uom);
    const lots = line.lots ?? [];
    // A line's lots cover at most its quantity; what no lot covers gets a W04 of its own.
    const inLots = sumDecimals(lots.map((lot) => lot.quantity));
    const parts: { quantity: string; lot?: string }[] = lots.map((lot) => ({
      quantity: lot.quantity,
      lot: lot.lot,
    }));
    if (lots.length === 0) parts.push({ quantity: line.quantity });
    else if (compareDecimals(line.quantity, inLots) > 0)
      parts.push({ quantity: subtractDecimals(line.quantity, inLots) });
    for (const part of parts) {
      segments.push(["W04", part.quantity, unit, "", ...ids]);
      if (line.orderLineId !== undefined) segments.push(["N9", "LI", line.orderLineId]);
      if (part.lot !== undefined) segments.push(["N9", "LT", part.lot]);
    }
  }
  const units = sumDecimals(shipment.lines.map((line) => line.quantity));
  const kg = totalKg(shipment);
  const packages = shipment.packages?.length ?? 0;
  const w03 = ["W03", units, kg ?? "", kg === undefined ? "" : "KG"];
  if (packages > 0) w03.push("", "", String(packages), "CT");
  segments.push(w03);
  return { type: "943", segments };
}
