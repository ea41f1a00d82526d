/**
 * The availability engine as one object: configuration, inputs (`StockState`), the incremental index
 * (`AvailabilityEngine`) and what each channel was told (`PublicationPlanner`). The stock feed, the
 * publisher, the oversell check, persistence and the CLI all take an `Inventory`.
 *
 * @example
 * const inventory = createInventory({
 *   sources: { odoo: { slaMs: 300_000 } },
 *   warehouses: { WH: { source: "odoo" } },
 *   channels: { shop: { warehouses: ["WH"], sharePercent: 80, freshness: "conservative" } },
 * });
 * inventory.state.applyLevel({ source: "odoo", warehouse: "WH", sku: "A", onHand: "10", observedAt: now });
 * inventory.planner.plan("shop", now); // { batches: [[{ sku: "A", quantity: 8 }]], ... }
 */
import { AvailabilityEngine } from "./availability-engine.ts";
import { createInventoryConfig, type InventoryConfig, type InventoryOptions } from "./inventory-config.ts";
import { PublicationPlanner } from "./publication-planner.ts";
import { StockState } from "./stock-state.ts";

export interface Inventory {
  readonly config: InventoryConfig;
  readonly state: StockState;
  readonly engine: AvailabilityEngine;
  readonly planner: PublicationPlanner;
}

/** A new, empty inventory; `CDK_CONFIG_INVALID` when the options are wrong. */
export function createInventory(options: InventoryOptions): Inventory {
  const config = createInventoryConfig(options);
  const state = new StockState(config);
  const engine = new AvailabilityEngine(state);
  const planner = new PublicationPlanner(engine);
  return { config, state, engine, planner };
}
