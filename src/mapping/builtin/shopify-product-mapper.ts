import type { Product } from "../../core/model/product.ts";
import type { JsonValue } from "../../store/store.ts";
import type { MapOutcome, Mapping, MappingContext } from "../mapping.ts";
import {
  arrayOf,
  asObject,
  at,
  member,
  optionalId,
  optionalText,
  requiredId,
  requiredText,
  runBuiltinMapper,
} from "./document-reader.ts";
import { money } from "./shopify-lines.ts";

export interface ShopifyProductOptions {
  /** The shop's currency (ISO 4217); without it the products carry no prices. */
  readonly currency?: string;
  /** Whether the shop's prices include tax (Shopify's `taxes_included` setting). Default false. */
  readonly taxesIncluded?: boolean;
}

function plainText(html: string): string {
  return html
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** Maps one product resource (unwrapped); throws `DocumentFault` on a document that does not fit. */
export function mapShopifyProduct(
  body: unknown,
  channel: string,
  options: ShopifyProductOptions = {},
  base = "",
): { products: Product[]; skipped: string[] } {
  const product = asObject(body, base);
  const productId = requiredId(product, "id", base);
  const title = requiredText(product, "title", base, 512);
  const html = optionalText(product, "body_html", base, 1_000_000);
  const description = html === undefined ? undefined : plainText(html).slice(0, 20_000);
  const status = optionalText(product, "status", base, 32);
  const active = status === undefined ? member(product, "published_at") !== undefined : status === "active";
  const skipped: string[] = [];
  const products = arrayOf(product, "variants", base, 2_000).flatMap((raw, i): Product[] => {
    const path = at(at(base, "variants"), i);
    const variant = asObject(raw, path);
    const variantId = requiredId(variant, "id", path);
    const sku = optionalText(variant, "sku", path, 128);
    if (sku === undefined) {
      skipped.push(`${path}: variant ${variantId} has no SKU: no product record`);
      return [];
    }
    const variantTitle = optionalText(variant, "title", path, 256);
    const name = variantTitle && variantTitle !== "Default Title" ? `${title} - ${variantTitle}` : title;
    const barcode = optionalText(variant, "barcode", path, 48);
    const inventoryItemId = optionalId(variant, "inventory_item_id", path);
    const price = member(variant, "price");
    return [
      {
        schemaVersion: 1,
        sku,
        name: name.slice(0, 512),
        ...(description ? { description } : {}),
        ...(barcode && /^[0-9A-Za-z-]{1,48}$/.test(barcode)
          ? { barcodes: [{ value: barcode, kind: /^(\d{8}|\d{12,14})$/.test(barcode) ? "gtin" : "other" }] }
          : {}),
        uom: "C62",
        storable: member(variant, "requires_shipping") !== false,
        ...(options.currency && price !== undefined
          ? {
              prices: [
                {
                  currency: options.currency,
                  amount: money(price, at(path, "price")),
                  includesTax: options.taxesIncluded === true,
                },
              ],
            }
          : {}),
        active,
        refs: [
          { system: channel, kind: "product", id: productId },
          { system: channel, kind: "variant", id: variantId },
          ...(inventoryItemId ? [{ system: channel, kind: "inventory_item", id: inventoryItemId }] : []),
        ],
        extensions: {
          [channel]: {
            vendor: optionalText(product, "vendor", base, 256) ?? null,
            productType: optionalText(product, "product_type", base, 256) ?? null,
            tags: optionalText(product, "tags", base, 4_000) ?? null,
            grams: typeof member(variant, "grams") === "number" ? (member(variant, "grams") as number) : null,
          },
        },
      },
    ];
  });
  return { products, skipped };
}

/** The built-in `shopify-product@1` mapping: one product per variant with a SKU. */
export const shopifyProductMapping: Mapping = {
  name: "shopify-product",
  version: 1,
  kind: "builtin",
  source: { connectionType: "shopify", documentType: "products/update" },
  target: "product/v1",
  emits: "product.changed",
  origin: "built-in",
  async map(document: unknown, context: MappingContext): Promise<MapOutcome> {
    return runBuiltinMapper("shopify-product@1", () =>
      mapShopifyProduct(document, context.connection).products.map((p) => ({
        key: p.sku,
        value: p as unknown as JsonValue,
      })),
    );
  },
};
