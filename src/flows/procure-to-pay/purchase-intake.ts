/**
 * Starts one procure-to-pay run per purchase: a durable consumer of `purchase.requested` events (a
 * replenishment proposal accepted, the REST API) that starts the run in the same transaction that moves
 * its cursor. The supplier is the purchase order's `supplier.code`; purchases of suppliers not
 * configured here are left to others. Starting is idempotent on `<supplier>:<poNumber>`.
 */
import type { PurchaseOrder } from "../../core/model/purchase-order.ts";
import type { StructuredLogger } from "../../delivery/structured-logger.ts";
import type { JsonValue, Store } from "../../store/store.ts";
import { createSubscriptionLoop, type SubscriptionLoop } from "../subscription-loop.ts";
import {
  PROCURE_TO_PAY,
  type ProcureToPayInput,
  PURCHASE_REQUESTED,
  procureToPayKey,
} from "./procure-to-pay.ts";

/** How purchases from one supplier go. */
export interface SupplierPolicy {
  /** The supplier's `res.partner` id in Odoo; absent = found by `ref` = code, then by company name. */
  partnerId?: number;
  /** Time for the supplier to acknowledge before a person is asked (default: the flow's). */
  ackTimeoutHours?: number;
  /** Bill matching; default `three-way`. */
  match?: "two-way" | "three-way";
}

export function createPurchaseIntake(options: {
  store: Store;
  logger: StructuredLogger;
  suppliers: Readonly<Record<string, SupplierPolicy>>;
  onStarted?: () => void;
}): SubscriptionLoop {
  return createSubscriptionLoop({
    store: options.store,
    name: "flow.procure-to-pay",
    subscription: { types: [PURCHASE_REQUESTED], from: "beginning" },
    logger: options.logger,
    onCommitted: () => options.onStarted?.(),
    async handle(events, tx) {
      for (const event of events) {
        const purchase = (event.data as { purchase?: PurchaseOrder } | null)?.purchase;
        const supplier = purchase?.supplier?.code;
        if (!purchase || typeof supplier !== "string" || typeof purchase.poNumber !== "string") continue;
        const policy = options.suppliers[supplier];
        if (!policy) continue;
        const input: ProcureToPayInput = {
          purchase,
          supplier,
          ...(policy.partnerId === undefined ? {} : { partnerId: policy.partnerId }),
          ...(policy.ackTimeoutHours === undefined
            ? {}
            : { ackTimeoutMs: policy.ackTimeoutHours * 3_600_000 }),
          ...(policy.match === undefined ? {} : { match: policy.match }),
        };
        await tx.startWorkflow({
          type: PROCURE_TO_PAY,
          key: procureToPayKey(supplier, purchase),
          input: input as unknown as JsonValue,
          ...(event.trace ? { trace: event.trace } : {}),
        });
      }
    },
  });
}
