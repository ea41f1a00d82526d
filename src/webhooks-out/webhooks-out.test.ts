import assert from "node:assert/strict";
import { test } from "node:test";
import { Webhook } from "standardwebhooks";
import { createSequentialIds } from "../core/ids.ts";
import { createWorker } from "../delivery/worker.ts";
import { createWebhooksOut, WEBHOOK_HANDLER_KEY } from "./webhooks-out.ts";
import { setupWebhooks } from "./webhooks-test-fixture.ts";

test("wired as the composition root would: dispatcher loop + worker with the webhook:* handler deliver an event", async (t) => {
  const w = await setupWebhooks(t);
  let worker: ReturnType<typeof createWorker> | undefined;
  const webhooks = createWebhooksOut({
    store: w.store,
    clock: w.clock,
    ids: createSequentialIds(100),
    logger: w.log.logger,
    urlPolicy: { allowPrivateNetworks: true },
    onEnqueued: () => worker?.wake(),
  });
  worker = createWorker({
    store: w.store,
    clock: w.clock,
    workerId: "hub",
    handlers: { [WEBHOOK_HANDLER_KEY]: webhooks.delivery.handler },
    concurrency: 4,
    leaseMs: 30_000,
    pollIntervalMs: 50,
  });
  const { secret } = await webhooks.subscriptions.create({ name: "acme", url: w.url, events: ["order.*"] });
  const arrived = new Promise<void>((resolve) =>
    w.answer(() => {
      resolve();
      return { status: 200 };
    }),
  );
  worker.start();
  await webhooks.dispatcher.start();
  await w.store.events.append([{ stream: "order:SO9", type: "order.confirmed", data: { id: "SO9" } }]);
  webhooks.dispatcher.wake();
  await arrived;
  await webhooks.dispatcher.stop();
  await worker.stop();
  await webhooks.delivery.close();
  const [request] = w.received;
  assert.deepEqual(
    (
      new Webhook(secret).verify(request!.body, request!.headers as Record<string, string>) as {
        data: unknown;
      }
    ).data,
    { id: "SO9" },
  );
});
