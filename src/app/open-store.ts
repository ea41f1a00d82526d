import type { Clock } from "../core/clock.ts";
import type { IdGenerator } from "../core/ids.ts";
import type { Logger } from "../observability/logger.ts";
import { createPostgresStore } from "../store/postgres/postgres-store.ts";
import { createSqliteStore } from "../store/sqlite/sqlite-store.ts";
import type { Store, StoreConfig } from "../store/store.ts";
import type { CrossdockConfig } from "./config-schema.ts";

/**
 * Opens the store the configuration names (SQLite file or PostgreSQL) and brings its schema up to
 * date. The only place that picks an adapter.
 */
export async function openStore(
  config: CrossdockConfig,
  deps: { clock: Clock; ids: IdGenerator; logger?: Logger },
  /** `shortLived`: a CLI command; SQLite then checkpoints inline whatever `store.checkpoints` says. */
  options: { migrate?: boolean; shortLived?: boolean } = {},
): Promise<Store> {
  const settings = config.store;
  const storeConfig: Partial<StoreConfig> = {
    maxMessageBytes: settings.maxMessageBytes,
    maxPendingAppends: settings.maxPendingAppends,
    maxBatchSize: settings.maxBatchSize,
    defaultRetry: config.retry,
  };
  const store =
    settings.kind === "sqlite"
      ? await createSqliteStore({
          path: settings.path,
          synchronous: settings.synchronous,
          checkpoints: options.shortLived ? "inline" : settings.checkpoints,
          onCheckpointerFailure: (error) =>
            deps.logger?.warn(
              { err: error },
              "the background WAL checkpointer stopped; the writer checkpoints inline again",
            ),
          clock: deps.clock,
          ids: deps.ids,
          config: storeConfig,
        })
      : await createPostgresStore({
          url: settings.url.reveal(),
          schema: settings.schema,
          poolSize: settings.poolSize,
          clock: deps.clock,
          ids: deps.ids,
          config: storeConfig,
        });
  if (options.migrate ?? true) {
    try {
      await store.migrate();
    } catch (error) {
      await store.close().catch(() => {});
      throw error;
    }
  }
  return store;
}
