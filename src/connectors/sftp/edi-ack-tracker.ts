/**
 * The acknowledgements of what the hub sent by EDI. A durable consumer of `edi.acknowledged` (the
 * partners' 997s, read by the `sftp` connector) marks the group they answer on the connection's control
 * numbers (`x12-control-numbers.ts`): accepted, partially accepted or rejected. A check every few minutes
 * lists the interchanges whose 997 is past its deadline and appends `edi.ack-overdue` once for each, on
 * `edi:<connection>` (route it or subscribe a webhook to it), with the `CDK_EDI_ACK_OVERDUE` error.
 * A rejected group is `edi.ack-rejected` on the same stream: the partner refused what was sent.
 */
import type { Clock } from "../../core/clock.ts";
import type { StructuredLogger } from "../../delivery/structured-logger.ts";
import { createSubscriptionLoop, type SubscriptionLoop } from "../../flows/subscription-loop.ts";
import type { JsonValue, Store } from "../../store/store.ts";
import type { X12FunctionalAck } from "../edi-x12/x12-997-ack.ts";
import { createX12ControlNumbers } from "../edi-x12/x12-control-numbers.ts";
import { EDI_EVENTS } from "./partner-file-events.ts";

export const EDI_ACK_OVERDUE = "edi.ack-overdue";
export const EDI_ACK_REJECTED = "edi.ack-rejected";
const REPORTED_KIND = "edi.ack-overdue-reported";

export interface EdiAckTracker {
  readonly consumer: SubscriptionLoop;
  /** Appends `edi.ack-overdue` for each interchange newly past its deadline; returns how many. */
  checkOverdue(): Promise<number>;
  start(intervalMs: number, overdueEveryMs?: number): void;
  stop(): Promise<void>;
}

export function createEdiAckTracker(options: {
  store: Store;
  clock: Clock;
  logger: StructuredLogger;
}): EdiAckTracker {
  const { store, clock, logger } = options;
  const numbers = createX12ControlNumbers(store, clock);
  const consumer = createSubscriptionLoop({
    store,
    name: "edi.ack-tracker",
    subscription: { types: [EDI_EVENTS.ediAcknowledged], from: "beginning" },
    logger,
    async handle(events, tx) {
      for (const event of events) {
        const connection = event.stream.replace(/^edi:/, "");
        const ack = event.data as unknown as X12FunctionalAck;
        const result = await numbers.acknowledge(connection, ack, tx);
        if (result.kind === "acknowledged" && result.record.status === "rejected") {
          await tx.appendEvents([
            {
              stream: event.stream,
              type: EDI_ACK_REJECTED,
              data: result.record as unknown as JsonValue,
              causationId: event.id,
            },
          ]);
        }
      }
    },
  });

  async function checkOverdue(): Promise<number> {
    let reported = 0;
    for (const { record, error } of await numbers.overdue()) {
      const key = `${record.partner}/${record.group}`;
      const appended = await store.transaction(async (tx) => {
        if (await tx.getRecord(REPORTED_KIND, key)) return false;
        await tx.putRecord(REPORTED_KIND, key, { at: clock.now() }, { expectedVersion: 0 });
        await tx.appendEvents([
          {
            stream: `edi:${record.partner}`,
            type: EDI_ACK_OVERDUE,
            data: {
              ...(record as unknown as Record<string, JsonValue>),
              error: error.toJSON() as unknown as JsonValue,
            },
          },
        ]);
        return true;
      });
      if (appended) {
        reported++;
        logger.warn({ partner: record.partner, group: record.group }, error.message);
      }
    }
    return reported;
  }

  let timer: ReturnType<typeof setInterval> | undefined;
  return {
    consumer,
    checkOverdue,
    start(intervalMs, overdueEveryMs = 300_000) {
      consumer.start(intervalMs);
      timer = setInterval(() => {
        void checkOverdue().catch((error: unknown) =>
          logger.error({ error: String(error) }, "EDI overdue check failed"),
        );
      }, overdueEveryMs);
      timer.unref?.();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await consumer.stop();
    },
  };
}
