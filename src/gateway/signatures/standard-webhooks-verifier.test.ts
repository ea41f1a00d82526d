/**
 * Standard Webhooks, cross-checked with the `standardwebhooks` reference library in both directions:
 * the library signs and we verify, we sign (as a sender would) and the library verifies. Time is a
 * ManualClock on our side and node:test's mocked Date on the library's (it reads Date.now()).
 */
import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { mock, test } from "node:test";
import { Webhook } from "standardwebhooks";
import { ManualClock } from "../../core/clock.ts";
import { createStandardWebhooksVerifier, standardWebhooksKey } from "./standard-webhooks-verifier.ts";
import type { Verification } from "./webhook-verifier.ts";

const NOW_S = 1_767_225_600; // 2026-01-01T00:00:00Z
const secretA = `whsec_${randomBytes(32).toString("base64")}`;
const secretB = `whsec_${randomBytes(24).toString("base64")}`;
const secret = (value: string) => ({ reveal: () => value });
const body = '{"type":"order.confirmed","data":{"name":"#1001","note":"é ünïcode"}}';

function verifierAt(nowS: number, secrets = [secretA], toleranceSeconds?: number) {
  const clock = new ManualClock(nowS * 1_000);
  const verifier = createStandardWebhooksVerifier({
    secrets: secrets.map(secret),
    clock,
    ...(toleranceSeconds === undefined ? {} : { toleranceSeconds }),
  });
  return { clock, verifier };
}

function headers(id: string, timestampS: number, signature: string) {
  return { "webhook-id": id, "webhook-timestamp": String(timestampS), "webhook-signature": signature };
}

/** What a sender does, by hand: v1,<base64 HMAC-SHA256 of "id.ts.body"> under the decoded secret. */
function sign(secretText: string, id: string, timestampS: number, payload: string): string {
  const key = standardWebhooksKey(secretText) as Buffer;
  return `v1,${createHmac("sha256", key).update(`${id}.${timestampS}.${payload}`).digest("base64")}`;
}

const reason = (v: Verification) => (v.outcome === "refused" ? v.reason : v.outcome);

test("the library signs, we verify; the webhook-id is the sender id", () => {
  const { verifier } = verifierAt(NOW_S);
  const signature = new Webhook(secretA).sign(
    "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
    new Date(NOW_S * 1_000),
    body,
  );
  assert.deepEqual(
    verifier.verify(Buffer.from(body), headers("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", NOW_S, signature)),
    {
      outcome: "verified",
      senderId: "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
    },
  );
});

test("we sign as a sender would, the library verifies (its clock mocked), and so do we", () => {
  mock.timers.enable({ apis: ["Date"], now: NOW_S * 1_000 });
  try {
    const signature = sign(secretA, "msg_1", NOW_S - 10, body);
    const h = headers("msg_1", NOW_S - 10, signature);
    assert.deepEqual(new Webhook(secretA).verify(body, h), JSON.parse(body));
    assert.equal(verifierAt(NOW_S).verifier.verify(Buffer.from(body), h).outcome, "verified");
  } finally {
    mock.timers.reset();
  }
});

test("tolerance edges agree with the library: exactly 300 s either way passes, 301 s is refused", () => {
  mock.timers.enable({ apis: ["Date"], now: NOW_S * 1_000 });
  try {
    const lib = new Webhook(secretA);
    for (const offset of [-301, -300, 0, 300, 301]) {
      const ts = NOW_S + offset;
      const h = headers(`msg_${offset}`, ts, sign(secretA, `msg_${offset}`, ts, body));
      const ours = verifierAt(NOW_S).verifier.verify(Buffer.from(body), h).outcome === "verified";
      let theirs = true;
      try {
        lib.verify(body, h);
      } catch {
        theirs = false;
      }
      assert.equal(ours, Math.abs(offset) <= 300, `ours at ${offset}`);
      assert.equal(ours, theirs, `agree at ${offset}`);
    }
  } finally {
    mock.timers.reset();
  }
});

test("expired and future messages say which, and a configured tolerance applies", () => {
  const { clock, verifier } = verifierAt(NOW_S);
  const h = headers("msg_old", NOW_S, sign(secretA, "msg_old", NOW_S, body));
  assert.equal(verifier.verify(Buffer.from(body), h).outcome, "verified");
  clock.advance(301_000);
  assert.match(reason(verifier.verify(Buffer.from(body), h)), /301 s old, beyond the 300 s tolerance/);
  clock.set((NOW_S - 301) * 1_000);
  assert.match(reason(verifier.verify(Buffer.from(body), h)), /301 s in the future/);
  const strict = verifierAt(NOW_S + 31, [secretA], 30).verifier;
  assert.match(reason(strict.verify(Buffer.from(body), h)), /31 s old, beyond the 30 s tolerance/);
});

