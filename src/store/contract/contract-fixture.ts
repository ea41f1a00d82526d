/**
 * Shared plumbing of the store contract suite: the fixture an adapter provides, and small helpers the
 * suite's parts use. Nothing here knows a dialect.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ManualClock } from "../../core/clock.ts";
import type { ClaimedJob, ClaimOptions, JobInput, Store, StoreConfig } from "../store.ts";

/** What `create` returns: a fresh, migrated, empty store whose clock the test controls. */
export interface StoreFixture {
  store: Store;
  clock: ManualClock;
  /** Closes whatever store the fixture has open (it may already be closed) and removes its data. */
  cleanup(): Promise<void>;
  /**
   * Optional: closes the current store if it is still open and opens a new one on the same data
   * (migrated, same clock). Tests of durability across restarts run only when it is given; `cleanup`
   * must then close the reopened store too.
   */
  reopen?(): Promise<Store>;
}

export interface StoreFixtureOptions {
  /** Settings the store must be created with; the suite uses small limits to test back-pressure. */
  config?: Partial<StoreConfig>;
}

export interface StoreContractOptions {
  /** Shown in the test names, e.g. `sqlite` or `postgres`. */
  name: string;
  create(options?: StoreFixtureOptions): Promise<StoreFixture>;
}

/** Declares one test that gets its own fixture and always cleans it up. */
export function storeTest(
  suite: StoreContractOptions,
  name: string,
  fn: (fixture: StoreFixture) => Promise<void>,
  options?: StoreFixtureOptions,
): void {
  test(name, async () => {
    const fixture = await suite.create(options);
    try {
      await fn(fixture);
    } finally {
      await fixture.cleanup();
    }
  });
}

/** Asserts that `promise` rejects with a `CrossdockError` of `code`; returns the error. */
export async function rejectsWithCode(
  promise: Promise<unknown>,
  code: string,
): Promise<Error & { code: string; details?: Record<string, unknown>; retryAfterMs?: number }> {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    return true;
  });
  assert.equal((caught as { code?: unknown }).code, code, `expected ${code}, got: ${String(caught)}`);
  return caught as Error & { code: string };
}

export const TRACE = { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" };

export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function hex(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("hex");
}

/** A job input with sensible defaults; `key` becomes the idempotency key. */
export function job(key: string, overrides: Partial<JobInput> = {}): JobInput {
  return {
    target: "odoo",
    kind: "odoo.create-sale-order",
    idempotencyKey: key,
    payload: { key },
    ...overrides,
  };
}

/** Claims with defaults suited to tests (worker `w1`, 30 s lease, limit 10). */
export function claim(store: Store, options: Partial<ClaimOptions> = {}): Promise<ClaimedJob[]> {
  return store.jobs.claim({ workerId: "w1", leaseMs: 30_000, limit: 10, ...options });
}

/** Claims exactly one job and returns it. */
export async function claimOne(store: Store, options: Partial<ClaimOptions> = {}): Promise<ClaimedJob> {
  const claimed = await claim(store, { limit: 1, ...options });
  assert.equal(claimed.length, 1, "expected one claimable job");
  return claimed[0]!;
}
