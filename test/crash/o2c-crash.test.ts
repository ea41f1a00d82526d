/**
 * Order-to-cash under SIGKILL: a real `crossdock start` child runs the flow against the sandbox Odoo
 * and 3PL (in this process); orders arrive through the REST API while the child is killed at random
 * points and restarted. Two of the orders are cancelled through the API while the 3PL holds them.
 * Afterwards every accepted order exists once in Odoo and was released once to the 3PL; the others are
 * shipped, invoiced and paid, the cancelled ones cancelled in Odoo and at the 3PL: the same final state
 * as without the kills.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Agent, request } from "undici";
import { startSandboxOdoo } from "../../sandbox/odoo/sandbox-odoo.ts";
import { startSandboxWarehouse3pl } from "../../sandbox/warehouse3pl/sandbox-warehouse3pl.ts";
import { runCli } from "../../src/cli/main.ts";
import { createOdooClient } from "../../src/connectors/odoo/odoo-client.ts";
import { freePort } from "../../src/core/free-port.ts";
import { until } from "../support/until.ts";

const ORDERS = 8;
/** Orders the 3PL holds (never ships) and the channel cancels through the API. */
const CANCELLED = new Set([6, 7]);
const root = join(import.meta.dirname, "..", "..");
const SECRET = `whsec_${Buffer.from("crash-o2c-callback-secret-32bytes").toString("base64")}`;

function startChild(configFile: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [join(root, "src/cli/main.ts"), "start", "--config", configFile], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "ignore"],
  });
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await exited;
}

