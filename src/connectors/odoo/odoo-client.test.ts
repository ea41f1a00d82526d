import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { CrossdockError } from "../../core/errors.ts";
import { createOdooClient, type OdooClientOptions } from "./odoo-client.ts";

/**
 * The client against a player that answers with what a real Odoo 17 answered (the recordings in
 * `../shared/corpus/odoo-rpc/`), and against scripted answers for the HTTP failures a proxy produces.
 */
type Handler = (body: Record<string, unknown> | string, req: IncomingMessage, res: ServerResponse) => void;

async function startPlayer(handler: { current: Handler }, version = 17) {
  let inFlight = 0;
  const state = { maxInFlight: 0, requests: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      if (req.url === "/web/version") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ version_info: [version, 0, 0, "final", 0, ""], version: `${version}.0` }));
        return;
      }
      const text = Buffer.concat(chunks).toString("utf8");
      let body: Record<string, unknown> | string = text;
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {}
      const params =
        typeof body === "object" ? (body.params as { service?: string; method?: string }) : undefined;
      if (params?.service === "common" && params.method === "authenticate") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ jsonrpc: "2.0", id: (body as { id: number }).id, result: 2 }));
        return;
      }
      state.requests++;
      inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, inFlight);
      res.on("close", () => inFlight--);
      handler.current(body, req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, state, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function clientFor(url: string, extra: Partial<OdooClientOptions> = {}) {
  return createOdooClient({
    url,
    database: "odoo_lab",
    login: "admin",
    apiKey: { reveal: () => "admin" },
    sleep: async () => {},
    random: () => 0.5,
    ...extra,
  });
}

const corpus = new URL("../../../../shared/corpus/odoo-rpc/", import.meta.url);

/** What Crossdock must make of each recorded answer: a value, or an error code. */
const EXPECTED: Record<string, { code: string } | { value: unknown }> = {
  "01": {
    value: [
      {
        id: 10,
        name: "Deco Addict",
        email: "deco_addict@yourcompany.example.com",
        country_id: [233, "United States"],
      },
    ],
  },
  "04": { code: "CDK_ODOO_ACCESS" },
  "05": { code: "CDK_ODOO_ACCESS" },
  "06": { code: "CDK_ODOO_REJECTED" },
  "07": { code: "CDK_ODOO_REJECTED" },
  "08": { code: "CDK_ODOO_REJECTED" },
  "09": { code: "CDK_ODOO_MISSING_RECORD" },
  "10": { value: [] },
  "11": { code: "CDK_ODOO_CONFIG" },
  "12": { code: "CDK_ODOO_ACCESS" },
  "13": { value: undefined },
  "14": { code: "CDK_ODOO_CONFIG" },
  "15": { code: "CDK_ODOO_CONFIG" },
  "16": { code: "CDK_ODOO_REJECTED" },
  "17": { code: "CDK_ODOO_CONFLICT" },
  "18": { code: "CDK_ODOO_PROTOCOL" },
  "19": { code: "CDK_ODOO_CONFIG" },
  "21": { code: "CDK_ODOO_ACCESS" },
};

describe("Odoo client against recorded Odoo 17 answers", {
  skip: !existsSync(corpus) && "corpus absent",
}, () => {
  const handler: { current: Handler } = { current: () => {} };
  let player: Awaited<ReturnType<typeof startPlayer>>;
  before(async () => {
    player = await startPlayer(handler);
  });
  after(() => player.close());

  const files = existsSync(corpus) ? readdirSync(corpus).filter((f) => f.endsWith(".json")) : [];
  for (const file of files) {
    const expected = EXPECTED[file.slice(0, 2)];
    if (!expected) continue;
    test(file, async () => {
      const recording = JSON.parse(readFileSync(new URL(file, corpus), "utf8")) as {
        response: { status: number; body: unknown; content_type?: string; headers?: Record<string, string> };
      };
      handler.current = (body, _req, res) => {
        const response = recording.response;
        const contentType = response.content_type ?? response.headers?.["Content-Type"] ?? "application/json";
        res.writeHead(response.status, { "content-type": contentType, connection: "close" });
        if (typeof response.body === "string") return res.end(response.body);
        // The player answers under the request's id, as Odoo does.
        res.end(JSON.stringify({ ...(response.body as object), id: (body as { id: number }).id }));
      };
      const client = clientFor(player.url);
      try {
        const outcome = await client
          .call({ model: "res.partner", method: "search_read", params: { domain: [] } })
          .then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          );
        if ("code" in expected) {
          assert.ok("error" in outcome, `${file}: expected ${expected.code}, got a value`);
          assert.ok(outcome.error instanceof CrossdockError);
          assert.equal(outcome.error.code, expected.code, outcome.error.message);
          if (file.startsWith("06")) {
            assert.deepEqual(outcome.error.details?.odoo, {
              name: "odoo.exceptions.UserError",
              message:
                "You can not delete a sent quotation or a confirmed sales order. You must first cancel it.",
            });
          }
        } else {
          assert.ok("value" in outcome, `${file}: ${String((outcome as { error: Error }).error)}`);
          assert.deepEqual(outcome.value, expected.value);
        }
      } finally {
        await client.close();
      }
    });
  }
});

