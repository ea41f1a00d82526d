import assert from "node:assert/strict";
import { createHmac, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { type SandboxCarrier, startSandboxCarrier } from "../../sandbox/carrier/sandbox-carrier.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { type Received, startReceiver } from "./receiver.ts";

const CORPUS = new URL(
  "../../../shared/corpus/carriers/easypost__event-body_tracker.updated.json",
  import.meta.url,
);
const HOUR = 3_600_000;
// "sécret" with a precomposed é: EasyPost normalises the secret to NFKD (e + combining accent) first.
const SECRET = "s\u00e9cret";

/** EasyPost's check, written independently: hex HMAC-SHA256 of the raw body under the NFKD secret. */
function verifyEasyPost(secret: string, r: Received): boolean {
  const header = String(r.headers["x-hmac-signature"]);
  if (!header.startsWith("hmac-sha256-hex=")) return false;
  const given = Buffer.from(header.slice("hmac-sha256-hex=".length), "hex");
  const expected = createHmac("sha256", Buffer.from(secret.normalize("NFKD")))
    .update(r.body)
    .digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function call(
  carrier: SandboxCarrier,
  method: string,
  path: string,
  body?: unknown,
  auth = `Basic ${Buffer.from(`${carrier.apiKey}:`).toString("base64")}`,
) {
  const res = await fetch(`${carrier.url}${path}`, {
    method,
    headers: { Authorization: auth, "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown> & { error?: { code: string } },
  };
}

describe("sandbox carrier", () => {
  test("a tracker walks pre_transit -> in_transit -> out_for_delivery -> delivered on the clock, one signed event per step", async () => {
    const clock = new ManualClock();
    const rx = await startReceiver();
    const carrier = await startSandboxCarrier({ clock, webhooks: [{ url: rx.url, secret: SECRET }] });
    try {
      const made = await call(carrier, "POST", "/v2/trackers", {
        tracker: { tracking_code: "1ZSBX00000000001", carrier: "UPS" },
      });
      assert.equal(made.status, 201);
      assert.equal(made.body.status, "pre_transit");
      await carrier.runDue();
      clock.advance(2 * HOUR);
      await carrier.runDue();
      clock.advance(24 * HOUR);
      await carrier.runDue();
      clock.advance(4 * HOUR);
      await carrier.runDue();
      clock.advance(100 * HOUR);
      await carrier.runDue();
      const events = rx.received.map(
        (r) =>
          r.json() as {
            description: string;
            id: string;
            previous_attributes: { status?: string };
            result: { status: string; tracking_details: unknown[] };
          },
      );
      assert.deepEqual(
        events.map((e) => e.description),
        ["tracker.created", "tracker.updated", "tracker.updated", "tracker.updated"],
      );
      assert.deepEqual(
        events.slice(1).map((e) => [e.previous_attributes.status, e.result.status]),
        [
          ["pre_transit", "in_transit"],
          ["in_transit", "out_for_delivery"],
          ["out_for_delivery", "delivered"],
        ],
      );
      assert.equal(events.at(-1)?.result.tracking_details.length, 4);
      for (const r of rx.received) assert.ok(verifyEasyPost(SECRET, r), "signature with the NFKD secret");
      assert.ok(
        verifyEasyPost("se\u0301cret", rx.received[0]!),
        "the decomposed spelling of the secret is the same key",
      );
      assert.equal(verifyEasyPost("secret", rx.received[0]!), false);
      assert.equal(new Set(events.map((e) => e.id)).size, 4, "one Event id per event");
      const got = await call(carrier, "GET", `/v2/trackers/${made.body.id}`);
      assert.equal(got.body.status, "delivered");
      assert.equal(got.body.signed_by, "J. DOE");
    } finally {
      await carrier.close();
      await rx.close();
    }
  });

  test("the same code and carrier give the same tracker; advance() moves one by hand without a double step later", async () => {
    const clock = new ManualClock();
    const carrier = await startSandboxCarrier({ clock });
    try {
      const a = await call(carrier, "POST", "/v2/trackers", {
        tracker: { tracking_code: "EZ1000000001", carrier: "USPS" },
      });
      const b = await call(carrier, "POST", "/v2/trackers", {
        tracker: { tracking_code: "EZ1000000001", carrier: "USPS" },
      });
      assert.equal(b.status, 200);
      assert.equal(a.body.id, b.body.id);
      assert.ok(carrier.trackers.advance(String(a.body.id)));
      clock.advance(2 * HOUR);
      await carrier.runDue();
      assert.equal(
        carrier.trackers.trackers.get(String(a.body.id))?.status,
        "in_transit",
        "the stale pre_transit step did nothing",
      );
      const list = await call(carrier, "GET", "/v2/trackers");
      assert.equal((list.body.trackers as unknown[]).length, 1);
    } finally {
      await carrier.close();
    }
  });

  test("webhooks: created over the API, retried on failure with the same Event id, deleted", async () => {
    const clock = new ManualClock();
    const rx = await startReceiver([500]);
    const carrier = await startSandboxCarrier({ clock, webhookRetry: { initialIntervalMs: 60_000 } });
    try {
      const hook = await call(carrier, "POST", "/v2/webhooks", {
        webhook: { url: rx.url, webhook_secret: "k" },
      });
      assert.equal(hook.status, 201);
      await call(carrier, "POST", "/v2/trackers", { tracker: { tracking_code: "1Z0001", carrier: "UPS" } });
      await carrier.runDue();
      clock.advance(60_000);
      await carrier.runDue();
      assert.equal(rx.received.length, 2);
      assert.equal(
        (rx.received[0]!.json() as { id: string }).id,
        (rx.received[1]!.json() as { id: string }).id,
      );
      assert.ok(verifyEasyPost("k", rx.received[1]!));
      assert.equal(((await call(carrier, "GET", "/v2/webhooks")).body.webhooks as unknown[]).length, 1);
      assert.equal((await call(carrier, "DELETE", `/v2/webhooks/${hook.body.id}`)).status, 200);
      assert.equal((await call(carrier, "DELETE", `/v2/webhooks/${hook.body.id}`)).status, 404);
    } finally {
      await carrier.close();
      await rx.close();
    }
  });

  test("events have the shape of EasyPost's tracker.updated (corpus)", async (t) => {
    if (!existsSync(CORPUS)) return t.skip("corpus not present beside the checkout");
    const real = JSON.parse(readFileSync(CORPUS, "utf8")) as Record<string, unknown> & {
      result: Record<string, unknown>;
    };
    const clock = new ManualClock();
    const rx = await startReceiver();
    const carrier = await startSandboxCarrier({ clock, webhooks: [{ url: rx.url }] });
    try {
      await call(carrier, "POST", "/v2/trackers", { tracker: { tracking_code: "1Z0002", carrier: "FedEx" } });
      clock.advance(2 * HOUR);
      await carrier.runDue();
      const ours = rx.received[1]!.json() as Record<string, unknown> & { result: Record<string, unknown> };
      assert.deepEqual(Object.keys(ours).sort(), Object.keys(real).sort());
      for (const key of Object.keys(real.result)) assert.ok(key in ours.result, `result.${key}`);
      const detail = (real.result.tracking_details as Record<string, unknown>[])[0]!;
      for (const key of Object.keys(detail))
        assert.ok(
          key in (ours.result.tracking_details as Record<string, unknown>[])[0]!,
          `tracking_details[].${key}`,
        );
      assert.equal(
        rx.received[1]!.headers["x-hmac-signature"],
        undefined,
        "a webhook without a secret is not signed",
      );
    } finally {
      await carrier.close();
      await rx.close();
    }
  });

  test("hostile input: no key 401, bad JSON and wrong types 422 with EasyPost's error shape, huge body 413, unknown 404", async () => {
    const carrier = await startSandboxCarrier({ clock: new ManualClock() });
    try {
      assert.equal((await call(carrier, "GET", "/v2/trackers", undefined, "")).status, 401);
      assert.equal(
        (await call(carrier, "GET", "/v2/trackers", undefined, "Bearer nope")).body.error?.code,
        "APIKEY.REQUIRED",
      );
      assert.equal(
        (await call(carrier, "GET", "/v2/trackers", undefined, `Bearer ${carrier.apiKey}`)).status,
        200,
      );
      assert.equal((await call(carrier, "POST", "/v2/trackers", "{x")).body.error?.code, "PARAMETER.INVALID");
      assert.equal(
        (await call(carrier, "POST", "/v2/trackers", { tracker: "x" })).body.error?.code,
        "PARAMETER.REQUIRED",
      );
      assert.equal(
        (await call(carrier, "POST", "/v2/trackers", { tracker: { tracking_code: ["1"] } })).status,
        422,
      );
      assert.equal(
        (await call(carrier, "POST", "/v2/trackers", { tracker: { tracking_code: "1Z../../etc" } })).status,
        422,
      );
      assert.equal(
        (await call(carrier, "POST", "/v2/webhooks", { webhook: { url: "file:///etc/passwd" } })).status,
        422,
      );
      assert.equal(
        (await call(carrier, "POST", "/v2/trackers", { tracker: { tracking_code: "x".repeat(70_000) } }))
          .status,
        413,
      );
      assert.equal((await call(carrier, "GET", "/v2/trackers/trk_0")).status, 404);
      assert.equal((await call(carrier, "GET", "/v2/nothing")).status, 404);
    } finally {
      await carrier.close();
    }
  });
});
