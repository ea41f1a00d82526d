/**
 * `crossdock demo --quick` run in-process through `runCli`: the sandbox landscape, the generated config
 * and the traffic, end to end. The injected `untilStopped` is called once the traffic has been
 * processed; it checks the running landscape from outside (the sandbox Odoo over JSON-RPC, the hub's
 * HTTP endpoints) before letting the demo stop, and the store is read again afterwards.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { request } from "undici";
import { runCli } from "../../src/cli/main.ts";
import { createOdooClient } from "../../src/connectors/odoo/odoo-client.ts";
import { systemClock } from "../../src/core/clock.ts";
import { createIdGenerator } from "../../src/core/ids.ts";
import { ORDER_TO_CASH } from "../../src/flows/order-to-cash/order-to-cash.ts";
import { createSqliteStore } from "../../src/store/sqlite/sqlite-store.ts";

interface Seen {
  saleOrders: { name: string; origin: string; state: string }[];
  invoices: { payment_state: string; invoice_origin: string | false }[];
  metrics: number;
  openapi: number;
  storefront: string;
}

test("crossdock demo --quick: orders reach Odoo once each, get invoiced, the malformed one is a located exception", async () => {
  const dir = await mkdtemp(join(tmpdir(), "crossdock-demo-"));
  const out: string[] = [];
  const err: string[] = [];
  let seen: Seen | undefined;
  const untilStopped = async () => {
    const text = out.join("\n");
    const odooUrl = /sandbox Odoo on (http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1];
    const hubUrl = /hub on (http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1];
    const shopUrl = /storefront on (http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1];
    assert.ok(odooUrl && hubUrl && shopUrl, `addresses printed:\n${text}`);
    const odoo = createOdooClient({
      url: odooUrl,
      database: "crossdock",
      login: "admin",
      apiKey: { reveal: () => "sandbox-admin-key" },
    });
    const saleOrders = await odoo.searchRead<{ name: string; origin: string; state: string }>(
      "sale.order",
      [["origin", "like", "shop:"]],
      ["name", "origin", "state"],
    );
    const invoices = await odoo.searchRead<{ payment_state: string; invoice_origin: string | false }>(
      "account.move",
      [
        ["move_type", "=", "out_invoice"],
        ["state", "=", "posted"],
        ["invoice_origin", "!=", false],
      ],
      ["payment_state", "invoice_origin"],
    );
    const metrics = await request(`${hubUrl}/metrics`);
    await metrics.body.dump();
    const openapi = await request(`${hubUrl}/api/v1/openapi.json`);
    await openapi.body.dump();
    seen = {
      saleOrders,
      invoices,
      metrics: metrics.statusCode,
      openapi: openapi.statusCode,
      storefront: shopUrl,
    };
  };
  try {
    const code = await runCli(["demo", "--quick", "--port", "0", "--dir", "demo"], {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      env: {},
      cwd: dir,
      untilStopped,
    });
    const text = out.join("\n");
    assert.equal(code, 0, `${err.join("\n")}\n${text}`);
    assert.ok(seen, "untilStopped was called once the traffic was done");

    // Each of the 6 storefront orders is in Odoo exactly once: 5 confirmed, the one the customer
    // cancelled cancelled.
    const perOrigin = new Map<string, number>();
    for (const o of seen.saleOrders) perOrigin.set(o.origin, (perOrigin.get(o.origin) ?? 0) + 1);
    assert.equal(perOrigin.size, 6, JSON.stringify(seen.saleOrders));
    assert.deepEqual([...new Set(perOrigin.values())], [1], "no order twice in Odoo");
    assert.deepEqual(seen.saleOrders.map((o) => (o.state === "done" ? "sale" : o.state)).sort(), [
      "cancel",
      "sale",
      "sale",
      "sale",
      "sale",
      "sale",
    ]);
    // At least one of them invoiced (not the sandbox's own demo invoices), and paid: the shop is prepaid.
    const names = new Set(seen.saleOrders.map((o) => o.name));
    const ours = seen.invoices.filter(
      (i) => typeof i.invoice_origin === "string" && names.has(i.invoice_origin),
    );
    assert.ok(ours.length >= 1, `an invoice of a demo order is posted: ${JSON.stringify(seen.invoices)}`);
    assert.ok(ours.some((i) => i.payment_state === "paid"));
    assert.equal(seen.metrics, 200);
    assert.equal(seen.openapi, 200);

    // The summary: a line every 2 s with the counts, the last one showing the flow's end state.
    const lines = text.split("\n").filter((l) => /^\[\s*\d+s\] orders received/.test(l));
    assert.ok(lines.length >= 2, text);
    assert.match(
      lines.at(-1) ?? "",
      /orders received 6 \| in Odoo 5 \| shipped 5 \| invoiced [1-5] \| paid [1-5] \| cancelled 1 \| exceptions 1/,
    );
    assert.doesNotMatch(text, /Not everything finished/, "every run ended and no job is left waiting");
    // The next steps: status, exceptions, the generated config, the API and metrics URLs.
    assert.match(text, /Where to look next/);
    assert.match(text, /--config \S+crossdock\.yaml status/);
    assert.match(text, /exceptions ls/);
    assert.match(text, /cat \S+demo\/crossdock\.yaml/);
    assert.match(text, /curl http:\/\/127\.0\.0\.1:\d+\/api\/v1\/openapi\.json/);
    assert.match(text, /curl http:\/\/127\.0\.0\.1:\d+\/metrics/);
    assert.match(text, /Duplicate deliveries sent: \d+ by the storefront/);

    // The generated config is readable and turns order-to-cash on.
    const config = await readFile(join(dir, "demo", "crossdock.yaml"), "utf8");
    assert.match(config, /flows:\n {2}order-to-cash:/);
    assert.match(config, /type: shopify/);
    assert.doesNotMatch(config, /shpat_|sandbox-admin-key|whsec_/, "secrets are in files, not in the config");

    // The store afterwards: one run per valid order, all completed (one by cancelling); the malformed order is an exception
    // with the located reason (the line without a SKU).
    const keys: { key: string; outcome: string | undefined }[] = [];
    const store = await createSqliteStore({
      path: join(dir, "demo", "crossdock.db"),
      clock: systemClock,
      ids: createIdGenerator(systemClock),
    });
    try {
      const runs = await store.workflows.list({ type: ORDER_TO_CASH });
      keys.push(
        ...runs.map((r) => ({
          key: r.key,
          outcome: (r.output as { outcome?: string } | undefined)?.outcome,
        })),
      );
      assert.equal(runs.length, 6);
      assert.deepEqual(
        runs.map((r) => r.status),
        runs.map(() => "completed"),
      );
      assert.deepEqual(runs.map((r) => (r.output as { outcome?: string } | undefined)?.outcome).sort(), [
        "cancelled",
        "fulfilled",
        "fulfilled",
        "fulfilled",
        "fulfilled",
        "fulfilled",
      ]);
      const exceptions = await store.exceptions.list({ status: "open" });
      assert.equal(exceptions.length, 1, JSON.stringify(exceptions.map((e) => e.error.message)));
      const [malformed] = exceptions;
      assert.equal(malformed?.error.code, "CDK_DECODE_FAILED");
      assert.match(
        malformed?.error.message ?? "",
        /connection shop.*orders\/create body does not map to order\/v1/,
      );
      assert.match(malformed?.error.message ?? "", /\/line_items\/0\/sku/);
    } finally {
      await store.close();
    }

    // `crossdock trace`: a fulfilled order's path through every system, a cancelled one's, and the
    // malformed one (no run: its refusal).
    const trace = async (ref: string) => {
      const lines: string[] = [];
      const code = await runCli(["--config", join(dir, "demo", "crossdock.yaml"), "trace", ref], {
        out: (t) => lines.push(t),
        err: (t) => lines.push(t),
        env: {},
        cwd: dir,
      });
      return { code, text: lines.join("\n") };
    };
    const byOutcome = (outcome: string) => keys.find((k) => k.outcome === outcome)?.key as string;
    const fulfilled = await trace(byOutcome("fulfilled"));
    assert.equal(fulfilled.code, 0, fulfilled.text);
    const order = [
      /shop\s+message/,
      /hub\s+event\s+order\.received/,
      /odoo\s+step\s+create-sale-order/,
      /warehouse\s+step\s+release-to-warehouse/,
      /warehouse\s+event\s+shipment\.dispatched/,
      /odoo\s+step\s+validate-delivery-1/,
      /channel\s+step\s+push-tracking-1/,
      /odoo\s+step\s+invoice/,
      /odoo\s+step\s+register-payment/,
      /hub\s+run\s+run completed/,
    ].map((pattern) => fulfilled.text.search(pattern));
    assert.ok(
      order.every((at) => at >= 0),
      `${order}\n${fulfilled.text}`,
    );
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
      `in time order:\n${fulfilled.text}`,
    );
    assert.match(fulfilled.text, /^order shop:\d+: run \S+ completed \(fulfilled, Odoo S\d+\)/);
    const cancelled = await trace(byOutcome("cancelled"));
    assert.match(cancelled.text, /channel\s+event\s+order\.cancelled/);
    assert.match(cancelled.text, /warehouse\s+step\s+cancel-at-warehouse\s+done: \{"cancelled":true\}/);
    assert.match(cancelled.text, /odoo\s+step\s+cancel-sale-order/);
    const malformedId = /\+1 malformed, id (\d+)/.exec(text)?.[1] as string;
    const refused = await trace(malformedId);
    assert.equal(refused.code, 0, refused.text);
    assert.match(refused.text, /no order-to-cash run/);
    assert.match(refused.text, /hub\s+exception\s+CDK_DECODE_FAILED.*line_items\/0\/sku/);
    const unknown = await trace("shop:404404");
    assert.equal(unknown.code, 1);
    assert.match(unknown.text, /CDK_WORKFLOW_NOT_FOUND: no order "shop:404404"/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("crossdock demo refuses a bad --port before starting anything", async () => {
  const dir = await mkdtemp(join(tmpdir(), "crossdock-demo-"));
  const err: string[] = [];
  try {
    for (const port of ["-1", "65536", "abc", "1.5", "9".repeat(400)]) {
      const code = await runCli(["demo", "--port", port, "--dir", "demo"], {
        out: () => {},
        err: (t) => err.push(t),
        env: {},
        cwd: dir,
        untilStopped: async () => {},
      });
      assert.notEqual(code, 0, port);
    }
    assert.match(err.join("\n"), /--port must be an integer from 0 to 65535/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