describe("Odoo client: retries, budget, timeouts, JSON-2", () => {
  const handler: { current: Handler } = { current: () => {} };
  let player: Awaited<ReturnType<typeof startPlayer>>;
  before(async () => {
    player = await startPlayer(handler);
  });
  after(() => player.close());

  const ok = (res: ServerResponse, id: number, result: unknown) => {
    res.writeHead(200, { "content-type": "application/json", connection: "close" });
    res.end(JSON.stringify({ jsonrpc: "2.0", id, result }));
  };

  test("a serialization failure is retried even for a call that is not safe, since Odoo rolled it back", async () => {
    let n = 0;
    handler.current = (body, _req, res) => {
      n++;
      if (n < 3) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            jsonrpc: "2.0",
            id: (body as { id: number }).id,
            error: {
              code: 200,
              message: "Odoo Server Error",
              data: {
                name: "psycopg2.errors.SerializationFailure",
                message: "could not serialize access due to concurrent update\n",
              },
            },
          }),
        );
        return;
      }
      ok(res, (body as { id: number }).id, 42);
    };
    const client = clientFor(player.url);
    assert.equal(
      await client.call({ model: "res.partner", method: "create", params: { vals_list: [{ name: "x" }] } }),
      42,
    );
    assert.equal(client.stats().retries, 2);
    await client.close();
  });

  test("a 502 is retried for a safe call but not for a create whose effect is unknown", async () => {
    let n = 0;
    handler.current = (body, _req, res) => {
      n++;
      if (n % 2 === 1) {
        res.writeHead(502, { "content-type": "text/html" });
        return res.end("<html>Bad Gateway</html>");
      }
      ok(res, (body as { id: number }).id, [1]);
    };
    const client = clientFor(player.url);
    assert.deepEqual(await client.searchRead("res.partner", [], ["id"]), [1]);
    n = 0;
    await assert.rejects(
      client.call({ model: "sale.order", method: "create", params: { vals_list: [{}] } }),
      (error: CrossdockError) => error.code === "CDK_ODOO_UNAVAILABLE" && error.details?.httpStatus === 502,
    );
    await client.close();
  });

  test("a 429 with Retry-After is honoured", async () => {
    let n = 0;
    const delays: number[] = [];
    handler.current = (body, _req, res) => {
      if (n++ === 0) {
        res.writeHead(429, { "content-type": "text/plain", "retry-after": "7" });
        return res.end("slow down");
      }
      ok(res, (body as { id: number }).id, true);
    };
    const client = clientFor(player.url, { sleep: async (ms) => void delays.push(ms) });
    assert.equal(await client.call({ model: "sale.order", method: "action_confirm", ids: [1] }), true);
    assert.ok(delays[0] !== undefined && delays[0] >= 7_000, `waited ${delays[0]} ms`);
    await client.close();
  });

  test("no more than maxInFlight calls reach Odoo at once", async () => {
    handler.current = (body, _req, res) => {
      setTimeout(() => ok(res, (body as { id: number }).id, []), 20);
    };
    player.state.maxInFlight = 0;
    const client = clientFor(player.url, { maxInFlight: 3 });
    await Promise.all(Array.from({ length: 12 }, () => client.searchRead("res.partner", [], ["id"])));
    assert.equal(player.state.maxInFlight, 3);
    await client.close();
  });

  test("a call with no answer fails within the timeout as unavailable and is not repeated", async () => {
    let n = 0;
    handler.current = () => {
      n++; // never answers
    };
    const client = clientFor(player.url, { timeoutMs: 200 });
    await assert.rejects(
      client.call({ model: "sale.order", method: "action_confirm", ids: [1] }),
      (error: CrossdockError) => error.code === "CDK_ODOO_UNAVAILABLE" && /200 ms/.test(error.message),
    );
    assert.equal(n, 1);
    await client.close();
  });

  test("context is merged: the client's defaults under the call's own", async () => {
    let seen: unknown;
    handler.current = (body, _req, res) => {
      seen = ((body as { params: { args: unknown[] } }).params.args[6] as { context: unknown }).context;
      ok(res, (body as { id: number }).id, true);
    };
    const client = clientFor(player.url, { context: { lang: "en_US", tz: "UTC" } });
    await client.call({
      model: "sale.order",
      method: "action_cancel",
      ids: [1],
      context: { tz: "Europe/Brussels", disable_cancel_warning: true },
    });
    assert.deepEqual(seen, { lang: "en_US", tz: "Europe/Brussels", disable_cancel_warning: true });
    await client.close();
  });
});

