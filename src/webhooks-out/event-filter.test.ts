import assert from "node:assert/strict";
import { test } from "node:test";
import { matchesEvent, matchesFilter, matchesType, pathProblem, patternProblem } from "./event-filter.ts";

const event = (type: string, data: unknown, stream = "order:SO1") => ({ type, stream, data: data as never });

test("type patterns: exact, family and everything", () => {
  assert.equal(matchesType(["order.confirmed"], "order.confirmed"), true);
  assert.equal(matchesType(["order.confirmed"], "order.confirmed.late"), false);
  assert.equal(matchesType(["shipment.*"], "shipment.dispatched"), true);
  assert.equal(matchesType(["shipment.*"], "shipment.label.printed"), true);
  assert.equal(matchesType(["shipment.*"], "shipment"), false);
  assert.equal(matchesType(["shipment.*"], "shipments.x"), false);
  assert.equal(matchesType(["*"], "anything.at.all"), true);
  assert.equal(matchesType([], "order.confirmed"), false);
});

test("field filters: equality by type and value, prefix on strings, missing fields never match", () => {
  const e = event("order.confirmed", {
    channel: "b2b",
    total: 10,
    paid: false,
    note: null,
    customer: { country: "DE" },
  });
  assert.equal(matchesFilter({ "data.channel": "b2b" }, e), true);
  assert.equal(matchesFilter({ "data.channel": "b2c" }, e), false);
  assert.equal(matchesFilter({ "data.total": 10 }, e), true);
  assert.equal(matchesFilter({ "data.total": "10" }, e), false, "no coercion");
  assert.equal(matchesFilter({ "data.paid": false }, e), true);
  assert.equal(matchesFilter({ "data.note": null }, e), true);
  assert.equal(matchesFilter({ "data.customer.country": { prefix: "D" } }, e), true);
  assert.equal(matchesFilter({ "data.total": { prefix: "1" } }, e), false, "prefix only on strings");
  assert.equal(matchesFilter({ "data.missing": null }, e), false);
  assert.equal(matchesFilter({ stream: { prefix: "order:" }, type: "order.confirmed" }, e), true);
  assert.equal(matchesFilter({ "data.channel": "b2b", "data.total": 11 }, e), false, "all must hold");
  assert.equal(matchesFilter(undefined, e), true);
  assert.equal(matchesFilter({}, e), true);
});

test("filters never read inherited properties", () => {
  const e = event("x.y", { channel: "b2b" });
  assert.equal(matchesFilter({ "data.constructor": null }, e), false);
  assert.equal(matchesFilter({ "data.toString": null }, e), false);
  assert.equal(matchesFilter({ "data.channel.length": 3 }, e), false);
  assert.equal(matchesFilter({ "data.0": "x" }, event("x.y", ["x"])), false, "arrays are not indexed");
});

test("matchesEvent needs both the type and the filter", () => {
  const sub = { events: ["order.*"], filter: { "data.channel": "b2b" } };
  assert.equal(matchesEvent(sub, event("order.confirmed", { channel: "b2b" })), true);
  assert.equal(matchesEvent(sub, event("order.confirmed", { channel: "web" })), false);
  assert.equal(matchesEvent(sub, event("stock.changed", { channel: "b2b" })), false);
});

test("hostile patterns and paths are refused with a reason", () => {
  for (const bad of [
    "",
    "*.*",
    "order.**",
    "Order.Confirmed",
    "order..x",
    ".order",
    "order.",
    "a b",
    "x".repeat(101),
    "order.*.x",
    "**",
  ]) {
    assert.ok(patternProblem(bad), bad);
  }
  for (const good of ["*", "order.confirmed", "shipment.*", "a_b-c.d"])
    assert.equal(patternProblem(good), undefined);
  for (const bad of [
    "",
    "data.__proto__",
    "data.constructor.x",
    "body.x",
    "data..x",
    `data.${"a.".repeat(10)}b`,
    "data.a b",
  ]) {
    assert.ok(pathProblem(bad), bad);
  }
  assert.equal(pathProblem("data.customer.country"), undefined);
});
