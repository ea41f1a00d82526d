import assert from "node:assert/strict";
import { test } from "node:test";
import type { CrossdockError } from "../../core/errors.ts";
import { Secret } from "../../security/secret-ref.ts";
import { parseOdooConnection } from "./odoo-connection.ts";

test("a complete odoo connection becomes client options with defaults", () => {
  const parsed = parseOdooConnection("erp", {
    type: "odoo",
    url: "http://127.0.0.1:8069",
    database: "prod",
    login: "crossdock-bot",
    apiKey: new Secret("k", "env:ODOO_KEY"),
    context: { lang: "en_US" },
  });
  assert.equal(parsed.client.maxInFlight, 3);
  assert.equal(parsed.client.timeoutMs, 60_000);
  assert.equal(parsed.maxBatch, 100);
  assert.deepEqual(parsed.client.context, { lang: "en_US" });
  assert.equal(parsed.client.apiKey.reveal(), "k");
});

test("every problem is reported at once with its path; a literal key string is refused", () => {
  assert.throws(
    () =>
      parseOdooConnection("erp", { type: "odoo", url: "ftp:x", apiKey: "plain", maxInFlight: 0, colour: 1 }),
    (error: CrossdockError) => {
      assert.equal(error.code, "CDK_CONFIG_INVALID");
      const problems = error.details?.problems as string[];
      assert.deepEqual(
        problems.map((p) => p.split(":")[0]),
        [
          "connections.erp.database",
          "connections.erp.login",
          "connections.erp.url",
          "connections.erp.apiKey",
          "connections.erp.maxInFlight",
          "connections.erp.colour",
        ],
      );
      return true;
    },
  );
});

test("crossdock.yaml: odoo connection problems are located at file:line:column", async () => {
  const { parseConfig } = await import("../../app/load-config.ts");
  const text = [
    "version: 1",
    "connections:",
    "  erp:",
    "    type: odoo",
    "    url: erp.example.com",
    "    database: prod",
    "    login: bot",
    "    apiKey: env:ODOO_KEY",
    "    maxInFlight: 99",
    "",
  ].join("\n");
  assert.throws(
    () => parseConfig(text, { file: "crossdock.yaml", env: { ODOO_KEY: "k" } }),
    (error: CrossdockError) => {
      assert.equal(error.code, "CDK_CONFIG_INVALID");
      assert.match(error.message, /crossdock\.yaml:5:\d+ connections\.erp\.url: must be an http\(s\) URL/);
      assert.match(
        error.message,
        /crossdock\.yaml:9:\d+ connections\.erp\.maxInFlight: must be an integer between 1 and 32/,
      );
      return true;
    },
  );
  const ok = parseConfig(text.replace("erp.example.com", "http://erp:8069").replace("99", "4"), {
    file: "crossdock.yaml",
    env: { ODOO_KEY: "k" },
  });
  assert.equal(ok.connections.erp?.type, "odoo");
});
