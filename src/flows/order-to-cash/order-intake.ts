/**
 * Starts one order-to-cash run per channel order: a durable consumer of `order.received` events
 * (from the REST API, channel webhooks, EDI) that starts the run in the same transaction that moves
 * its cursor. A run's key is the order's business key, and starting is idempotent on it, so the same
 * order received twice (a duplicate webhook, a resubmission) gives one run.
 */
import type { Order } from "../../core/model/order.ts";
import type { StructuredLogger } from "../../delivery/structured-logger.ts";
import type { JsonValue, Store } from "../../store/store.ts";
import { createSubscriptionLoop, type SubscriptionLoop } from "../subscription-loop.ts";
import { ORDER_TO_CASH, type OrderToCashInput, orderToCashKey } from "./order-to-cash.ts";

export const ORDER_RECEIVED = "order.received";

/** How orders of one channel go through order-to-cash. */
export interface ChannelPolicy {
  /** The channel collected payment at checkout (web stores): record it after invoicing. */
  prepaid: boolean;
  /** Check credit before placing (B2B channels); see `OrderToCashInput.credit`. */
  creditCheck?: { defaultLimit?: string; approvalTimeoutHours?: number };
}

export function createOrderIntake(options: {
  store: Store;
  logger: StructuredLogger;
  /** Channels whose orders run order-to-cash; orders of other channels are left to other flows. */
  channels: Readonly<Record<string, ChannelPolicy>>;
  /** Called when runs were started (wake the workers). */
  onStarted?: () => void;
}): SubscriptionLoop {
  return createSubscriptionLoop({
    store: options.store,
    name: "flow.order-to-cash",
    subscription: { types: [ORDER_RECEIVED], from: "beginning" },
    logger: options.logger,
    onCommitted: () => options.onStarted?.(),
    async handle(events, tx) {
      for (const event of events) {
        const order = (event.data as { order?: Order } | null)?.order;
        if (!order || typeof order.channel !== "string") continue;
        const policy = options.channels[order.channel];
        if (!policy) continue;
        const credit = policy.creditCheck;
        const input: OrderToCashInput = {
          order,
          prepaid: policy.prepaid,
          ...(credit
            ? {
                credit: {
                  ...(credit.defaultLimit === undefined ? {} : { defaultLimit: credit.defaultLimit }),
                  ...(credit.approvalTimeoutHours === undefined
                    ? {}
                    : { approvalTimeoutMs: credit.approvalTimeoutHours * 3_600_000 }),
                },
              }
            : {}),
        };
        await tx.startWorkflow({
          type: ORDER_TO_CASH,
          key: orderToCashKey(order),
          input: input as unknown as JsonValue,
          ...(event.trace ? { trace: event.trace } : {}),
        });
      }
    },
  });
}
