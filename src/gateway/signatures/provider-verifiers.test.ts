/**
 * The provider schemes against the published test vectors in the shared corpus (read by path, skipped
 * with a message where the corpus is absent), plus forged, malformed and hostile signatures.
 */
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { createEasyPostVerifier } from "./easypost-verifier.ts";
import { createShopifyVerifier } from "./shopify-verifier.ts";
import type { RequestHeaders, Verification } from "./webhook-verifier.ts";
import { createWooCommerceVerifier } from "./woocommerce-verifier.ts";

const corpus = (path: string) => new URL(`../../../../shared/corpus/${path}`, import.meta.url);
const secret = (value: string) => ({ reveal: () => value });
const refusedBecause = (v: Verification) =>
  v.outcome === "refused" ? v.reason : `not refused: ${v.outcome}`;

const SHOPIFY_VECTORS = "signatures/go-shopify__oauth_test_TestVerifyWebhookRequest.go.excerpt";
test("Shopify: go-shopify's TestVerifyWebhookRequest cases (secret hush, body JSON-encoded)", (t) => {
  if (!existsSync(corpus(SHOPIFY_VECTORS)))
    return t.skip("shared corpus absent: ../shared/corpus/signatures");
  const source = readFileSync(corpus(SHOPIFY_VECTORS), "utf8");
  const cases = [...source.matchAll(/\{"([^"]*)", "([^"]*)", (true|false)\}/g)].map((m) => ({
    hmac: m[1] as string,
    message: m[2] as string,
    expected: m[3] === "true",
  }));
  assert.equal(cases.length, 6, "the excerpt holds six cases");
  const verifier = createShopifyVerifier([secret("hush")]);
  for (const c of cases) {
    // go-shopify's NewRequest JSON-encodes the body, so the signed bytes carry the quotes.
    const body = Buffer.from(JSON.stringify(c.message));
    const headers: RequestHeaders = c.hmac === "" ? {} : { "x-shopify-hmac-sha256": c.hmac };
    const outcome = verifier.verify(body, headers).outcome;
    assert.equal(outcome === "verified", c.expected, `${c.hmac.slice(0, 12)} / ${JSON.stringify(c.message)}`);
  }
});

test("Shopify: the webhook id (else the event id) is the dedupe key; rotation accepts either secret", () => {
  const body = Buffer.from('{"id":820982911946154508}');
  const sign = (key: string) => createHmac("sha256", key).update(body).digest("base64");
  const verifier = createShopifyVerifier([secret("new"), secret("old")]);
  assert.deepEqual(
    verifier.verify(body, {
      "x-shopify-hmac-sha256": sign("old"),
      "x-shopify-webhook-id": "b54557e4",
      "x-shopify-event-id": "e1",
    }),
    { outcome: "verified", senderId: "b54557e4" },
  );
  assert.deepEqual(
    verifier.verify(body, { "x-shopify-hmac-sha256": sign("new"), "x-shopify-event-id": "e1" }),
    {
      outcome: "verified",
      senderId: "e1",
    },
  );
  assert.deepEqual(verifier.verify(body, { "x-shopify-hmac-sha256": sign("new") }), { outcome: "verified" });
  assert.match(
    refusedBecause(verifier.verify(body, { "x-shopify-hmac-sha256": sign("other") })),
    /does not match/,
  );
});

const WOO_VECTOR = "signatures/woocommerce__crud_test_generate_signature.php.excerpt";
test("WooCommerce: crud test generate_signature (empty secret, payload 'secret')", (t) => {
  if (!existsSync(corpus(WOO_VECTOR))) return t.skip("shared corpus absent: ../shared/corpus/signatures");
  const expected = /'([A-Za-z0-9+/=]{44})'/.exec(readFileSync(corpus(WOO_VECTOR), "utf8"))?.[1];
  assert.equal(expected, "GBDo00G55h6IiV+6CxqivQPLbI//KzaOZm747971tPs=");
  const verifier = createWooCommerceVerifier([secret("")]);
  assert.equal(
    verifier.verify(Buffer.from("secret"), { "x-wc-webhook-signature": expected }).outcome,
    "verified",
  );
  assert.equal(
    verifier.verify(Buffer.from("secreT"), { "x-wc-webhook-signature": expected }).outcome,
    "refused",
  );
});

