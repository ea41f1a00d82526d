import { DEFAULT_RETRY_POLICY, resolveRetryPolicy } from "./retry-policy.ts";
import type { StoreConfig } from "./store.ts";

/** The defaults documented on `StoreConfig`. */
export const DEFAULT_STORE_CONFIG: Readonly<StoreConfig> = Object.freeze({
  maxMessageBytes: 5 * 1024 * 1024,
  maxPendingAppends: 10_000,
  maxBatchSize: 512,
  defaultRetry: DEFAULT_RETRY_POLICY,
});

/**
 * Fills a partial `StoreConfig` from the defaults, checks the ranges and freezes the result. Both
 * adapters call it so that the same `store:` settings mean the same thing on SQLite and PostgreSQL.
 */
export function resolveStoreConfig(partial: Partial<StoreConfig> | undefined): Readonly<StoreConfig> {
  const config: StoreConfig = {
    ...DEFAULT_STORE_CONFIG,
    ...partial,
    defaultRetry: resolveRetryPolicy(partial?.defaultRetry, DEFAULT_RETRY_POLICY),
  };
  for (const field of ["maxMessageBytes", "maxPendingAppends", "maxBatchSize"] as const) {
    const value = config[field];
    if (!(Number.isInteger(value) && value > 0)) {
      throw new RangeError(`store.${field} must be a positive integer, got ${value}`);
    }
  }
  return Object.freeze(config);
}
