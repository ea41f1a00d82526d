/**
 * `AlertPort` over the event log: an order at risk of missing its shipment SLA becomes
 * `order.sla-at-risk` on the order's stream, for routes and outbound webhooks to tell people (an ops
 * channel, the 3PL's account manager). The step's idempotency key is the event's `causationId`, and the
 * stream is read for it first, so a step run again after a crash tells once.
 */
import type { JsonValue, Store } from "../../store/store.ts";
import type { AlertPort } from "./order-to-cash-ports.ts";

export const ORDER_SLA_AT_RISK = "order.sla-at-risk";

export function createStoreAlerts(store: Pick<Store, "events">): AlertPort {
  return {
    async slaAtRisk(alert, idempotencyKey) {
      const stream = `order:${alert.key}`;
      const existing = await store.events.readStream(stream, { limit: 10_000 });
      if (existing.some((e) => e.causationId === idempotencyKey)) return;
      await store.events.append([
        { stream, type: ORDER_SLA_AT_RISK, data: alert as unknown as JsonValue, causationId: idempotencyKey },
      ]);
    },
  };
}
