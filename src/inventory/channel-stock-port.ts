/**
 * The port through which the inventory tells a channel its stock: the lead implements it over the
 * Shopify publisher (`inventory_levels/set`, paced) and the WooCommerce client (batch product update).
 *
 * Contract:
 * - quantities are absolute, whole selling units (never deltas), so sending one twice is harmless;
 * - `updates` is at most the channel's `batchSize`; an adapter with a batch API sends it in one call,
 *   others one call per SKU, within the channel's rate limit (the adapter owns pacing and 429s);
 * - it resolves with the updates the channel accepted. Only those are recorded as told: a SKU left out
 *   (rejected, unknown to the channel, not attempted) stays pending and goes again with the number
 *   current then. It throws (a `CrossdockError`) when nothing is known to be accepted: the whole batch
 *   stays pending.
 */
import type { StockUpdate } from "./publication-planner.ts";

export interface ChannelPublishResult {
  accepted: StockUpdate[];
  /** SKUs the channel refused, with its reason (shown, retried on the next pass). */
  rejected?: { sku: string; reason: string }[];
}

export interface ChannelStockPort {
  publish(channel: string, updates: readonly StockUpdate[]): Promise<ChannelPublishResult>;
}