describe("Odoo client over JSON-2 (Odoo 19)", () => {
  const handler: { current: Handler } = { current: () => {} };
  let player: Awaited<ReturnType<typeof startPlayer>>;
  before(async () => {
    player = await startPlayer(handler, 19);
  });
  after(() => player.close());

  test("named arguments, bearer key, database header, raw results and status-coded errors", async () => {
    const seen: { url?: string; auth?: string; db?: string; body?: unknown }[] = [];
    handler.current = (body, req, res) => {
      seen.push({
        url: req.url,
        auth: req.headers.authorization,
        db: req.headers["x-odoo-database"] as string,
        body,
      });
      if (req.url === "/json/2/sale.order/action_confirm") {
        res.writeHead(422, { "content-type": "application/json" });
        return res.end(
          JSON.stringify({
            name: "odoo.exceptions.UserError",
            message: "not in a state requiring confirmation",
            arguments: [],
            context: {},
            debug: "",
          }),
        );
      }
      if (req.url === "/json/2/sale.order/action_unlock") {
        res.writeHead(200, { "content-type": "application/json" });
        return res.end("null");
      }
      if (req.url === "/json/2/res.partner/write") {
        res.writeHead(401, { "content-type": "application/json; charset=utf-8" });
        return res.end('"Invalid apikey"');
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify([{ id: 5, name: "Deco Addict" }]));
    };
    const client = clientFor(player.url);
    const info = await client.connect();
    assert.deepEqual(info, { major: 19, transport: "json2" });
    assert.deepEqual(
      await client.searchRead("res.partner", [["name", "ilike", "deco"]], ["name"], { limit: 5 }),
      [{ id: 5, name: "Deco Addict" }],
    );
    assert.deepEqual(seen[0], {
      url: "/json/2/res.partner/search_read",
      auth: "bearer admin",
      db: "odoo_lab",
      body: { domain: [["name", "ilike", "deco"]], fields: ["name"], limit: 5 },
    });
    assert.equal(await client.call({ model: "sale.order", method: "action_unlock", ids: [3] }), undefined);
    await assert.rejects(client.call({ model: "sale.order", method: "action_confirm", ids: [3] }), {
      code: "CDK_ODOO_REJECTED",
    });
    await assert.rejects(
      client.call({ model: "res.partner", method: "write", ids: [5], params: { vals: {} } }),
      {
        code: "CDK_ODOO_ACCESS",
      },
    );
    assert.equal(client.dialect.saleLineTaxes, "tax_ids");
    await client.close();
  });
});
