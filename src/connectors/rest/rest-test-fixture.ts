/**
 * What the REST tests share: a sandbox marketplace per test (closed after it), connection settings
 * for it with each auth kind, a client on a shared manual clock, a fresh SQLite store, and `drive()`,
 * which moves the manual clock while a call waits for the rate limiter. Test support only.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import {
  type SandboxMarketplace,
  type SandboxMarketplaceOptions,
  startSandboxMarketplace,
} from "../../../sandbox/marketplace/sandbox-marketplace.ts";
import { ManualClock } from "../../core/clock.ts";
import { createSequentialIds } from "../../core/ids.ts";
import { ManualTimers } from "../../core/timers.ts";
import { Secret } from "../../security/secret-ref.ts";
import { createSqliteStore } from "../../store/sqlite/sqlite-store.ts";
import type { Store } from "../../store/store.ts";
import { createRestClient, type RestClient, type RestClientOptions } from "./rest-client.ts";
import { checkRestConnection, parseRestConnection } from "./rest-connection.ts";

export type AuthKind = "api-key" | "basic" | "oauth2-client-credentials";

/** A marketplace on `clock`, closed after the test. */
export async function startMarket(
  t: TestContext,
  clock: ManualClock,
  options: SandboxMarketplaceOptions = {},
): Promise<SandboxMarketplace> {
  const market = await startSandboxMarketplace({
    clock,
    rateLimit: { requestsPerSecond: 1_000, burst: 1_000 },
    ...options,
  });
  t.after(() => market.close());
  return market;
}

/** Settings of a `rest` connection to `market` as the config loader hands them over (secrets resolved). */
export function marketSettings(
  market: SandboxMarketplace,
  auth: AuthKind = "oauth2-client-credentials",
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const c = market.credentials;
  const secret = (value: string | undefined) => new Secret(value ?? "", "literal");
  const auths: Record<AuthKind, Record<string, unknown>> = {
    "api-key": { kind: "api-key", header: c.apiKey?.header, value: secret(c.apiKey?.value) },
    basic: { kind: "basic", username: c.basic?.username, password: secret(c.basic?.password) },
    "oauth2-client-credentials": {
      kind: "oauth2-client-credentials",
      tokenUrl: market.tokenUrl,
      clientId: c.oauth2?.clientId,
      clientSecret: secret(c.oauth2?.clientSecret),
    },
  };
  return {
    type: "rest",
    baseUrl: `${market.url}/v1`,
    auth: auths[auth],
    rateLimit: { requestsPerSecond: 1_000, burst: 1_000 },
    timeoutMs: 2_000,
    pagination: {
      kind: "cursor",
      cursorParam: "cursor",
      nextCursorPointer: "/meta/next_cursor",
      sizeParam: "limit",
      size: 20,
    },
    endpoints: {
      orders: { method: "GET", path: "/orders", itemsPointer: "/data", sinceParam: "updated_since" },
      order: { method: "GET", path: "/orders/{id}" },
      offers: {
        method: "GET",
        path: "/offers",
        itemsPointer: "/offers",
        pagination: { kind: "link-header", sizeParam: "per_page", size: 10 },
      },
      updateStock: { method: "PUT", path: "/inventory/{sku}" },
      shipment: { method: "POST", path: "/orders/{id}/shipments" },
    },
    ...extra,
  };
}

/** A client for `settings` (checked first: the fixture's settings must pass the checker), closed after. */
export function restClient(
  t: TestContext,
  settings: Record<string, unknown>,
  clock: ManualClock,
  extra: Partial<RestClientOptions> = {},
): RestClient {
  const problems = checkRestConnection(settings);
  if (problems.length > 0) throw new Error(`fixture settings invalid: ${JSON.stringify(problems)}`);
  const client = createRestClient({ name: "market", config: parseRestConnection(settings), clock, ...extra });
  t.after(() => client.close());
  return client;
}

/**
 * Awaits `promise` while a call waits on `timers` (the rate limiter): between turns of the event
 * loop (which let socket traffic through) the manual clock moves `stepMs` whenever a timer waits.
 */
export async function drive<T>(promise: Promise<T>, timers: ManualTimers, stepMs = 10): Promise<T> {
  let done = false;
  const settled = promise.finally(() => {
    done = true;
  });
  settled.catch(() => undefined);
  for (let turns = 0; !done; turns++) {
    if (turns > 200_000) throw new Error("drive: gave up");
    await new Promise((resolve) => setImmediate(resolve));
    if (timers.pending > 0) timers.advance(stepMs);
  }
  return settled;
}

/** A fresh SQLite store on `clock`, closed and removed after the test. */
export async function openRestTestStore(t: TestContext, clock: ManualClock): Promise<Store> {
  const dir = await mkdtemp(join(tmpdir(), "crossdock-rest-store-"));
  const store = await createSqliteStore({
    path: join(dir, "hub.db"),
    clock,
    ids: createSequentialIds(),
    synchronous: "normal",
  });
  await store.migrate();
  t.after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  return store;
}

/** An error a promise rejected with (the test fails when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<{
  code?: string;
  failureClass?: string;
  message: string;
  retryAfterMs?: number;
  details?: Record<string, unknown>;
}> {
  try {
    await promise;
  } catch (error) {
    return error as never;
  }
  throw new Error("expected a rejection");
}

export { ManualClock, ManualTimers };
