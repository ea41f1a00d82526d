/**
 * DESADV from a canonical `shipment`: BGM+351 with the shipment id, DTM+137/11, RFF+ON (the order),
 * RFF+CN (tracking), NAD+DP (ship-to), TDT (carrier), then the packing hierarchy: CPS+1 for the
 * consignment, one CPS (with PAC and GIN+BJ carrying the package id) per package with its contents as
 * LIN groups (QTY+12, RFF+LI for the order line), and the lines not in any package under CPS+1.
 *
 * Read back with `mapDesadv`, a shipment whose packages list their contents returns one line per
 * package content; lines are otherwise unchanged.
 */
import { compareDecimals, subtractDecimals, sumDecimals } from "../../core/model/decimal.ts";
import type { Shipment } from "../../core/model/shipment.ts";
import { partySegments } from "./edifact-nad-writer.ts";
import { type DraftSegment, dtm, type MessageDraft, num } from "./edifact-writer.ts";

type ShipmentLine = Shipment["lines"][number];

/** The DESADV message body for one shipment. */
export function desadvDraft(shipment: Shipment): MessageDraft {
  const segments: DraftSegment[] = [
    ["BGM", "351", shipment.shipmentId, "9"],
    dtm("137", shipment.shippedAt),
    dtm("11", shipment.shippedAt),
    ["RFF", ["ON", shipment.order.channelOrderId]],
    ...(shipment.trackingNumber ? [["RFF", ["CN", shipment.trackingNumber]] as DraftSegment] : []),
    ...(shipment.shipTo ? partySegments("DP", undefined, shipment.shipTo) : []),
    ...(shipment.carrier ? [["TDT", "20", "", "", "", shipment.carrier] as DraftSegment] : []),
    ["CPS", "1"],
  ];
  let lineNumber = 0;
  const lin = (line: ShipmentLine, quantity: string) => {
    lineNumber++;
    segments.push(
      ["LIN", String(lineNumber), "", [line.sku, "SA"]],
      ["QTY", ["12", num(quantity), line.uom]],
    );
    if (line.orderLineId) segments.push(["RFF", ["LI", line.orderLineId]]);
  };
  // What is left of each line once the packages' contents are taken out, by SKU.
  const left = new Map<string, string>();
  for (const line of shipment.lines)
    left.set(line.sku, sumDecimals([left.get(line.sku) ?? "0", line.quantity]));
  const packed = (shipment.packages ?? []).filter((p) => p.packageId && (p.contents?.length ?? 0) > 0);
  const packedItems: [string, DraftSegment[], [ShipmentLine, string][]][] = packed.map((pack, index) => [
    String(index + 2),
    [
      ["PAC", "1"],
      ["GIN", "BJ", pack.packageId ?? ""],
    ],
    (pack.contents ?? []).map((content) => {
      left.set(content.sku, subtractDecimals(left.get(content.sku) ?? "0", content.quantity));
      const line = shipment.lines.find((l) => l.sku === content.sku)!;
      return [line, content.quantity];
    }),
  ]);
  for (const line of shipment.lines) {
    const rest = left.get(line.sku) ?? "0";
    if (compareDecimals(rest, "0") <= 0) continue;
    const quantity = compareDecimals(rest, line.quantity) < 0 ? rest : line.quantity;
    left.set(line.sku, subtractDecimals(rest, quantity));
    lin(line, quantity);
  }
  for (const [level, packaging, contents] of packedItems) {
    segments.push(["CPS", level, "1"], ...packaging);
    for (const [line, quantity] of contents) lin(line, quantity);
  }
  segments.push(["CNT", ["2", String(lineNumber)]]);
  return { type: "DESADV", segments };
}
