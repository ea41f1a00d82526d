import assert from "node:assert/strict";
import { test } from "node:test";
import { Webhook } from "standardwebhooks";
import { generateWebhookSecret, secretKey, signWebhook } from "./webhook-signer.ts";

const nowS = () => Math.floor(Date.now() / 1_000);

test("a signature made here verifies with the standardwebhooks library (independent oracle)", () => {
  const secret = generateWebhookSecret();
  const body = JSON.stringify({
    type: "order.confirmed",
    timestamp: "2026-01-01T00:00:00.000Z",
    data: { id: "SO1" },
  });
  const headers = signWebhook({ id: "whd_1", timestampS: nowS(), body, secrets: [secret] });
  assert.match(headers["webhook-signature"], /^v1,[A-Za-z0-9+/]+=*$/);
  assert.deepEqual(new Webhook(secret).verify(body, { ...headers }), JSON.parse(body));
});

test("during a rotation both secrets sign, so a receiver holding either one accepts the message", () => {
  const [next, previous] = [generateWebhookSecret(), generateWebhookSecret()];
  const body = '{"type":"shipment.dispatched","timestamp":"t","data":{"é":"ü"}}';
  const headers = signWebhook({ id: "whd_2", timestampS: nowS(), body, secrets: [next, previous] });
  assert.equal(headers["webhook-signature"].split(" ").length, 2);
  for (const secret of [next, previous]) new Webhook(secret).verify(body, { ...headers });
  assert.throws(() => new Webhook(generateWebhookSecret()).verify(body, { ...headers }), /signature/i);
});

test("the oracle refuses a changed body, id or timestamp", () => {
  const secret = generateWebhookSecret();
  const body = '{"a":1}';
  const headers = signWebhook({ id: "whd_3", timestampS: nowS(), body, secrets: [secret] });
  const wh = new Webhook(secret);
  assert.throws(() => wh.verify('{"a":2}', { ...headers }));
  assert.throws(() => wh.verify(body, { ...headers, "webhook-id": "whd_4" }));
  assert.throws(() => wh.verify(body, { ...headers, "webhook-timestamp": String(nowS() - 1) }));
});

test("signing matches a library signature byte for byte", () => {
  const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const headers = signWebhook({
    id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
    timestampS: 1_614_265_330,
    body: '{"test": 2432232314}',
    secrets: [secret],
  });
  const expected = new Webhook(secret).sign(
    "msg_p5jXN8AQM9LWM0D4loKWxJek",
    new Date(1_614_265_330_000),
    '{"test": 2432232314}',
  );
  assert.equal(headers["webhook-signature"], expected);
});

test("malformed secrets are recognised and never used to sign", () => {
  for (const bad of [
    "",
    "whsec_",
    "secret",
    "whsec_short",
    "whsec_!!!!",
    `whsec_${"A".repeat(200)}`,
    "WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  ]) {
    assert.equal(secretKey(bad), undefined, bad);
  }
  assert.equal(secretKey(generateWebhookSecret())?.length, 32);
  assert.throws(() => signWebhook({ id: "x", timestampS: 1, body: "{}", secrets: [] }), TypeError);
  assert.throws(() => signWebhook({ id: "x", timestampS: 1, body: "{}", secrets: ["nope"] }), TypeError);
});
