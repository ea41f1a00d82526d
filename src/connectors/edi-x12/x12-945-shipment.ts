/**
 * 945 (warehouse shipping advice from a 3PL) to the canonical `shipment`.
 *
 * - `order` is the depositor order number W06-02 (what Crossdock sent in W05-02 of the 940) in the
 *   connection's channel; `shipmentId` is W06-04 (else W06-05, else W06-02).
 * - `shippedAt` is G62*11 (shipped) with its time, else W06-03.
 * - Carrier from W27-02 (SCAC) and W27-03 (routing, as the service).
 * - Tracking: N9 with qualifier `2I` (tracking number), `CN` (carrier reference / PRO) or `BM` (bill of
 *   lading), in that order, at the header; per line (after a W12), the same qualifiers make a package.
 * - One line per W12 with units shipped W12-03 > 0: the SKU from W12-07/08 (else W12-16/17, else the
 *   UPC W12-06), unit W12-05, lot W12-09. Lines with nothing shipped are left out.
 * - Ship-to from N1*ST; warehouse from N1*SF/WH id.
 */
import type { Shipment } from "../../core/model/shipment.ts";
import { wholeSet, type X12MapperFactory, type X12SetContext } from "./x12-mapping.ts";
import { N1Loops, partyAddress } from "./x12-parties.ts";
import { emitChecked, X12Origins } from "./x12-record-check.ts";
import { el, elementProblem, problemAt, type X12Problem, type X12Segment } from "./x12-segment.ts";
import { uomFromX12, x12Decimal, x12Timestamp } from "./x12-values.ts";

const TRACKING = ["2I", "CN", "BM"];
const CODE = /^[A-Za-z0-9][A-Za-z0-9_./-]{0,63}$/;

function tracking(n9s: readonly X12Segment[]): string | undefined {
  for (const qualifier of TRACKING) {
    const found = n9s.find((n9) => el(n9, 1) === qualifier && el(n9, 2).trim() !== "");
    if (found !== undefined) return el(found, 2).trim();
  }
  return undefined;
}

