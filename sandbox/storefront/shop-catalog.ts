import { money, parseMoney, shopTime } from "./shop-format.ts";

/** A product the sandbox shop sells: one product with one variant per SKU. */
export interface SandboxProductInput {
  sku: string;
  title?: string;
  /** Decimal string; default "10.00". */
  price?: string;
  grams?: number;
  /** Units available at the first location; default 100. */
  available?: number;
}

/**
 * The default catalogue: the first storable products of the sandbox Odoo's demo data (same SKUs,
 * names and prices), so the demo landscape's orders map without configuration.
 */
export const DEFAULT_PRODUCTS: readonly SandboxProductInput[] = [
  { sku: "FURN_0001", title: "Office Chair", price: "70.00", grams: 9000 },
  { sku: "FURN_0002", title: "Office Chair Black", price: "120.50", grams: 9500 },
  { sku: "FURN_0003", title: "Desk Combination", price: "450.00", grams: 40000 },
  { sku: "FURN_0005", title: "Corner Desk Left Sit", price: "85.00", grams: 25000 },
  { sku: "FURN_0008", title: "Drawer Black", price: "25.00", grams: 3000 },
  { sku: "FURN_0010", title: "Storage Box", price: "15.80", grams: 800 },
  { sku: "FURN_0013", title: "Desk Organizer", price: "5.10", grams: 400 },
  { sku: "FURN_0017", title: "Conference Chair", price: "33.00", grams: 6000 },
];

/** A variant as the catalogue keeps it; `inventoryItemId` is Shopify's separate inventory item. */
export interface Variant {
  id: bigint;
  productId: bigint;
  inventoryItemId: bigint;
  optionId: bigint;
  sku: string;
  title: string;
  priceCents: number;
  grams: number;
}

export interface Location {
  id: bigint;
  name: string;
}

/**
 * Products, variants, locations and inventory levels of the sandbox shop. Inventory is tracked per
 * (inventory item, location) like Shopify's `inventory_levels`; orders take stock from the first
 * location and a cancellation with restock gives it back.
 */
export class ShopCatalog {
  readonly variants: Variant[] = [];
  readonly locations: Location[] = [];
  readonly #bySku = new Map<string, Variant>();
  readonly #levels = new Map<string, { available: number; updatedAt: number }>();
  readonly #createdAt: number;
  readonly #offset: number;

  constructor(
    products: readonly SandboxProductInput[],
    locationNames: readonly string[],
    nextId: () => bigint,
    now: number,
    offsetMinutes: number,
  ) {
    this.#createdAt = now;
    this.#offset = offsetMinutes;
    for (const name of locationNames) this.locations.push({ id: nextId(), name });
    for (const input of products) {
      if (this.#bySku.has(input.sku)) throw new Error(`duplicate SKU ${input.sku} in the sandbox catalogue`);
      const priceCents = parseMoney(input.price ?? "10.00");
      if (priceCents === undefined || priceCents < 0) throw new Error(`bad price for ${input.sku}`);
      const variant: Variant = {
        productId: nextId(),
        id: nextId(),
        inventoryItemId: nextId(),
        optionId: nextId(),
        sku: input.sku,
        title: input.title ?? input.sku,
        priceCents,
        grams: input.grams ?? 500,
      };
      this.variants.push(variant);
      this.#bySku.set(variant.sku, variant);
      const first = this.locations[0];
      if (first) this.setAvailable(variant.inventoryItemId, first.id, input.available ?? 100, now);
    }
  }

  bySku(sku: string): Variant | undefined {
    return this.#bySku.get(sku);
  }

  byVariantId(id: bigint): Variant | undefined {
    return this.variants.find((v) => v.id === id);
  }

  hasItem(inventoryItemId: bigint): boolean {
    return this.variants.some((v) => v.inventoryItemId === inventoryItemId);
  }

  hasLocation(locationId: bigint): boolean {
    return this.locations.some((l) => l.id === locationId);
  }

  available(inventoryItemId: bigint, locationId: bigint): number | undefined {
    return this.#levels.get(`${inventoryItemId}:${locationId}`)?.available;
  }

  setAvailable(inventoryItemId: bigint, locationId: bigint, available: number, now: number): void {
    this.#levels.set(`${inventoryItemId}:${locationId}`, { available, updatedAt: now });
  }

  /** Moves stock at the first location by `delta` (an order takes, a restock gives back). */
  adjust(inventoryItemId: bigint, delta: number, now: number): void {
    const first = this.locations[0];
    if (!first) return;
    this.setAvailable(
      inventoryItemId,
      first.id,
      (this.available(inventoryItemId, first.id) ?? 0) + delta,
      now,
    );
  }

  /** Shopify's `inventory_level` objects, filtered like `GET inventory_levels.json`. */
  levels(filter: { itemIds?: bigint[]; locationIds?: bigint[] }): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const [key, level] of this.#levels) {
      const [item, location] = key.split(":").map((part) => BigInt(part)) as [bigint, bigint];
      if (filter.itemIds && !filter.itemIds.includes(item)) continue;
      if (filter.locationIds && !filter.locationIds.includes(location)) continue;
      out.push(this.levelJson(item, location, level.available, level.updatedAt));
    }
    return out;
  }

  levelJson(item: bigint, location: bigint, available: number, updatedAt: number): Record<string, unknown> {
    return {
      inventory_item_id: item,
      location_id: location,
      available,
      updated_at: shopTime(updatedAt, this.#offset),
      admin_graphql_api_id: `gid://shopify/InventoryLevel/${location}?inventory_item_id=${item}`,
    };
  }

  /** Shopify's `product` object for the product of `variant`. */
  productJson(variant: Variant): Record<string, unknown> {
    const at = shopTime(this.#createdAt, this.#offset);
    const first = this.locations[0];
    return {
      id: variant.productId,
      title: variant.title,
      body_html: "",
      vendor: "Crossdock Sandbox",
      product_type: "",
      handle: variant.sku.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
      created_at: at,
      updated_at: at,
      published_at: at,
      status: "active",
      tags: "",
      admin_graphql_api_id: `gid://shopify/Product/${variant.productId}`,
      variants: [
        {
          id: variant.id,
          product_id: variant.productId,
          title: "Default Title",
          price: money(variant.priceCents),
          sku: variant.sku,
          position: 1,
          inventory_policy: "deny",
          compare_at_price: null,
          fulfillment_service: "manual",
          inventory_management: "shopify",
          option1: "Default Title",
          taxable: true,
          barcode: null,
          grams: variant.grams,
          weight: variant.grams / 1000,
          weight_unit: "kg",
          inventory_item_id: variant.inventoryItemId,
          inventory_quantity: first ? (this.available(variant.inventoryItemId, first.id) ?? 0) : 0,
          requires_shipping: true,
          created_at: at,
          updated_at: at,
          admin_graphql_api_id: `gid://shopify/ProductVariant/${variant.id}`,
        },
      ],
      options: [
        {
          id: variant.optionId,
          product_id: variant.productId,
          name: "Title",
          position: 1,
          values: ["Default Title"],
        },
      ],
      images: [],
      image: null,
    };
  }
}
