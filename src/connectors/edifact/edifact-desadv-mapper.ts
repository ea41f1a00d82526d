/**
 * DESADV to canonical `shipment`s: one per order the despatch covers.
 *
 * | canonical | EDIFACT |
 * |---|---|
 * | `shipmentId` | BGM-02-1, suffixed `/<order>` when the despatch covers several orders |
 * | `order` | RFF+ON of the line (in its LIN group), else of the header |
 * | `shippedAt` | DTM+11 (despatch date), else DTM+137 |
 * | `shipTo` | NAD+DP (or ST) with a postal address |
 * | `carrier` | TDT-05-1, when present |
 * | `lines` | LIN groups: SKU by `itemIdPreference`, QTY+12 (else 21), RFF+LI as `orderLineId` |
 * | `packages` | one per CPS with a GIN+BJ (SSCC, the `packageId`); contents = the lines under that CPS |
 * | `trackingNumber` | header RFF+CN (carrier's reference) |
 *
 * A line with no order reference at all is a problem: a shipment always belongs to an order.
 */
import type { Shipment } from "../../core/model/shipment.ts";
import { headerCommon } from "./edifact-header.ts";
import {
  DEFAULT_ITEM_ID_PREFERENCE,
  type MapOutcome,
  type MappingContext,
} from "./edifact-mapping-context.ts";
import { itemNumbers, nadAddress, preferredItem, qualified, sections } from "./edifact-message-view.ts";
import { type EdifactSegment, valueAt } from "./edifact-syntax.ts";
import { canonicalUnit } from "./edifact-values.ts";

type Line = Shipment["lines"][number] & {
  readonly order: string;
  readonly cps?: EdifactSegment;
  readonly packageId?: string;
};

/** Maps one DESADV message; see the module comment. */
export function mapDesadv(ctx: MappingContext): MapOutcome {
  const { header, items } = sections(ctx.message);
  const common = headerCommon(ctx, header, {
    number: "the despatch advice number",
    dates: ["11", "137"],
    customerRoles: [],
    needsCurrency: false,
    paths: { number: "/shipmentId", date: "/shippedAt" },
  });
  const { bgm, number, issuedAt, parties, references } = common;
  // DESADV's own CPS/PAC level ids are not carried over: packages need an SSCC to be told apart.
  const headerOrder = references.find((s) => valueAt(s, 1) === "ON");
  if (items.length === 0)
    ctx.problem(undefined, {}, "the despatch advice has no lines", undefined, "at least one LIN");
  const preference = ctx.options.itemIdPreference ?? DEFAULT_ITEM_ID_PREFERENCE;
  const lines: Line[] = [];
  for (const group of items) {
    const item = preferredItem(itemNumbers(group), preference);
    const qty = qualified(group.segments, "QTY", "12", "21");
    const ref = (qualifier: string) =>
      group.segments.find((s) => s.tag === "RFF" && valueAt(s, 1) === qualifier);
    const order = valueAt(ref("ON") ?? headerOrder ?? group.lin, 1, 2).trim();
    if (!item)
      ctx.problem(
        group.lin,
        { element: 3, component: 1 },
        "the line has no item number",
        undefined,
        "LIN-03 or PIA",
      );
    if (!qty) ctx.problem(group.lin, {}, "the line has no despatched quantity", undefined, "QTY+12");
    if (!ref("ON") && !headerOrder)
      ctx.problem(
        group.lin,
        {},
        "the line has no order reference",
        undefined,
        "RFF+ON in the line or the header",
      );
    const quantity = qty && ctx.decimal(qty, 1, 2, "the quantity");
    const uom = qty && canonicalUnit(valueAt(qty, 1, 3), ctx.options.units ?? {});
    if (qty && uom === undefined)
      ctx.problem(
        qty,
        { element: 1, component: 3 },
        "the unit is not a UN/ECE Rec 20 code and has no mapping",
        valueAt(qty, 1, 3),
        "a Rec 20 code or a `units` entry",
      );
    if (!item || !quantity || !uom || order === "") continue;
    const gin = group.packaging.find((s) => s.tag === "GIN" && valueAt(s, 1) === "BJ");
    const packageId = gin ? valueAt(gin, 2).trim() : undefined;
    const lineId = ref("LI") && valueAt(ref("LI")!, 1, 2).trim();
    lines.push({
      ...(lineId ? { orderLineId: lineId } : {}),
      sku: item.id,
      quantity,
      uom,
      order,
      ...(group.cps ? { cps: group.cps } : {}),
      ...(packageId ? { packageId } : {}),
    });
    ctx.note(`/lines/${lines.filter((l) => l.order === order).length - 1}`, group.lin);
  }
  const shipToNad = parties.find((g) => ["DP", "ST"].includes(valueAt(g.nad, 1)));
  const shipTo = shipToNad && nadAddress(shipToNad.nad);
  const tdt = qualified(header, "TDT");
  const carrier = tdt ? valueAt(tdt, 5).trim() : "";
  const cn = references.find((s) => valueAt(s, 1) === "CN");
  const trackingNumber = cn ? valueAt(cn, 1, 2).trim() : "";
  if (ctx.problems.length > 0 || !bgm || !issuedAt) return ctx.finish("shipment", []);
  const orders = [...new Set(lines.map((line) => line.order))];
  const shipments: Shipment[] = orders.map((order) => {
    const own = lines.filter((line) => line.order === order);
    const packageIds = [...new Set(own.map((line) => line.packageId).filter((id) => id !== undefined))];
    return {
      schemaVersion: 1,
      shipmentId: orders.length === 1 ? number : `${number}/${order}`,
      order: { channel: ctx.channel, channelOrderId: order },
      status: "shipped",
      ...(carrier === "" ? {} : { carrier: carrier.slice(0, 64) }),
      ...(trackingNumber === "" ? {} : { trackingNumber: trackingNumber.slice(0, 128) }),
      shippedAt: issuedAt,
      ...(shipTo ? { shipTo } : {}),
      lines: own.map(({ order: _order, cps: _cps, packageId: _packageId, ...line }) => line),
      ...(packageIds.length === 0
        ? {}
        : {
            packages: packageIds.map((packageId) => ({
              packageId,
              contents: own
                .filter((line) => line.packageId === packageId)
                .map((line) => ({ sku: line.sku, quantity: line.quantity })),
            })),
          }),
      extensions: { [ctx.channel]: common.extension },
    };
  });
  if (orders.length > 1)
    ctx.warnings.push(
      `message ${ctx.message.reference}: the despatch covers ${orders.length} orders; one shipment each`,
    );
  return ctx.finish("shipment", shipments);
}