function map945(segments: readonly X12Segment[], context: X12SetContext): X12Problem | undefined {
  const { file, options } = context;
  const offset = options.timeZoneOffset ?? "Z";
  const origins = new X12Origins(context.st);
  const parties = new N1Loops();
  const headerN9: X12Segment[] = [];
  const items: { w12: X12Segment; n9: X12Segment[] }[] = [];
  let w06: X12Segment | undefined;
  let w27: X12Segment | undefined;
  let shippedAt: string | undefined;
  for (const seg of segments) {
    const item = items.at(-1);
    if (seg.tag === "W06") w06 ??= seg;
    else if (seg.tag === "W27") w27 ??= seg;
    else if (seg.tag === "G62" && el(seg, 1) === "11")
      shippedAt ??= x12Timestamp(el(seg, 2), el(seg, 4), offset);
    else if (seg.tag === "W12") items.push({ w12: seg, n9: [] });
    else if (seg.tag === "N9") (item === undefined ? headerN9 : item.n9).push(seg);
    else if (item === undefined) parties.accept(seg);
  }
  if (w06 === undefined) {
    return problemAt(
      "CDK_EDI_CONTENT",
      file,
      { segment: context.st.index, line: context.st.line, tag: "ST" },
      "the 945 has no W06 segment; expected W06 with the depositor order number",
    );
  }
  const orderId = el(w06, 2).trim();
  if (!orderId)
    return elementProblem(
      "CDK_EDI_CONTENT",
      file,
      w06,
      2,
      "W06-02 (depositor order number) is empty; expected the order number sent in the 940",
    );
  shippedAt ??= x12Timestamp(el(w06, 3), "", offset);
  if (shippedAt === undefined)
    return elementProblem(
      "CDK_EDI_CONTENT",
      file,
      w06,
      3,
      `W06-03 (shipment date) is "${el(w06, 3)}" and there is no G62*11; expected a date CCYYMMDD`,
    );
  const lines: Shipment["lines"][number][] = [];
  const packages: NonNullable<Shipment["packages"]>[number][] = [];
  for (const { w12, n9 } of items) {
    const shipped = x12Decimal(el(w12, 3));
    if (shipped === undefined)
      return elementProblem(
        "CDK_EDI_CONTENT",
        file,
        w12,
        3,
        `W12-03 (units shipped) is "${el(w12, 3)}"; expected a number`,
      );
    if (shipped === "0" || shipped.startsWith("-")) continue;
    const skuAt = el(w12, 8).trim() ? 8 : el(w12, 17).trim() ? 17 : 6;
    const sku = el(w12, skuAt).trim();
    if (!sku)
      return elementProblem(
        "CDK_EDI_CONTENT",
        file,
        w12,
        8,
        "no product id in W12-08, W12-17 or W12-06; expected the item shipped",
      );
    const lot = el(w12, 9).trim();
    origins.set(`/lines/${lines.length}`, w12);
    origins.set(`/lines/${lines.length}/uom`, w12, 5);
    lines.push({
      sku,
      quantity: shipped,
      uom: uomFromX12(el(w12, 5)) ?? "EA",
      ...(lot ? { lots: [{ lot: lot.slice(0, 128), quantity: shipped }] } : {}),
    });
    const number = tracking(n9);
    if (number !== undefined) {
      const existing = packages.find((p) => p.trackingNumber === number);
      if (existing === undefined)
        packages.push({ trackingNumber: number.slice(0, 128), contents: [{ sku, quantity: shipped }] });
      else (existing.contents as { sku: string; quantity: string }[]).push({ sku, quantity: shipped });
    }
  }
  if (lines.length === 0)
    return elementProblem(
      "CDK_EDI_CONTENT",
      file,
      items[0]?.w12 ?? w06,
      items[0] ? 3 : 2,
      "no W12 line with units shipped; expected at least one",
    );
  const shipTo = partyAddress(parties.find("ST"), options.defaultCountry ?? "US");
  const warehouse = parties.find("SF", "WH")?.id;
  const trackingNumber = tracking(headerN9) ?? packages[0]?.trackingNumber;
  const shipment = {
    schemaVersion: 1,
    shipmentId: (el(w06, 4).trim() || el(w06, 5).trim() || orderId).slice(0, 255),
    order: { channel: options.connection, channelOrderId: orderId },
    ...(warehouse && CODE.test(warehouse) ? { warehouse } : {}),
    status: "shipped",
    ...(w27 !== undefined && el(w27, 2).trim() ? { carrier: el(w27, 2).trim().slice(0, 64) } : {}),
    ...(w27 !== undefined && el(w27, 3).trim() ? { service: el(w27, 3).trim().slice(0, 128) } : {}),
    ...(trackingNumber === undefined ? {} : { trackingNumber }),
    shippedAt,
    ...(shipTo === undefined ? {} : { shipTo }),
    lines,
    ...(packages.length > 0 ? { packages } : {}),
    extensions: {
      [options.connection]: {
        reportingCode: el(w06, 1),
        ...(el(w06, 6).trim() ? { purchaseOrderNumber: el(w06, 6).trim() } : {}),
        references: Object.fromEntries(headerN9.map((n9) => [el(n9, 1), el(n9, 2)])),
        // W12-01 (CC complete, CP considered complete, PR partial with the rest to follow), W12-02
        // ordered and W12-03 shipped: whether the order has more to come.
        lineStatuses: items.map(({ w12 }) => ({
          status: el(w12, 1).trim(),
          ...(el(w12, 2).trim() ? { ordered: el(w12, 2).trim() } : {}),
          shipped: el(w12, 3).trim() || "0",
        })),
      },
    },
  };
  return emitChecked(context, "shipment", shipment, origins);
}

/** The 945 mapper. */
export const x12ShipmentMapper: X12MapperFactory = {
  type: "945",
  entity: "shipment",
  create: (context) => wholeSet(map945, context),
};
