/**
 * What the outbound webhook tests share: a fresh SQLite store on a manual clock (started at the real
 * time, because the standardwebhooks oracle checks timestamps against `Date.now()`), a real local HTTP
 * receiver whose answers each test scripts, and the subscriptions service, dispatcher and delivery
 * handler wired together. `runDue()` claims and runs every due job the way a worker would, one at a
 * time, so tests are deterministic without a worker loop or sleeps.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { ManualClock } from "../core/clock.ts";
import { createSequentialIds } from "../core/ids.ts";
import { createJobRunner, type JobRunResult } from "../delivery/job-runner.ts";
import type { StructuredLogger } from "../delivery/structured-logger.ts";
import { createSqliteStore } from "../store/sqlite/sqlite-store.ts";
import type { EventInput, JsonValue } from "../store/store.ts";
import { createWebhookDelivery, type WebhookDeliveryOptions } from "./webhook-delivery.ts";
import { createWebhookDispatcher } from "./webhook-dispatcher.ts";
import { createWebhookSubscriptions } from "./webhook-subscriptions.ts";

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Never answer (to test timeouts). */
  hang?: boolean;
}

/** Collects log lines so a test can look for the alert. */
export function logRecorder() {
  const lines: { level: string; fields: object; message?: string | undefined }[] = [];
  const at =
    (level: string) =>
    (fields: object, message?: string): void => {
      lines.push({ level, fields, message });
    };
  const logger: StructuredLogger = {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
  };
  return { lines, logger };
}

export async function setupWebhooks(t: TestContext, overrides: Partial<WebhookDeliveryOptions> = {}) {
  const dir = await mkdtemp(join(tmpdir(), "crossdock-webhooks-"));
  const clock = new ManualClock(Date.now());
  const ids = createSequentialIds();
  const store = await createSqliteStore({ path: join(dir, "hub.db"), clock, ids });
  await store.migrate();

  const received: Received[] = [];
  let answer: (request: Received, n: number) => Answer = () => ({ status: 200 });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request = { headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at: clock.now() };
      received.push(request);
      const reply = answer(request, received.length);
      if (reply.hang) return;
      res.writeHead(reply.status, reply.headers ?? {});
      res.end(reply.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;

  const urlPolicy = { allowPrivateNetworks: true };
  const log = logRecorder();
  const subscriptions = createWebhookSubscriptions({ store, clock, ids, urlPolicy });
  const dispatcher = createWebhookDispatcher({
    store,
    clock,
    subscriptions,
    logger: log.logger,
    cacheTtlMs: 0,
  });
  await store.events.subscribe("webhooks-out", { from: "end" });
  const delivery = createWebhookDelivery({
    store,
    clock,
    subscriptions,
    urlPolicy,
    logger: log.logger,
    random: () => 0.5,
    timeoutMs: 2_000,
    ...overrides,
  });
  const runner = createJobRunner({
    store,
    clock,
    logger: log.logger,
    handlers: new Map([["webhook:*", delivery.handler]]),
    leaseMs: 60_000,
    timeoutFor: () => undefined,
  });

  t.after(async () => {
    await delivery.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  return {
    store,
    clock,
    subscriptions,
    dispatcher,
    delivery,
    received,
    url,
    log,
    /** Sets how the receiver answers request number n (1-based, across the test). */
    answer(fn: (request: Received, n: number) => Answer) {
      answer = fn;
    },
    /** Appends events and dispatches them. */
    async publish(...events: (Partial<EventInput> & { type: string })[]) {
      await store.events.append(events.map((e) => ({ stream: "order:SO1", data: {} as JsonValue, ...e })));
      return dispatcher.dispatchOnce();
    },
    /** Claims and runs every due job, one at a time, until none is due. */
    async runDue(): Promise<JobRunResult[]> {
      const results: JobRunResult[] = [];
      for (;;) {
        const [job] = await store.jobs.claim({ workerId: "test", leaseMs: 60_000, limit: 1 });
        if (!job) return results;
        results.push(await runner.run(job));
      }
    },
  };
}
