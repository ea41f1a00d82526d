/**
 * Order-to-cash under SIGKILL: a real `crossdock start` child runs the flow against the sandbox Odoo
 * and 3PL (in this process); orders arrive through the REST API while the child is killed at random
 * points and restarted. Afterwards every accepted order exists once in Odoo, was shipped once by the
 * 3PL, and is invoiced and paid: the same final state as without the kills.
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

test("order to cash survives SIGKILL at random points: each order once in Odoo, shipped once, invoiced and paid", {
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
      await res.body.dump();
      if (res.statusCode === 200 || res.statusCode === 202) accepted.add(`shop:CR-${n}`);
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
      await new Promise((r) => setTimeout(r, 300 + Math.floor(Math.random() * 1_500)));
      await kill(child);
      child = startChild(configFile, env);
    }
    assert.equal(accepted.size, ORDERS, "every order accepted by some round");
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
      "every order invoiced and paid",
      async () => {
        const orders = await client.searchRead<{ origin: string; invoice_ids: number[] }>(
          "sale.order",
          [["origin", "=like", "shop:CR-%"]],
          ["origin", "invoice_ids"],
        );
        if (orders.length < ORDERS) return false;
        const invoices = await client.read<{ payment_state: string }>(
          "account.move",
          orders.flatMap((o) => o.invoice_ids),
          ["payment_state"],
        );
        return invoices.length === ORDERS && invoices.every((i) => i.payment_state === "paid");
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
    assert.ok(orders.every((o) => o.state === "sale"));
    const pickings = await client.read<{ state: string }>(
      "stock.picking",
      orders.flatMap((o) => o.picking_ids),
      ["state"],
    );
    assert.ok(
      pickings.every((p) => p.state === "done"),
      "every delivery validated",
    );
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
