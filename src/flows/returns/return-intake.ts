/**
 * Starts one returns run per customer return: a durable consumer of `return.requested` events (from a
 * channel connector or the REST API) that starts the run in the same transaction that moves its
 * cursor. Starting is idempotent on the run key (`<channel>:<rmaNumber>`), so a return requested twice
 * gives one run. Returns of channels not configured here, or naming no order, are left to others.
 */
import type { CustomerReturn } from "../../core/model/customer-return.ts";
import type { StructuredLogger } from "../../delivery/structured-logger.ts";
import type { JsonValue, Store } from "../../store/store.ts";
import { createSubscriptionLoop, type SubscriptionLoop } from "../subscription-loop.ts";
import { RETURN_REQUESTED, RETURNS, type ReturnsInput, returnsKey } from "./returns.ts";

/** How returns of one channel are handled. */
export interface ReturnChannelPolicy {
  /** The channel took the money at checkout: the credit note is paid out in Odoo. */
  prepaid: boolean;
  /** Returns worth more than this (with tax, the order's currency) wait for a person. */
  approvalOver?: string;
  /** Returns asked for more than this many days after delivery wait for a person. */
  windowDays?: number;
}

export function createReturnIntake(options: {
  store: Store;
  logger: StructuredLogger;
  channels: Readonly<Record<string, ReturnChannelPolicy>>;
  /** Called when runs were started (wake the workers). */
  onStarted?: () => void;
}): SubscriptionLoop {
  return createSubscriptionLoop({
    store: options.store,
    name: "flow.returns",
    subscription: { types: [RETURN_REQUESTED], from: "beginning" },
    logger: options.logger,
    onCommitted: () => options.onStarted?.(),
    async handle(events, tx) {
      for (const event of events) {
        const ret = (event.data as { return?: CustomerReturn } | null)?.return;
        const channel = ret?.order?.channel;
        if (!ret || typeof channel !== "string" || typeof ret.rmaNumber !== "string") continue;
        const policy = options.channels[channel];
        if (!policy) continue;
        const input: ReturnsInput = {
          return: ret,
          prepaid: policy.prepaid,
          policy: {
            ...(policy.approvalOver === undefined ? {} : { approvalOver: policy.approvalOver }),
            ...(policy.windowDays === undefined ? {} : { windowDays: policy.windowDays }),
          },
        };
        await tx.startWorkflow({
          type: RETURNS,
          key: returnsKey(ret),
          input: input as unknown as JsonValue,
          ...(event.trace ? { trace: event.trace } : {}),
        });
      }
    },
  });
}