test("rotation: several signatures in the header and several configured secrets", () => {
  const { verifier } = verifierAt(NOW_S, [secretB, secretA]);
  const libA = new Webhook(secretA).sign("msg_r", new Date(NOW_S * 1_000), body);
  const libB = new Webhook(secretB).sign("msg_r", new Date(NOW_S * 1_000), body);
  const other = sign(`whsec_${randomBytes(32).toString("base64")}`, "msg_r", NOW_S, body);
  for (const list of [libA, libB, `${other} ${libA}`, `v1a,abcd ${other} ${libB}`, `${libA} ${libB}`]) {
    assert.equal(verifier.verify(Buffer.from(body), headers("msg_r", NOW_S, list)).outcome, "verified", list);
  }
  assert.match(
    reason(verifier.verify(Buffer.from(body), headers("msg_r", NOW_S, other))),
    /none of the 1 v1 signatures/,
  );
  // And the library, holding only the old secret, still accepts the two-signature header we accept.
  mock.timers.enable({ apis: ["Date"], now: NOW_S * 1_000 });
  try {
    assert.doesNotThrow(() => new Webhook(secretA).verify(body, headers("msg_r", NOW_S, `${libB} ${libA}`)));
  } finally {
    mock.timers.reset();
  }
});

test("the signature binds id, timestamp and body: changing any one is refused", () => {
  const { verifier } = verifierAt(NOW_S);
  const signature = sign(secretA, "msg_b", NOW_S, body);
  assert.equal(verifier.verify(Buffer.from(body), headers("msg_b", NOW_S, signature)).outcome, "verified");
  assert.equal(verifier.verify(Buffer.from(body), headers("msg_c", NOW_S, signature)).outcome, "refused");
  assert.equal(verifier.verify(Buffer.from(body), headers("msg_b", NOW_S + 1, signature)).outcome, "refused");
  assert.equal(
    verifier.verify(Buffer.from(`${body} `), headers("msg_b", NOW_S, signature)).outcome,
    "refused",
  );
});

test("missing and malformed headers are refused with what was wrong", () => {
  const { verifier } = verifierAt(NOW_S);
  const good = sign(secretA, "msg_m", NOW_S, body);
  const cases: [Record<string, string>, RegExp][] = [
    [{ "webhook-timestamp": String(NOW_S), "webhook-signature": good }, /webhook-id is missing/],
    [{ "webhook-id": "msg_m", "webhook-signature": good }, /webhook-timestamp is missing/],
    [{ "webhook-id": "msg_m", "webhook-timestamp": String(NOW_S) }, /webhook-signature is missing/],
    [headers("msg_m", NOW_S, "v1a,AAAA"), /no well-formed v1/],
    [headers("msg_m", NOW_S, "v1,not*base64"), /no well-formed v1/],
    [headers("msg_m", NOW_S, "v2,AAAA"), /no well-formed v1/],
    [headers("msg_m", NOW_S, Array(17).fill(good).join(" ")), /more than 16 signatures/],
    [{ ...headers("msg_m", NOW_S, good), "webhook-timestamp": `${NOW_S}.5` }, /whole seconds/],
    [{ ...headers("msg_m", NOW_S, good), "webhook-timestamp": "1e9" }, /whole seconds/],
    [{ ...headers("msg_m", NOW_S, good), "webhook-timestamp": "-5" }, /whole seconds/],
    [{ ...headers("msg_m", NOW_S, good), "webhook-timestamp": "9".repeat(40) }, /whole seconds/],
    [{ ...headers("msg_m", NOW_S, good), "webhook-id": "a b" }, /printable characters/],
    [{ ...headers("msg_m", NOW_S, good), "webhook-id": "x".repeat(257) }, /printable characters/],
    [{ ...headers("msg_m", NOW_S, good), "webhook-id": "msg\u0007" }, /printable characters/],
  ];
  for (const [h, expected] of cases) {
    const text = reason(verifier.verify(Buffer.from(body), h));
    assert.match(text, expected, JSON.stringify(h).slice(0, 80));
    assert.ok(!text.includes(good.slice(3)), "never the expected signature");
  }
});

test("secrets: whsec_ prefix optional, base64 required", () => {
  const raw = randomBytes(24).toString("base64");
  assert.deepEqual(standardWebhooksKey(`whsec_${raw}`), Buffer.from(raw, "base64"));
  assert.deepEqual(standardWebhooksKey(raw), Buffer.from(raw, "base64"));
  for (const bad of ["whsec_", "whsec_not base64!", "", "whsec_===="])
    assert.equal(standardWebhooksKey(bad), undefined, bad);
  assert.throws(
    () => createStandardWebhooksVerifier({ secrets: [secret("whsec_!!")], clock: new ManualClock() }),
    /whsec_/,
  );
});
