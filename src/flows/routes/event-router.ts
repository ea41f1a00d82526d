/**
 * `flows.routes`: configured routes from events to delivery targets. One durable consumer takes the
 * event types the routes name; for each event, each route whose rule matches (`route-rules.ts`):
 *
 * - `real-time`: one delivery job on the route's target, in the transaction that moves the consumer's
 *   cursor (so a crash neither loses nor doubles one), idempotency key `route:<name>:<event id>`,
 *   ordered per event stream, carrying `{ route, event, data, slaDeadline? }`;
 * - `batch`: the event is kept in the store (records, same transaction) and a flush every
 *   `everyMinutes` delivers up to `maxItems` of them in one job `{ route, items: [...] }` and removes
 *   them, again in one transaction.
 *
 * The delivery job is an ordinary job on the target: retries with back-off, exception record after the
 * last attempt, `crossdock exceptions retry` and replay. `slaDeadline` (when the route has an SLA) is the
 * time the delivery should be done by; jobs past it show in `crossdock status` as old.
 */
import type { Clock } from "../../core/clock.ts";
import type { StructuredLogger } from "../../delivery/structured-logger.ts";
import type { JsonValue, Store, StoredEvent } from "../../store/store.ts";
import { createSubscriptionLoop, type SubscriptionLoop } from "../subscription-loop.ts";
import { matchesWhen, type RouteWhen } from "./route-rules.ts";

export const ROUTE_DELIVER_KIND = "route.deliver";
const BATCH_KIND = "route.batch";

export interface RouteConfig {
  readonly name: string;
  /** The event type it takes, e.g. `order.received`. */
  readonly on: string;
  readonly when?: RouteWhen;
  /** The delivery target (an `http` connection). */
  readonly deliver: string;
  readonly mode: "real-time" | "batch";
  readonly batch?: { readonly everyMinutes: number; readonly maxItems: number };
  readonly slaMinutes?: number;
}

export interface EventRouter {
  readonly consumer: SubscriptionLoop;
  /** Delivers every batch route's waiting events now (the timer calls it). Returns jobs enqueued. */
  flushBatches(): Promise<number>;
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

function eventRef(event: StoredEvent): JsonValue {
  return {
    id: event.id,
    type: event.type,
    stream: event.stream,
    createdAt: new Date(event.createdAt).toISOString(),
  };
}

export function createEventRouter(options: {
  store: Store;
  clock: Clock;
  logger: StructuredLogger;
  routes: readonly RouteConfig[];
  onEnqueued?: () => void;
}): EventRouter {
  const { store, clock, routes } = options;
  const types = [...new Set(routes.map((r) => r.on))];
  const consumer = createSubscriptionLoop({
    store,
    name: "flow.routes",
    subscription: { types, from: "beginning" },
    logger: options.logger,
    onCommitted: () => options.onEnqueued?.(),
    async handle(events, tx) {
      for (const event of events) {
        for (const route of routes) {
          if (route.on !== event.type || !matchesWhen(route.when, event.data)) continue;
          if (route.mode === "batch") {
            await tx.putRecord(BATCH_KIND, `${route.name}:${event.id}`, {
              event: eventRef(event),
              data: event.data,
            });
            continue;
          }
          const sla =
            route.slaMinutes === undefined
              ? {}
              : { slaDeadline: new Date(event.createdAt + route.slaMinutes * 60_000).toISOString() };
          await tx.enqueueJobs([
            {
              target: route.deliver,
              kind: ROUTE_DELIVER_KIND,
              idempotencyKey: `route:${route.name}:${event.id}`,
              orderingKey: event.stream,
              payload: { route: route.name, event: eventRef(event), data: event.data, ...sla } as JsonValue,
              ...(event.trace ? { trace: event.trace } : {}),
            },
          ]);
        }
      }
    },
  });

  async function flushRoute(route: RouteConfig): Promise<number> {
    const max = route.batch?.maxItems ?? 500;
    const waiting = await store.records.list(BATCH_KIND, {
      prefix: `${route.name}:`,
      limit: Math.min(max, 1_000),
    });
    if (waiting.length === 0) return 0;
    const first = waiting[0]?.key ?? "";
    await store.transaction(async (tx) => {
      await tx.enqueueJobs([
        {
          target: route.deliver,
          kind: ROUTE_DELIVER_KIND,
          idempotencyKey: `route:${first}:batch`,
          payload: {
            route: route.name,
            batchAt: new Date(clock.now()).toISOString(),
            items: waiting.map((r) => r.data),
          },
        },
      ]);
      for (const record of waiting)
        await tx.deleteRecord(BATCH_KIND, record.key, { expectedVersion: record.version });
    });
    return 1;
  }

  const timers: ReturnType<typeof setInterval>[] = [];
  return {
    consumer,
    async flushBatches() {
      let jobs = 0;
      for (const route of routes) if (route.mode === "batch") jobs += await flushRoute(route);
      if (jobs > 0) options.onEnqueued?.();
      return jobs;
    },
    start(intervalMs) {
      consumer.start(intervalMs);
      for (const route of routes) {
        if (route.mode !== "batch") continue;
        const every = (route.batch?.everyMinutes ?? 15) * 60_000;
        const timer = setInterval(() => {
          void flushRoute(route)
            .then((n) => (n > 0 ? options.onEnqueued?.() : undefined))
            .catch((error: unknown) =>
              options.logger.error({ route: route.name, error: String(error) }, "route batch flush failed"),
            );
        }, every);
        timer.unref?.();
        timers.push(timer);
      }
    },
    async stop() {
      for (const timer of timers.splice(0)) clearInterval(timer);
      await consumer.stop();
    },
  };
}
