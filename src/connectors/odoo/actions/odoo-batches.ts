/**
 * The batchers of one Odoo connection: partners and sale orders submitted one by one (by jobs and by
 * workflow runs alike) leave in shared `load()`/`action_confirm` calls. Every user of a connection
 * shares one set, so all of its traffic batches together.
 */

import type { OdooClient } from "../odoo-client.ts";
import { type Batcher, createBatcher } from "./odoo-batcher.ts";
import { type PartnerInput, upsertPartners } from "./partners.ts";
import { type PlacedOrder, placeSaleOrders, type SaleOrderInput } from "./sale-orders.ts";

export interface OdooBatches {
  readonly orders: Batcher<SaleOrderInput, PlacedOrder>;
  readonly partners: Batcher<PartnerInput, number>;
}

export interface OdooBatchesOptions {
  /** Largest batch per call. Default 100. */
  maxBatch?: number;
  /** Order batches in flight at once. Default 2 (one of the client's default 3 slots stays free). */
  orderConcurrency?: number;
  /** After an idle period, wait this long for more items before the first batch leaves. Default 10 ms. */
  lingerMs?: number;
}

export function createOdooBatches(client: OdooClient, options: OdooBatchesOptions = {}): OdooBatches {
  const common = { maxBatch: options.maxBatch ?? 100, lingerMs: options.lingerMs ?? 10 };
  return {
    orders: createBatcher<SaleOrderInput, PlacedOrder>({
      ...common,
      concurrency: options.orderConcurrency ?? 2,
      run: (items) => placeSaleOrders(client, items),
    }),
    // One partner batch at a time: an address (child) must not be loaded before its customer (parent),
    // which two concurrent batches could do.
    partners: createBatcher<PartnerInput, number>({
      ...common,
      concurrency: 1,
      run: (items) => upsertPartners(client, items),
    }),
  };
}
