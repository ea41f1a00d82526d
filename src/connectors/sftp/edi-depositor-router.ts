/**
 * Puts each 945 of an EDI 3PL on the stream of the order it ships: the 3PL names the depositor order
 * number the hub sent in its 940 (the Odoo order name); the hub recorded which order that number is
 * when it sent the 940 (`edi-warehouse.ts`). A durable consumer of `shipment.reported`: the routed
 * `shipment.dispatched` is appended in the transaction that moves its cursor, so a crash neither loses
 * nor doubles one. A number the hub never sent becomes `shipment.unmatched` on the same stream, for a
 * person (visible in `crossdock trace <number>` and the event log), and is not lost.
 */
import type { StructuredLogger } from "../../delivery/structured-logger.ts";
import { createSubscriptionLoop, type SubscriptionLoop } from "../../flows/subscription-loop.ts";
import type { JsonValue, Store } from "../../store/store.ts";
import { DEPOSITOR_KIND } from "./edi-warehouse.ts";
import { EDI_EVENTS } from "./partner-file-events.ts";

export const SHIPMENT_UNMATCHED = "shipment.unmatched";

export function createEdiDepositorRouter(options: {
  store: Store;
  logger: StructuredLogger;
  onRouted?: () => void;
}): SubscriptionLoop {
  return createSubscriptionLoop({
    store: options.store,
    name: "edi.depositor-router",
    subscription: { types: [EDI_EVENTS.shipmentReported], from: "beginning" },
    logger: options.logger,
    onCommitted: () => options.onRouted?.(),
    async handle(events, tx) {
      for (const event of events) {
        const [, connection, depositor] = /^edi-depositor:([^:]+):(.+)$/.exec(event.stream) ?? [];
        const found =
          connection && depositor
            ? await tx.getRecord(DEPOSITOR_KIND, `${connection}:${depositor}`)
            : undefined;
        const key = (found?.data as { key?: string } | undefined)?.key;
        const common = { causationId: event.id, ...(event.trace ? { trace: event.trace } : {}) };
        if (key === undefined) {
          options.logger.warn(
            { stream: event.stream },
            "a 945 names a depositor order number the hub never sent",
          );
          await tx.appendEvents([
            { stream: event.stream, type: SHIPMENT_UNMATCHED, data: event.data as JsonValue, ...common },
          ]);
          continue;
        }
        const data = event.data as Record<string, unknown>;
        const [channel = "", ...rest] = key.split(":");
        await tx.appendEvents([
          {
            stream: `order:${key}`,
            type: EDI_EVENTS.shipmentDispatched,
            data: {
              ...data,
              order: { channel, channelOrderId: rest.join(":"), orderNumber: depositor },
            } as JsonValue,
            ...common,
          },
        ]);
      }
    },
  });
}