test("WooCommerce: the delivery id dedupes; the unsigned setup ping is a ping and nothing else is", () => {
  const verifier = createWooCommerceVerifier([secret("wc-secret")]);
  const body = Buffer.from('{"id":727,"status":"processing"}');
  const signature = createHmac("sha256", "wc-secret").update(body).digest("base64");
  assert.deepEqual(
    verifier.verify(body, { "x-wc-webhook-signature": signature, "x-wc-webhook-delivery-id": "d-9" }),
    {
      outcome: "verified",
      senderId: "d-9",
    },
  );
  assert.deepEqual(verifier.verify(Buffer.from("webhook_id=42"), {}), { outcome: "ping" });
  // A ping-shaped body with a (wrong) signature is a signed delivery, judged as one.
  assert.equal(
    verifier.verify(Buffer.from("webhook_id=42"), { "x-wc-webhook-signature": "AAAA" }).outcome,
    "refused",
  );
  for (const notPing of [
    "webhook_id=",
    "webhook_id=42&x=1",
    "webhook_id=42\n",
    `webhook_id=${"9".repeat(40)}`,
    "{}",
  ]) {
    assert.match(
      refusedBecause(verifier.verify(Buffer.from(notPing), {})),
      /x-wc-webhook-signature is missing/,
      notPing,
    );
  }
});

test("EasyPost: client-library fixture (secret 'sécret', NFKD) over event-body.json without its newline", (t) => {
  const fixtures = corpus("carriers/easypost__client-library-fixtures.json");
  const eventBody = corpus("carriers/easypost__event-body_tracker.updated.json");
  if (!existsSync(fixtures) || !existsSync(eventBody))
    return t.skip("shared corpus absent: ../shared/corpus/carriers");
  const { webhooks } = JSON.parse(readFileSync(fixtures, "utf8")) as {
    webhooks: { secret: string; hmac_signature: string };
  };
  const file = readFileSync(eventBody);
  const body = file.subarray(0, file.length - 1); // the trailing newline is not part of the signed body
  assert.equal(file.at(-1), 0x0a);
  const verifier = createEasyPostVerifier([secret(webhooks.secret)]);
  assert.deepEqual(verifier.verify(body, { "x-hmac-signature": webhooks.hmac_signature }), {
    outcome: "verified",
    senderId: "evt_1",
  });
  // The secret typed decomposed (e + combining acute) is the same key after NFKD.
  const decomposed = createEasyPostVerifier([secret("se\u0301cret")]);
  assert.equal(decomposed.verify(body, { "x-hmac-signature": webhooks.hmac_signature }).outcome, "verified");
  // Upper-case hex is the same signature.
  const upper = webhooks.hmac_signature.replace(
    /=([0-9a-f]+)$/,
    (_m, hex: string) => `=${hex.toUpperCase()}`,
  );
  assert.equal(verifier.verify(body, { "x-hmac-signature": upper }).outcome, "verified");
  assert.match(
    refusedBecause(verifier.verify(file, { "x-hmac-signature": webhooks.hmac_signature })),
    /does not match/,
  );
  assert.match(refusedBecause(verifier.verify(body, {})), /x-hmac-signature is missing/);
});

test("EasyPost: no usable top-level id means no sender id (the route falls back)", () => {
  const verifier = createEasyPostVerifier([secret("k")]);
  const sign = (b: Buffer) => `hmac-sha256-hex=${createHmac("sha256", "k").update(b).digest("hex")}`;
  for (const text of [
    "not json",
    "[1]",
    '{"id":42}',
    `{"id":"${"x".repeat(200)}"}`,
    '{"result":{"id":"trk_1"}}',
  ]) {
    const body = Buffer.from(text);
    assert.deepEqual(
      verifier.verify(body, { "x-hmac-signature": sign(body) }),
      { outcome: "verified" },
      text,
    );
  }
});

test("malformed, repeated, oversized and forged signature headers are refused with a reason, never the expected value", () => {
  const body = Buffer.from('{"a":1}');
  const good = createHmac("sha256", "hush").update(body).digest("base64");
  const verifier = createShopifyVerifier([secret("hush")]);
  const cases: [string | string[], RegExp][] = [
    ["", /missing/],
    [[good, good], /more than once/],
    ["x".repeat(5_000), /longer than 2048/],
    ["not base64!", /not .*base64/],
    [`${good}, ${good}`, /not .*base64/],
    [good.slice(0, -4), /does not match/],
    [Buffer.alloc(32).toString("base64"), /does not match/],
    [`${good}AAAA`, /not .*base64/],
    [`${good.slice(0, -1)}AAAAAAAA`, /does not match/],
    ["\u0000\u001b[31m", /not .*base64/],
  ];
  for (const [value, reason] of cases) {
    const text = refusedBecause(verifier.verify(body, { "x-shopify-hmac-sha256": value }));
    assert.match(text, reason, String(value).slice(0, 30));
    assert.ok(!text.includes(good), "the expected signature is never disclosed");
  }
});
