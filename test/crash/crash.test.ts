/**
 * The crash test of the durable core: a real `crossdock start` child process receives webhooks and
 * delivers them to a sandbox warehouse; it is killed with SIGKILL at random points, restarted, again
 * and again. Afterwards every webhook that was acknowledged (2xx) must have been delivered to both
 * targets, and every delivery's effect must have happened exactly once (the warehouse applies an effect
 * once per idempotency key and counts what it applied under any other key).
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Agent, request } from "undici";
import { startRecorder } from "../../sandbox/recorder/recorder-server.ts";
import { freePort } from "../../src/core/free-port.ts";

const ROUNDS = 6;
const PRODUCERS = 12;
const root = join(import.meta.dirname, "..", "..");

function startChild(configFile: string): ChildProcess {
  const child = spawn(process.execPath, [join(root, "src/cli/main.ts"), "start", "--config", configFile], {
    cwd: root,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr = (stderr + String(chunk)).slice(-4_000);
  });
  child.on("exit", (code, signal) => {
    if (code !== null && code !== 0 && signal === null)
      process.stderr.write(`crossdock child exited ${code}: ${stderr}\n`);
  });
  return child;
}

async function waitReady(base: string, agent: Agent, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`child exited early with ${child.exitCode}`);
    try {
      const res = await request(`${base}/readyz`, { dispatcher: agent });
      await res.body.dump();
      if (res.statusCode === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("child did not become ready in 20 s");
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await exited;
}

test("SIGKILL at random points loses no acknowledged webhook and doubles no effect", {
  timeout: 180_000,
}, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "crossdock-crash-"));
  const warehouse = await startRecorder({ failureRate: 0.05 });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const configFile = join(dir, "crossdock.yaml");
  await writeFile(
    configFile,
    `version: 1
environment: test
store: { url: "sqlite:${join(dir, "crossdock.db")}" }
server: { port: ${port} }
log: { level: error }
workers: { concurrency: 8, leaseMs: 800, pollIntervalMs: 10 }
retry: { initialIntervalMs: 50, maximumIntervalMs: 400, maximumAttempts: 0 }
connections:
  shop: { type: webhook-json, eventType: order.received, keyPointer: /name, deliverTo: [wh-a, wh-b] }
  wh-a: { type: http, url: "${warehouse.url}" }
  wh-b: { type: http, url: "${warehouse.url}" }
`,
  );
  const acked = new Set<string>();
  const sent = new Set<string>();
  let next = 0;
  const agent = new Agent({ connections: PRODUCERS });
  try {
    for (let round = 0; round <= ROUNDS; round++) {
      const child = startChild(configFile);
      await waitReady(base, agent, child);
      if (round === ROUNDS) {
        // Final round: no kill; wait until every acknowledged webhook has reached both targets.
        const deadline = Date.now() + 60_000;
        const expected = [...acked].flatMap((id) => [`shop:${id}:wh-a`, `shop:${id}:wh-b`]);
        while (Date.now() < deadline && !expected.every((k) => warehouse.effects.has(k))) {
          await new Promise((r) => setTimeout(r, 100));
        }
        await kill(child);
        break;
      }
      let stop = false;
      const producer = async () => {
        while (!stop) {
          // Every fourth send repeats an earlier id: the storefront redelivering a webhook.
          const repeat = next > 10 && next % 4 === 0;
          const id = repeat ? `wh-${Math.floor(Math.random() * next)}` : `wh-${next}`;
          next++;
          sent.add(id);
          try {
            const res = await request(`${base}/hooks/shop`, {
              method: "POST",
              dispatcher: agent,
              headers: { "content-type": "application/json", "webhook-id": id },
              body: JSON.stringify({ name: `#${id}`, lines: [{ sku: "A", qty: 1 }] }),
            });
            await res.body.dump();
            if (res.statusCode === 200 || res.statusCode === 202) acked.add(id);
          } catch {
            // killed mid-request: not acknowledged, so not owed
          }
        }
      };
      const producers = Array.from({ length: PRODUCERS }, producer);
      await new Promise((r) => setTimeout(r, 150 + Math.random() * 600));
      await kill(child);
      stop = true;
      await Promise.all(producers);
    }

    assert.ok(acked.size > 100, `enough traffic was acknowledged (${acked.size})`);
    const missing = [...acked].filter(
      (id) => !warehouse.effects.has(`shop:${id}:wh-a`) || !warehouse.effects.has(`shop:${id}:wh-b`),
    );
    assert.deepEqual(missing, [], "every acknowledged webhook reached both targets");
    const valid = new Set([...sent].flatMap((id) => [`shop:${id}:wh-a`, `shop:${id}:wh-b`]));
    const unexpected = [...warehouse.effects.keys()].filter((k) => !valid.has(k));
    assert.deepEqual(unexpected, [], "no effect under a key the hub should not have produced");
    const perOrder = new Map<string, number>();
    for (const effect of warehouse.effects.values()) {
      const name = (effect.body as { name: string }).name;
      perOrder.set(name, (perOrder.get(name) ?? 0) + 1);
    }
    const notTwice = [...perOrder.entries()].filter(([, n]) => n !== 2);
    assert.deepEqual(notTwice, [], "each order's effect happened exactly once per target");
    const attempts = [...warehouse.attempts.values()].reduce((a, b) => a + b, 0);
    assert.ok(attempts >= warehouse.effects.size, "deliveries were attempted at least once each");
    t.diagnostic(
      `${ROUNDS} kills; ${acked.size} webhooks acknowledged of ${sent.size} ids sent; ${warehouse.effects.size} effects; ` +
        `${attempts - warehouse.effects.size} repeated or failed deliveries absorbed by idempotency keys and retries`,
    );
  } finally {
    await agent.close();
    await warehouse.close();
    await rm(dir, { recursive: true, force: true });
  }
});
