/**
 * A publication pass: for each channel, the planned delta goes out batch by batch through the
 * `ChannelStockPort`, what the channel accepted is confirmed and stored before the next batch, and a
 * failure stops that channel's pass (the rest stays pending for the next one). A full re-publication
 * runs on demand (`republish`) and, as a safety net, whenever `fullEveryMs` has passed since the last.
 *
 * Why store after each batch: a crash between two batches then re-sends at most one batch, and never
 * forgets a number the channel accepted.
 */
import type { Clock } from "../core/clock.ts";
import type { StructuredLogger } from "../delivery/structured-logger.ts";
import type { Store } from "../store/store.ts";
import type { ChannelStockPort } from "./channel-stock-port.ts";
import type { Inventory } from "./inventory.ts";
import { persistInventory } from "./inventory-persistence.ts";

export interface StockPublisherOptions {
  store: Store;
  inventory: Inventory;
  port: ChannelStockPort;
  clock: Clock;
  logger: StructuredLogger;
  /** Re-publish everything at this interval, ms. Default 24 h; 0 turns the schedule off. */
  fullEveryMs?: number;
}

export type ChannelPassOutcome =
  | { channel: string; status: "ok"; sent: number; accepted: number }
  | { channel: string; status: "failed"; sent: number; accepted: number; error: unknown };

export interface StockPublisher {
  /** One pass over every channel (or one). */
  pass(channel?: string): Promise<ChannelPassOutcome[]>;
  /** Marks every SKU of every channel (or one) to be sent again in the next pass. */
  republish(channel?: string): void;
}

export function createStockPublisher(options: StockPublisherOptions): StockPublisher {
  const { inventory, port, clock, logger, store } = options;
  const fullEveryMs = options.fullEveryMs ?? 86_400_000;
  let lastFull = clock.now();

  async function publishChannel(channel: string): Promise<ChannelPassOutcome> {
    const plan = inventory.planner.plan(channel, clock.now());
    let sent = 0;
    let accepted = 0;
    for (const batch of plan.batches) {
      sent += batch.length;
      try {
        const result = await port.publish(channel, batch);
        inventory.planner.confirm(channel, result.accepted, clock.now());
        accepted += result.accepted.length;
        if (result.rejected?.length)
          logger.warn({ channel, rejected: result.rejected.slice(0, 20) }, "channel refused stock updates");
        await persistInventory(store, inventory);
      } catch (error) {
        logger.warn({ channel, error, sent, accepted }, "stock publication failed; the rest stays pending");
        return { channel, status: "failed", sent, accepted, error };
      }
    }
    return { channel, status: "ok", sent, accepted };
  }

  return {
    async pass(channel) {
      if (fullEveryMs > 0 && clock.now() - lastFull >= fullEveryMs) {
        inventory.planner.republish(clock.now(), channel);
        if (channel === undefined) lastFull = clock.now();
      }
      const outcomes: ChannelPassOutcome[] = [];
      for (const name of inventory.config.channels.keys()) {
        if (channel === undefined || channel === name) outcomes.push(await publishChannel(name));
      }
      return outcomes;
    },
    republish(channel) {
      inventory.planner.republish(clock.now(), channel);
      if (channel === undefined) lastFull = clock.now();
    },
  };
}
