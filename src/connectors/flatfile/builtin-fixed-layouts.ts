/**
 * Built-in fixed-width layouts: the in-house flat files of the bots EDI translator (HEA/LIN record
 * types, type in positions 1-3), as found in the conformance corpus. They are examples to copy as
 * much as layouts to use: positions were read from the published sample files, so a partner's
 * variant of the same file may differ. What each file carries and where it goes:
 *
 * - `bots-desadv96`: despatch advice -> `shipment`. The header has no order reference in a known
 *   position, so the despatch number is both the shipment id and the order id (channel `desadv`).
 * - `bots-invoic96`: invoice -> `invoice`; allowances and charges (HAL/LAL) and the totals record
 *   (TOT) are skipped, and totals are derived from the lines.
 * - `bots-inhouse810`: the source of an X12 810 invoice -> `invoice`, prices in USD, totals derived.
 */
import type { FlatFileLayout, LayoutField } from "./flat-file-layout.ts";

/** A built-in layout and how to recognise its files. */
export interface BuiltinLayout {
  readonly name: string;
  readonly layout: FlatFileLayout;
  /** True when a file (its name, and its first lines as text) is one this layout reads. */
  matches(fileName: string, head: string): boolean;
}

const at = (name: string, start: number, length: number, extra: Partial<LayoutField> = {}): LayoutField => ({
  name,
  start,
  length,
  type: "text",
  ...extra,
});
const constant = (name: string, target: string, value: string | boolean): LayoutField => ({
  name,
  target,
  type: "constant",
  value,
});
const required = true;

export const BOTS_DESADV96: FlatFileLayout = {
  format: "fixed-width",
  entity: "shipment",
  description: "bots in-house DESADV D96A (EANCOM): HEA despatch header, LIN despatched lines",
  encoding: "latin1",
  recordType: { start: 1, length: 3 },
  records: [
    {
      type: "HEA",
      role: "header",
      fields: [
        at("message", 4, 18),
        at("sender", 24, 13),
        at("receiver", 37, 13),
        at("despatchNumber", 51, 17, { target: "shipmentId", required }),
        at("orderId", 51, 17, { target: "order.channelOrderId", required }),
        at("despatchedAt", 68, 12, { type: "date", format: "CCYYMMDDHHmm", target: "shippedAt", required }),
        // One sample header has the date without its time: read them apart.
        at("deliveryDate", 165, 8, { type: "date", format: "CCYYMMDD", as: "date" }),
        at("deliveryTime", 173, 4),
        constant("channel", "order.channel", "desadv"),
        constant("status", "status", "shipped"),
      ],
    },
    {
      type: "LIN",
      role: "detail",
      fields: [
        at("lineNumber", 4, 6, { type: "integer" }),
        at("gtin", 10, 13, { target: "lines[].sku", required }),
        at("quantity", 59, 16, { type: "decimal", target: "lines[].quantity", required }),
        constant("uom", "lines[].uom", "C62"),
      ],
    },
  ],
};

export const BOTS_INVOIC96: FlatFileLayout = {
  format: "fixed-width",
  entity: "invoice",
  description: "bots in-house INVOIC D96A (EANCOM): HEA header, LIN lines; HAL/LAL/TOT skipped",
  encoding: "latin1",
  recordType: { start: 1, length: 3 },
  derive: { totals: true },
  records: [
    {
      type: "HEA",
      role: "header",
      fields: [
        at("message", 4, 18),
        at("invoiceNumber", 51, 28, { target: "invoiceNumber", required }),
        at("documentType", 79, 3, {
          map: { "380": "invoice", "381": "credit_note" },
          target: "kind",
          required,
        }),
        at("buyer", 82, 13, { target: "customer.name", required }),
        at("buyerCode", 82, 13, { target: "customer.code" }),
        at("issuedOn", 224, 8, { type: "date", format: "CCYYMMDD", target: "issuedAt", required }),
        at("currency", 235, 3, { target: "currency", required }),
        at("orderNumber", 255, 34, { target: "orders[0].channelOrderId" }),
        constant("orderChannel", "orders[0].channel", "edi"),
        constant("status", "status", "posted"),
        constant("customerKind", "customer.kind", "company"),
        constant("pricesIncludeTax", "pricesIncludeTax", false),
      ],
    },
    { type: "HAL", role: "ignore", fields: [] },
    {
      type: "LIN",
      role: "detail",
      fields: [
        at("lineNumber", 4, 6, { target: "lines[].lineId", required }),
        at("gtin", 10, 13, { target: "lines[].sku", required }),
        at("quantity", 76, 16, { type: "decimal", target: "lines[].quantity", required }),
        at("quantityDelivered", 92, 16, { type: "decimal" }),
        at("amount", 108, 20, { type: "decimal", target: "lines[].total", required }),
        at("unitPrice", 128, 20, { type: "decimal", target: "lines[].unitPrice", required }),
        at("taxCategory", 167, 1),
        at("taxRate", 170, 12, { type: "decimal" }),
        constant("uom", "lines[].uom", "C62"),
      ],
    },
    { type: "LAL", role: "ignore", fields: [] },
    { type: "TOT", role: "ignore", fields: [] },
  ],
};

export const BOTS_INHOUSE810: FlatFileLayout = {
  format: "fixed-width",
  entity: "invoice",
  description: "bots in-house source of an X12 810 invoice: HEA with ship-to, LIN books; trailer 'x' at 240",
  encoding: "latin1",
  recordType: { start: 1, length: 3 },
  derive: { lineTotals: true, totals: true },
  records: [
    {
      type: "HEA",
      role: "header",
      fields: [
        at("sender", 6, 11),
        at("receiver", 17, 35),
        at("invoiceNumber", 52, 9, { target: "invoiceNumber", required }),
        at("invoiceDate", 61, 10, { type: "date", format: "CCYY/MM/DD", target: "issuedAt", required }),
        at("shipDate", 116, 10, { type: "date", format: "CCYY/MM/DD" }),
        at("shipToName", 126, 22, { target: "customer.name", required }),
        at("shipToName2", 148, 25),
        at("street", 173, 40),
        at("city", 213, 15),
        at("state", 228, 2),
        at("zip", 230, 10),
        constant("customerKind", "customer.kind", "company"),
        constant("kind", "kind", "invoice"),
        constant("status", "status", "posted"),
        constant("currency", "currency", "USD"),
        constant("pricesIncludeTax", "pricesIncludeTax", false),
      ],
    },
    {
      type: "LIN",
      role: "detail",
      fields: [
        at("isbn", 6, 25, { target: "lines[].sku", required }),
        at("quantity", 31, 10, { type: "decimal", target: "lines[].quantity", required }),
        at("unitPrice", 41, 20, { type: "decimal", target: "lines[].unitPrice", required }),
        at("binding", 61, 10),
        at("title", 71, 169, { target: "lines[].name" }),
        constant("uom", "lines[].uom", "C62"),
      ],
    },
  ],
};

/** The fixed-width layouts `crossdock conformance` tries, in order. */
export const BUILTIN_FIXED_LAYOUTS: readonly BuiltinLayout[] = [
  { name: "bots-desadv96", layout: BOTS_DESADV96, matches: (_name, head) => head.startsWith("HEADESADV") },
  { name: "bots-invoic96", layout: BOTS_INVOIC96, matches: (_name, head) => head.startsWith("HEAINVOIC") },
  { name: "bots-inhouse810", layout: BOTS_INHOUSE810, matches: (_name, head) => /^HEA {2}\S/.test(head) },
];
