/**
 * The demo's generated traffic and its live counts. Traffic runs on the real clock: storefront orders
 * spread over the traffic window (the storefront itself adds duplicate deliveries), one malformed order
 * (a line without a SKU) half-way, the first orders the 3PL receives shipped in two parts, a few more
 * orders the customer cancels right after placing them (before the 3PL ships), and a 3PL outage a third
 * of the way in. Counts are read from where each thing really happened: runs in the
 * hub's store, orders, invoices and payments in the sandbox Odoo, fulfilments in the storefront.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { App } from "../app/build-app.ts";
import { ORDER_TO_CASH } from "../flows/order-to-cash/order-to-cash.ts";
import { DEMO_SHOP, type DemoLandscape } from "./demo-landscape.ts";

/** The shape of one demo run; `--quick` is a short version of the same story. */
export interface TrafficPlan {
  orders: number;
  /** The orders are spread over this many ms. */
  windowMs: number;
  partialShipments: number;
  /** Second part of a partial shipment, this long after the first. */
  restAfterMs: number;
  outageMs: number;
  /** `Retry-After` the 3PL answers during the outage. */
  outageRetryAfterS: number;
  /** Orders placed besides `orders` and cancelled in the storefront `cancelAfterMs` later. */
  cancellations: number;
  cancelAfterMs: number;
}

export const FULL_PLAN: TrafficPlan = {
  orders: 20,
  windowMs: 60_000,
  partialShipments: 2,
  restAfterMs: 10_000,
  outageMs: 15_000,
  outageRetryAfterS: 5,
  cancellations: 2,
  cancelAfterMs: 1_000,
};

export const QUICK_PLAN: TrafficPlan = {
  orders: 5,
  windowMs: 2_000,
  partialShipments: 1,
  restAfterMs: 1_500,
  outageMs: 2_000,
  outageRetryAfterS: 1,
  cancellations: 1,
  cancelAfterMs: 200,
};

/** What the traffic did, for the summary and the checks at the end. */
export interface TrafficLog {
  placed: string[];
  /** Placed, then cancelled by the customer in the storefront. */
  cancelled: string[];
  malformedId: string | undefined;
  malformedWebhookIds: string[];
}

/**
 * Places the plan's orders over its window, the malformed one half-way, and the 3PL outage a third of
 * the way in; resolves when the last order has been placed (the webhooks and the flow go on).
 */
export async function runTraffic(
  plan: TrafficPlan,
  landscape: DemoLandscape,
  signal?: AbortSignal,
): Promise<TrafficLog> {
  const { storefront, warehouse } = landscape;
  const log: TrafficLog = { placed: [], cancelled: [], malformedId: undefined, malformedWebhookIds: [] };
  for (let i = 0; i < plan.partialShipments; i++)
    warehouse.warehouse.planNext({
      kind: "partial",
      ship: "half",
      rest: "later",
      restAfterMs: plan.restAfterMs,
    });
  const gap = Math.max(1, Math.floor(plan.windowMs / plan.orders));
  const outageAt = Math.floor(plan.orders / 3);
  const malformedAt = Math.floor(plan.orders / 2);
  const cancelEvery = Math.max(1, Math.floor(plan.orders / (plan.cancellations + 1)));
  for (let i = 0; i < plan.orders; i++) {
    if (signal?.aborted) break;
    if (i === outageAt) warehouse.outage(plan.outageMs, plan.outageRetryAfterS);
    const placed = storefront.placeOrders(1, { lines: [1, 3], maxQuantity: 3 });
    for (const order of placed.orders) log.placed.push(String(order.id));
    // Spread over the window, away from the partial shipments (the 3PL's first orders).
    if (i > 0 && i % cancelEvery === 0 && log.cancelled.length < plan.cancellations) {
      const doomed = storefront.placeOrders(1, {
        lines: [1, 2],
        maxQuantity: 2,
        cancelShare: 1,
        cancelAfterMs: plan.cancelAfterMs,
      });
      for (const id of doomed.cancelled) log.cancelled.push(String(id));
    }
    if (i === malformedAt) {
      const bad = storefront.placeOrders(0, { malformed: "missing-sku" });
      log.malformedId = bad.malformed?.id === undefined ? undefined : String(bad.malformed.id);
      log.malformedWebhookIds = bad.malformed?.webhookIds ?? [];
    }
    await sleep(gap, undefined, signal ? { signal } : {}).catch(() => {});
  }
  return log;
}

