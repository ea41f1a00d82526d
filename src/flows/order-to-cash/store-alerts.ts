/**
 * `AlertPort` over the event log: an order at risk of missing its shipment SLA becomes
 * `order.sla-at-risk` on the order's stream, for routes and outbound webhooks to tell people (an ops
 * channel, the 3PL's account manager), once per step (`appendOnce`).
 */
import type { JsonValue, Store } from "../../store/store.ts";
import { appendOnce } from "../append-once.ts";
import type { AlertPort } from "./order-to-cash-ports.ts";

export const ORDER_SLA_AT_RISK = "order.sla-at-risk";

export function createStoreAlerts(store: Pick<Store, "events">): AlertPort {
  return {
    async slaAtRisk(alert, idempotencyKey) {
      const data = alert as unknown as JsonValue;
      await appendOnce(
        store,
        { stream: `order:${alert.key}`, type: ORDER_SLA_AT_RISK, data },
        idempotencyKey,
      );
    },
  };
}
