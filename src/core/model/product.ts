/**
 * The canonical product: what a channel lists, a warehouse stores and Odoo sells, keyed by SKU.
 * Prices are per price list and currency; a product without a price is valid (a 3PL item master).
 */
import Type from "typebox";
import {
  CurrencyCode,
  closed,
  Extensions,
  MODEL_BASE_URI,
  Money,
  Quantity,
  quantityAs,
  Refs,
  SchemaVersion,
  Sku,
  Text,
  Uom,
} from "./model-primitives.ts";

export const Barcode = Type.Object(
  {
    value: Type.String({
      pattern: "^[0-9A-Za-z-]{1,48}$",
      description: "the barcode's digits or characters",
    }),
    kind: Type.Enum(["gtin", "other"], {
      description: "gtin (EAN-8, UPC-A, EAN-13, GTIN-14: check digit verified) or other",
    }),
  },
  closed,
);

export const ProductPrice = Type.Object(
  {
    priceList: Type.Optional(Text(128)),
    currency: CurrencyCode,
    amount: Money,
    includesTax: Type.Boolean(),
    minQuantity: Type.Optional(Quantity),
  },
  { ...closed, description: "a unit price in one currency, optionally per price list and quantity break" },
);

export const Product = Type.Object(
  {
    schemaVersion: SchemaVersion(1),
    sku: Sku,
    name: Text(512),
    description: Type.Optional(Text(20_000)),
    barcodes: Type.Optional(Type.Array(Barcode, { maxItems: 20 })),
    uom: Uom,
    packSize: Type.Optional(quantityAs('units of `uom` in one pack, e.g. "12" for a case of 12')),
    storable: Type.Boolean({ description: "true when stock is counted for it (false: service, consumable)" }),
    prices: Type.Optional(Type.Array(ProductPrice, { maxItems: 100 })),
    active: Type.Optional(Type.Boolean()),
    refs: Type.Optional(Refs),
    extensions: Type.Optional(Extensions),
  },
  {
    ...closed,
    $id: `${MODEL_BASE_URI}product/v1`,
    title: "Product",
    description: "a sellable or stockable item, keyed by SKU",
  },
);
export type Product = Type.Static<typeof Product>;
