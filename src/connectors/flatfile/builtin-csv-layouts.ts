/**
 * Built-in CSV layouts for the bots translator's sample flat files found in the conformance corpus:
 *
 * - `bots-orders-flat`: one row per order line, the order's header fields repeated on every row, no
 *   header row -> `order`, grouped by the order number (column 5). The file has no prices: lines are
 *   priced 0 for Odoo's price list to fill, totals derived.
 * - `bots-articledata`: semicolon-separated article master with a header row, quoted and padded
 *   values, decimal comma -> `product`, one per article number (rows of the same article agree).
 * - `alto-header` and `alto-detail`: the two halves of a header/detail pair split over two files
 *   (joined by the document number in column 1). Each half alone is not a canonical document, so
 *   these layouts read and check the records (the header's dates, the detail's decimals) and count
 *   them, without an entity.
 */
import type { BuiltinLayout } from "./builtin-fixed-layouts.ts";
import type { FlatFileLayout, LayoutField } from "./flat-file-layout.ts";

const col = (name: string, column: number, extra: Partial<LayoutField> = {}): LayoutField => ({
  name,
  column,
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

export const BOTS_ORDERS_FLAT: FlatFileLayout = {
  format: "csv",
  entity: "order",
  description: "bots flattened ORDERS D96A: one row per line, header fields repeated, no header row",
  groupBy: "orderNumber",
  derive: { lineTotals: true, totals: true },
  records: [
    {
      fields: [
        col("message", 1, { required }),
        col("sender", 2, { target: "customer.name", required }),
        col("orderNumber", 5, { target: "channelOrderId", required }),
        col("orderNumberShown", 5, { target: "orderNumber" }),
        col("orderDate", 6, { type: "date", format: "CCYYMMDD", target: "placedAt", required }),
        col("buyerGln", 11, { target: "customer.code" }),
        col("deliveryDate", 16, { type: "date", format: "CCYYMMDD", as: "date" }),
        col("lineNumber", 26, { target: "lines[].lineId", required }),
        col("gtin", 27, { target: "lines[].sku", required }),
        col("quantity", 30, { type: "decimal", target: "lines[].quantity", required }),
        constant("channel", "channel", "edi-flat"),
        constant("status", "status", "pending"),
        constant("customerKind", "customer.kind", "company"),
        constant("currency", "currency", "EUR"),
        constant("pricesIncludeTax", "pricesIncludeTax", false),
        constant("uom", "lines[].uom", "C62"),
        constant("unitPrice", "lines[].unitPrice", "0"),
      ],
    },
  ],
};

export const BOTS_ARTICLEDATA: FlatFileLayout = {
  format: "csv",
  entity: "product",
  description: "bots article data: ; separated, header row, decimal comma, padded quoted values",
  csv: { delimiter: ";", header: true },
  groupBy: "article",
  records: [
    {
      fields: [
        { name: "gtin", header: "GTIN/EAN", type: "text", target: "barcodes[0].value" },
        { name: "article", header: "ArticleNumber", type: "text", target: "sku", required },
        { name: "description", header: "Description", type: "text", target: "name", required },
        { name: "size", header: "Size", type: "text" },
        { name: "color", header: "Color", type: "text" },
        { name: "group", header: "BuyerProductGroup", type: "text" },
        {
          name: "retailPrice",
          header: "RetailPrice",
          type: "decimal",
          decimalComma: true,
          target: "prices[0].amount",
        },
        { name: "dateFrom", header: "DateFrom", type: "date", format: "DD-MM-CCYY", as: "date" },
        { name: "promoPrice", header: "PromoPrice", type: "decimal", decimalComma: true },
        { name: "dateUntil", header: "DateUntill", type: "date", format: "DD-MM-CCYY", as: "date" },
        constant("barcodeKind", "barcodes[0].kind", "gtin"),
        constant("currency", "prices[0].currency", "EUR"),
        constant("priceList", "prices[0].priceList", "retail"),
        constant("includesTax", "prices[0].includesTax", true),
        constant("uom", "uom", "C62"),
        constant("storable", "storable", true),
      ],
    },
  ],
};

export const ALTO_HEADER: FlatFileLayout = {
  format: "csv",
  description:
    "alto ETRHDR: header half of a split pair (document, supplier, date format, dates, order, amounts)",
  groupBy: "document",
  records: [
    {
      fields: [
        col("document", 1, { type: "integer", required }),
        col("supplier", 2, { type: "integer", required }),
        col("dateFormat", 3, { map: { CCYYMMDD: "CCYYMMDD" }, required }),
        col("invoiceDate", 4, { type: "date", format: "CCYYMMDD", required }),
        col("deliveryDate", 5, { type: "date", format: "CCYYMMDD" }),
        col("order", 6, { required }),
        col("net", 7, { type: "decimal", required }),
        col("tax", 8, { type: "decimal" }),
        col("gross", 9, { type: "decimal", required }),
      ],
    },
  ],
};

export const ALTO_DETAIL: FlatFileLayout = {
  format: "csv",
  description: "alto ETRDTL: detail half of a split pair (document, line, quantity, price, amount, article)",
  groupBy: "document",
  records: [
    {
      fields: [
        col("document", 1, { type: "integer", required }),
        col("line", 2, { type: "integer", required }),
        col("quantity", 3, { type: "decimal", required }),
        col("unitPrice", 4, { type: "decimal", required }),
        col("amount", 5, { type: "decimal", required }),
        col("article", 6, { required }),
      ],
    },
  ],
};

const firstLine = (head: string) => head.split(/\r?\n/, 1)[0] ?? "";

/** The CSV layouts `crossdock conformance` tries, in order. */
export const BUILTIN_CSV_LAYOUTS: readonly BuiltinLayout[] = [
  {
    name: "bots-orders-flat",
    layout: BOTS_ORDERS_FLAT,
    matches: (_n, head) => /^"ORDERS[A-Z0-9]*",/.test(head),
  },
  {
    name: "bots-articledata",
    layout: BOTS_ARTICLEDATA,
    matches: (_n, head) => firstLine(head).startsWith('"GTIN/EAN";'),
  },
  {
    name: "alto-header",
    layout: ALTO_HEADER,
    matches: (_n, head) => /^[0-9]+,[0-9]+,"[A-Z]{8}",[0-9]{8},/.test(head),
  },
  {
    name: "alto-detail",
    layout: ALTO_DETAIL,
    matches: (_n, head) => /^[0-9]+,[0-9]+,[0-9.]+,[0-9.]+,[0-9.]+,"[^"]*"\r?$/m.test(firstLine(head)),
  },
];