test("order to cash survives SIGKILL at random points: each order once in Odoo, released once, shipped, invoiced and paid or cancelled everywhere", {
  timeout: 240_000,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), "crossdock-o2c-crash-"));
  const odoo = await startSandboxOdoo({ version: 17, latency: { perCallMs: 15 } });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const wh = await startSandboxWarehouse3pl({
    callbackUrl: `${base}/hooks/wms`,
    callbackSecret: SECRET,
    shipDelayMs: 400,
    callbackRetry: {
      initialIntervalMs: 200,
      backoffCoefficient: 1.5,
      maximumIntervalMs: 2_000,
      maximumAttempts: 60,
    },
  });
  const env = { ODOO_KEY: "sandbox-admin-key", WMS_TOKEN: wh.apiKey, WMS_SECRET: SECRET };
  const configFile = join(dir, "crossdock.yaml");
  await writeFile(
    configFile,
    `version: 1
environment: test
store: { url: "sqlite:hub.db" }
server: { port: ${port} }
workers: { pollIntervalMs: 20, concurrency: 32, leaseMs: 3000 }
retry: { initialIntervalMs: 100, maximumIntervalMs: 1000, maximumAttempts: 0 }
connections:
  erp: { type: odoo, url: "${odoo.url}", database: crossdock, login: admin, apiKey: env:ODOO_KEY, poll: { enabled: false } }
  wms:
    type: warehouse-3pl
    url: "${wh.url}"
    token: env:WMS_TOKEN
    callbackUrl: "${base}/hooks/wms"
    signature: { scheme: standard-webhooks, secret: env:WMS_SECRET }
flows:
  order-to-cash:
    odoo: erp
    warehouse: wms
    channels:
      shop: { prepaid: true }
`,
  );
  // The API key of the channel's identity, created on the store before the hub starts.
  const out: string[] = [];
  const code = await runCli(
    ["--config", configFile, "identities", "create", "--name", "shop-bridge", "--scopes", "orders:write"],
    { out: (t) => out.push(t), err: (t) => out.push(t), env, cwd: dir },
  );
  assert.equal(code, 0, out.join("\n"));
  const apiKey = /cdk_[A-Za-z0-9_-]+/.exec(out.join("\n"))?.[0];
  assert.ok(apiKey, out.join("\n"));

  const client = createOdooClient({
    url: odoo.url,
    database: "crossdock",
    login: "admin",
    apiKey: { reveal: () => "sandbox-admin-key" },
  });
  const skus = (
    await client.searchRead<{ default_code: string }>(
      "product.product",
      [["default_code", "like", "FURN_%"]],
      ["default_code"],
      {
        order: "default_code asc",
        limit: 2,
      },
    )
  ).map((p) => p.default_code);
  const agent = new Agent({ connections: 4 });
  const accepted = new Set<string>();
  const ids = new Map<number, string>();
  const cancelAccepted = new Set<number>();
  for (const n of CANCELLED) wh.warehouse.plan(`shop:CR-${n}`, { kind: "hold" });
  const cancel = async (n: number) => {
    try {
      const res = await request(`${base}/api/v1/orders/${ids.get(n)}/cancel`, {
        method: "POST",
        dispatcher: agent,
        headers: {
          authorization: `Bearer ${apiKey}`,
          "content-type": "application/json",
          "idempotency-key": `crash-cancel-${n}`,
        },
        body: JSON.stringify({ reason: "customer cancelled" }),
      });
      await res.body.dump();
      if (res.statusCode === 200 || res.statusCode === 202) cancelAccepted.add(n);
    } catch {
      // the hub was down: asked again in a later round
    }
  };
  const submit = async (n: number) => {
    try {
      const res = await request(`${base}/api/v1/orders`, {
        method: "POST",
        dispatcher: agent,
        headers: {
          authorization: `Bearer ${apiKey}`,
          "content-type": "application/json",
          "idempotency-key": `crash-${n}`,
        },
        body: JSON.stringify({
          channel: "shop",
          externalId: `CR-${n}`,
          currency: "EUR",
          customer: { name: `Crash ${n}`, email: `crash-${n}@example.com` },
          shipTo: { name: `Crash ${n}`, street: "Main 1", city: "Gent", countryCode: "BE" },
          lines: [
            { sku: skus[0], quantity: "1", unitPrice: "10.00" },
            { sku: skus[1], quantity: "2", unitPrice: "3.00" },
          ],
        }),
      });
      const answer = (await res.body.json().catch(() => ({}))) as { id?: string };
      if (res.statusCode === 200 || res.statusCode === 202) {
        accepted.add(`shop:CR-${n}`);
        if (answer.id) ids.set(n, answer.id);
      }
    } catch {
      // the hub was down: the order is re-sent in a later round
    }
  };
  let child = startChild(configFile, env);
  try {
    for (let round = 0; round < 6; round++) {
      await until(
        "the hub answers",
        async () => {
          try {
            const res = await request(`${base}/readyz`, { dispatcher: agent });
            await res.body.dump();
            return res.statusCode === 200;
          } catch {
            return false;
          }
        },
        20_000,
      );
      await Promise.all(
        Array.from({ length: ORDERS }, (_, n) => (accepted.has(`shop:CR-${n}`) ? undefined : submit(n))),
      );
      await Promise.all(
        [...CANCELLED].map((n) => (ids.has(n) && !cancelAccepted.has(n) ? cancel(n) : undefined)),
      );
      await new Promise((r) => setTimeout(r, 300 + Math.floor(Math.random() * 1_500)));
      await kill(child);
      child = startChild(configFile, env);
    }
    assert.equal(accepted.size, ORDERS, "every order accepted by some round");
    // The last round's cancellations, if the kill came first.
    for (let tries = 0; cancelAccepted.size < CANCELLED.size && tries < 50; tries++) {
      await Promise.all([...CANCELLED].map((n) => (cancelAccepted.has(n) ? undefined : cancel(n))));
      if (cancelAccepted.size < CANCELLED.size) await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(cancelAccepted.size, CANCELLED.size, "every cancellation accepted");
    const shipped = ORDERS - CANCELLED.size;
    const cli = async (...argv: string[]) => {
      const lines: string[] = [];
      await runCli(["--config", configFile, ...argv], {
        out: (t) => lines.push(t),
        err: (t) => lines.push(t),
        env,
        cwd: dir,
      });
      return lines.join("\n");
    };
    await until(
      "every shipped order invoiced and paid, every cancelled one cancelled",
      async () => {
        const orders = await client.searchRead<{ origin: string; state: string; invoice_ids: number[] }>(
          "sale.order",
          [["origin", "=like", "shop:CR-%"]],
          ["origin", "state", "invoice_ids"],
        );
        if (orders.length < ORDERS) return false;
        if (orders.filter((o) => o.state === "cancel").length < CANCELLED.size) return false;
        const invoices = await client.read<{ payment_state: string }>(
          "account.move",
          orders.flatMap((o) => o.invoice_ids),
          ["payment_state"],
        );
        return invoices.length === shipped && invoices.every((i) => i.payment_state === "paid");
      },
      150_000,
    ).catch(async (error: Error) => {
      // What the hub says is stuck, for whoever reads the failure.
      const list = await cli("exceptions", "ls");
      const first = /exc_[0-9a-z]+/.exec(list)?.[0];
      throw new Error(
        `${error.message}\n${await cli("status")}\n${list}\n${first ? await cli("exceptions", "show", first) : ""}`,
      );
    });
    const orders = await client.searchRead<{ origin: string; state: string; picking_ids: number[] }>(
      "sale.order",
      [["origin", "=like", "shop:CR-%"]],
      ["origin", "state", "picking_ids"],
    );
    assert.equal(orders.length, ORDERS, "each order once in Odoo");
    assert.equal(new Set(orders.map((o) => o.origin)).size, ORDERS);
    const isCancelled = (origin: string) => CANCELLED.has(Number(origin.replace("shop:CR-", "")));
    assert.deepEqual(
      orders.map((o) => [o.origin, o.state]).sort(),
      orders.map((o) => [o.origin, isCancelled(o.origin) ? "cancel" : "sale"]).sort(),
    );
    const pickings = await client.read<{ state: string }>(
      "stock.picking",
      orders.filter((o) => !isCancelled(o.origin)).flatMap((o) => o.picking_ids),
      ["state"],
    );
    assert.ok(
      pickings.every((p) => p.state === "done"),
      "every delivery of a shipped order validated",
    );
    for (const n of CANCELLED) {
      assert.equal(
        wh.warehouse.byReference(`shop:CR-${n}`)?.status,
        "cancelled",
        `CR-${n} cancelled at the 3PL`,
      );
    }
    for (const key of accepted) {
      assert.equal(
        [...wh.warehouse.orders.values()].filter((o) => o.reference === key).length,
        1,
        `${key} released once`,
      );
    }
  } finally {
    await kill(child);
    await agent.close();
    await client.close();
    await wh.close();
    await odoo.close();
    await rm(dir, { recursive: true, force: true });
  }
});
