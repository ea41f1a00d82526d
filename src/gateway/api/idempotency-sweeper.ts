/**
 * Forgets Idempotency-Keys once they are old: a client retries within minutes or hours, never after a
 * day, and keeping every key forever would grow the store without bound. Runs in the scheduler role;
 * each pass pages through the keys (records of kind `api.idempotency`) and deletes those answered more
 * than `ttlMs` ago, each delete conditional on the version it read, so a key reused meanwhile survives.
 * Keys still `running` are kept: their request may yet answer.
 */
import type { Clock } from "../../core/clock.ts";
import type { StructuredLogger } from "../../delivery/structured-logger.ts";
import type { Store } from "../../store/store.ts";
import { IDEMPOTENCY_KIND } from "./idempotency.ts";

export interface IdempotencySweeperOptions {
  store: Store;
  clock: Clock;
  logger: StructuredLogger;
  /** How long an answered key is kept. Default 24 h. */
  ttlMs?: number;
}

export function createIdempotencySweeper(options: IdempotencySweeperOptions) {
  const ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1_000;
  const { store, clock, logger } = options;
  let timer: ReturnType<typeof setInterval> | undefined;
  let running: Promise<number> | undefined;

  /** One pass; returns how many keys were forgotten. */
  async function sweep(): Promise<number> {
    const cutoff = clock.now() - ttlMs;
    let afterKey: string | undefined;
    let removed = 0;
    for (;;) {
      const page = await store.records.list(IDEMPOTENCY_KIND, {
        limit: 500,
        ...(afterKey ? { afterKey } : {}),
      });
      if (page.length === 0) return removed;
      const old = page.filter((r) => {
        const data = r.data as { state?: string; startedAt?: number } | null;
        return data?.state === "done" && typeof data.startedAt === "number" && data.startedAt < cutoff;
      });
      if (old.length > 0) {
        removed += await store.transaction(async (tx) => {
          let n = 0;
          for (const record of old) {
            if (
              await tx
                .deleteRecord(IDEMPOTENCY_KIND, record.key, { expectedVersion: record.version })
                .catch(() => false)
            )
              n++;
          }
          return n;
        });
      }
      afterKey = page.at(-1)?.key;
    }
  }

  return {
    sweep,
    start(intervalMs = 10 * 60 * 1_000) {
      timer = setInterval(() => {
        running ??= sweep()
          .catch((error: unknown) => {
            logger.warn({ error }, "idempotency key sweep failed; next pass retries");
            return 0;
          })
          .finally(() => {
            running = undefined;
          });
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
