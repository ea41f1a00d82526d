import assert from "node:assert/strict";
import { test } from "node:test";
import type { CrossdockError } from "../core/errors.ts";
import { parseConfig } from "./load-config.ts";

const base = (flows: string) =>
  [
    "version: 1",
    "connections:",
    "  erp: { type: odoo, url: http://erp:8069, database: prod, login: bot, apiKey: env:K }",
    "  shop: { type: webhook-json }",
    flows,
    "",
  ].join("\n");

test("flows.order-to-cash names connections of the right type; each wrong one is located", () => {
  const ok = parseConfig(
    base(
      "  wms: { type: warehouse-3pl }\nflows:\n  order-to-cash:\n    odoo: erp\n    warehouse: wms\n    channels:\n      shop: { prepaid: true }\n",
    ),
    {
      file: "crossdock.yaml",
      env: { K: "k" },
    },
  );
  assert.equal(ok.flows["order-to-cash"]?.odoo, "erp");
  assert.deepEqual(ok.flows["order-to-cash"]?.channels, { shop: { prepaid: true } });

  assert.throws(
    () =>
      parseConfig(
        base(
          "flows:\n  order-to-cash:\n    odoo: shop\n    warehouse: nowhere\n    channels:\n      shop: { prepaid: yes, tracking: erp }\n",
        ),
        { file: "crossdock.yaml", env: { K: "k" } },
      ),
    (error: CrossdockError) => {
      assert.equal(error.code, "CDK_CONFIG_INVALID");
      assert.match(error.message, /crossdock\.yaml:\d+:\d+ flows\.order-to-cash\.channels\.shop\.prepaid/);
      return true;
    },
  );
  assert.throws(
    () =>
      parseConfig(
        base(
          "flows:\n  order-to-cash:\n    odoo: shop\n    warehouse: nowhere\n    channels:\n      shop: { prepaid: true, tracking: erp }\n",
        ),
        {
          file: "crossdock.yaml",
          env: { K: "k" },
        },
      ),
    (error: CrossdockError) => {
      assert.match(
        error.message,
        /crossdock\.yaml:7:\d+ flows\.order-to-cash\.odoo: "shop" is a connection of type webhook-json \(expected a connection of type odoo\)/,
      );
      assert.match(
        error.message,
        /flows\.order-to-cash\.warehouse: "nowhere" is not a configured connection/,
      );
      assert.match(
        error.message,
        /flows\.order-to-cash\.channels\.shop\.tracking: "erp" is a connection of type odoo/,
      );
      return true;
    },
  );
});

test("a channel's credit check takes a decimal limit as text; a number or a bad amount is located", () => {
  const flows = (credit: string) =>
    base(
      `  wms: { type: warehouse-3pl }\nflows:\n  order-to-cash:\n    odoo: erp\n    warehouse: wms\n    channels:\n      shop: { prepaid: false, creditCheck: ${credit} }\n`,
    );
  const ok = parseConfig(flows('{ defaultLimit: "5000.00", approvalTimeoutHours: 24 }'), {
    file: "crossdock.yaml",
    env: { K: "k" },
  });
  assert.deepEqual(ok.flows["order-to-cash"]?.channels.shop?.creditCheck, {
    defaultLimit: "5000.00",
    approvalTimeoutHours: 24,
  });
  for (const bad of ["{ defaultLimit: 5000 }", '{ defaultLimit: "5,000" }', "{ limit: 1 }"]) {
    assert.throws(
      () => parseConfig(flows(bad), { file: "crossdock.yaml", env: { K: "k" } }),
      (error: CrossdockError) => {
        assert.equal(error.code, "CDK_CONFIG_INVALID");
        assert.match(
          error.message,
          /crossdock\.yaml:11:\d+ flows\.order-to-cash\.channels\.shop\.creditCheck/,
        );
        return true;
      },
      bad,
    );
  }
});