/** The live counts of the summary line. */
export interface DemoCounts {
  /** Orders that started an order-to-cash run (a duplicate starts nothing). */
  received: number;
  /** Confirmed sale orders in Odoo that came from the shop, by distinct origin. */
  inOdoo: number;
  /** Sale orders in Odoo per shop order: more than 1 would be a duplicate. */
  maxPerOrder: number;
  /** Storefront orders fulfilled (tracking pushed back), partly or wholly. */
  shipped: number;
  invoiced: number;
  paid: number;
  /** Shop orders cancelled in Odoo (the customer cancelled them in the storefront). */
  cancelled: number;
  /** Runs finished (completed, failed or compensated). */
  finished: number;
  /** Runs that failed or were compensated: each is for a person to look at. */
  failed: number;
  exceptions: number;
  /** Jobs ready, waiting or running. */
  queued: number;
}

/** Ids above which the Odoo records are this run's (the sandbox's demo data has invoices of its own). */
export interface OdooBaseline {
  moveId: number;
}

export function odooBaseline(landscape: DemoLandscape): OdooBaseline {
  const [last] = landscape.odoo.env().search("account.move", [], { order: "id desc", limit: 1 });
  return { moveId: last ?? 0 };
}

export async function readCounts(
  app: App,
  landscape: DemoLandscape,
  baseline: OdooBaseline,
): Promise<DemoCounts> {
  const env = landscape.odoo.env();
  const runs = await app.store.workflows.list({ type: ORDER_TO_CASH, limit: 100_000 });
  const orders = env.searchRead(
    "sale.order",
    [
      ["origin", "like", `${DEMO_SHOP}:`],
      ["state", "in", ["sale", "done"]],
    ],
    ["origin"],
  );
  const cancelled = env.searchRead(
    "sale.order",
    [
      ["origin", "like", `${DEMO_SHOP}:`],
      ["state", "=", "cancel"],
    ],
    ["origin"],
  );
  const perOrigin = new Map<string, number>();
  for (const o of orders) perOrigin.set(String(o.origin), (perOrigin.get(String(o.origin)) ?? 0) + 1);
  const invoices = env.searchRead(
    "account.move",
    [
      ["id", ">", baseline.moveId],
      ["move_type", "=", "out_invoice"],
      ["state", "=", "posted"],
    ],
    ["payment_state"],
  );
  const status = await app.store.status();
  let shipped = 0;
  for (const order of landscape.storefront.shop.orders.values())
    if (order.fulfillment_status === "fulfilled" || order.fulfillment_status === "partial") shipped++;
  return {
    received: runs.length,
    inOdoo: perOrigin.size,
    maxPerOrder: Math.max(0, ...perOrigin.values()),
    shipped,
    invoiced: invoices.length,
    paid: invoices.filter((i) => i.payment_state === "paid" || i.payment_state === "in_payment").length,
    cancelled: new Set(cancelled.map((o) => String(o.origin))).size,
    finished: runs.filter((r) => r.status !== "running" && r.status !== "waiting").length,
    failed: runs.filter((r) => r.status === "failed" || r.status === "compensated").length,
    exceptions: status.openExceptions,
    queued: status.queue.reduce((n, q) => n + q.ready + q.waiting + q.running, 0),
  };
}

/** One summary line, e.g. `[ 12s] received 8 | in Odoo 6 | shipped 4 | invoiced 3 | paid 3 | cancelled 1 | exceptions 1`. */
export function summaryLine(elapsedMs: number, c: DemoCounts): string {
  const s = String(Math.round(elapsedMs / 1000)).padStart(3);
  return `[${s}s] orders received ${c.received} | in Odoo ${c.inOdoo} | shipped ${c.shipped} | invoiced ${c.invoiced} | paid ${c.paid} | cancelled ${c.cancelled} | exceptions ${c.exceptions}${c.failed > 0 ? ` | failed runs ${c.failed}` : ""}`;
}
