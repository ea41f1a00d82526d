/**
 * Shopify's inventory levels and fulfillments to the canonical model.
 *
 * An inventory level (`{inventory_item_id, location_id, available, updated_at}`) becomes a
 * `stock-level/v1` for the warehouse named by the location id. Shopify's REST level has only
 * `available`: it is also `onHand`, with nothing `reserved` (Shopify has already taken open orders
 * off). It names an inventory item, not a SKU: `skuOf` resolves it (from a product sync's `refs`);
 * without an answer the record carries `inventory-item:<id>` and `resolved` is false.
 *
 * A fulfillment becomes a `shipment/v1` only once goods left: status `success` (refined by
 * `shipment_status`: in transit, delivered) or `cancelled`. A `pending` or `open` fulfillment is a
 * request to a fulfillment service, and `failure` / `error` shipped nothing: both map to no record,
 * with the reason.
 */
import type { OrderRef } from "../../core/model/model-primitives.ts";
import type { Shipment } from "../../core/model/shipment.ts";
import type { StockLevel } from "../../core/model/stock.ts";
import {
  arrayOf,
  asObject,
  at,
  DocumentFault,
  decimalFrom,
  member,
  optionalText,
  requiredId,
  requiredText,
} from "./document-reader.ts";

/** Resolves a Shopify inventory item id to the SKU it stocks. */
export type SkuOfInventoryItem = (inventoryItemId: string) => string | undefined;

export function mapShopifyInventoryLevel(
  body: unknown,
  channel: string,
  skuOf: SkuOfInventoryItem = () => undefined,
  base = "",
): { level: StockLevel; resolved: boolean } {
  const level = asObject(body, base);
  const itemId = requiredId(level, "inventory_item_id", base);
  const locationId = requiredId(level, "location_id", base);
  const raw = member(level, "available");
  // null available: the item is not stocked at this location (tracking off); nothing to read
  if (raw === undefined)
    throw new DocumentFault(at(base, "available"), "is null: the item is not tracked here");
  const available = decimalFrom(raw, at(base, "available"));
  if (!/^-?\d+$/.test(available))
    throw new DocumentFault(at(base, "available"), `${available} is not whole units`);
  const sku = skuOf(itemId);
  return {
    resolved: sku !== undefined,
    level: {
      schemaVersion: 1,
      sku: sku ?? `inventory-item:${itemId}`,
      warehouse: locationId,
      uom: "C62",
      onHand: available,
      reserved: "0",
      available,
      asOf: requiredText(level, "updated_at", base, 40),
      source: channel,
      extensions: { [channel]: { inventoryItemId: itemId, locationId } },
    },
  };
}

const SHIPPED_STATUS: Record<string, Shipment["status"]> = {
  in_transit: "in_transit",
  out_for_delivery: "in_transit",
  attempted_delivery: "in_transit",
  ready_for_pickup: "in_transit",
  delivered: "delivered",
};

export function mapShopifyFulfillment(
  body: unknown,
  channel: string,
  base = "",
): { ok: true; shipment: Shipment } | { ok: false; reason: string } {
  const fulfillment = asObject(body, base);
  const id = requiredId(fulfillment, "id", base);
  const state = requiredText(fulfillment, "status", base, 32);
  if (state !== "success" && state !== "cancelled") {
    const why = state === "pending" || state === "open" ? "goods have not left yet" : "it shipped nothing";
    return { ok: false, reason: `${base || "/"}: fulfillment ${id} is ${state}: ${why}, no shipment` };
  }
  const order: OrderRef = { channel, channelOrderId: requiredId(fulfillment, "order_id", base) };
  const lines = arrayOf(fulfillment, "line_items", base, 10_000).map((raw, i) => {
    const path = at(at(base, "line_items"), i);
    const item = asObject(raw, path);
    const sku = optionalText(item, "sku", path, 128);
    if (sku === undefined)
      throw new DocumentFault(at(path, "sku"), "is missing: a shipped line needs its SKU");
    const quantity = member(item, "quantity");
    if (typeof quantity !== "number" || !Number.isSafeInteger(quantity) || quantity <= 0) {
      throw new DocumentFault(
        at(path, "quantity"),
        `expected a positive whole number, found ${String(quantity)}`,
      );
    }
    const lineId = optionalText(item, "id", path, 32);
    return { ...(lineId ? { orderLineId: lineId } : {}), sku, quantity: String(quantity), uom: "C62" };
  });
  if (lines.length === 0)
    throw new DocumentFault(at(base, "line_items"), "a shipment needs at least one line");
  const numbers = arrayOf(fulfillment, "tracking_numbers", base, 100).filter(
    (n): n is string => typeof n === "string" && n.trim() !== "",
  );
  const trackingNumber = optionalText(fulfillment, "tracking_number", base, 128) ?? numbers[0];
  const url = optionalText(fulfillment, "tracking_url", base, 2_048);
  const carrier = optionalText(fulfillment, "tracking_company", base, 64);
  const shipmentStatus = optionalText(fulfillment, "shipment_status", base, 32);
  return {
    ok: true,
    shipment: {
      schemaVersion: 1,
      shipmentId: id,
      order,
      status: state === "cancelled" ? "cancelled" : (SHIPPED_STATUS[shipmentStatus ?? ""] ?? "shipped"),
      ...(carrier ? { carrier } : {}),
      ...(trackingNumber ? { trackingNumber } : {}),
      ...(url && /^https?:\/\/\S+$/.test(url) ? { trackingUrl: url } : {}),
      shippedAt: requiredText(fulfillment, "created_at", base, 40),
      lines,
      ...(numbers.length > 1 ? { packages: numbers.map((n) => ({ trackingNumber: n.slice(0, 128) })) } : {}),
      refs: [{ system: channel, kind: "fulfillment", id }],
    },
  };
}
