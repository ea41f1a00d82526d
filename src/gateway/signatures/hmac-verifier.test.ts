import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { test } from "node:test";
import { createHmacVerifier } from "./hmac-verifier.ts";

const body = Buffer.from('{"order":"#1001"}');
const secret = (value: string) => ({ reveal: () => value });

test("generic HMAC: every algorithm and encoding, any header, prefix optional", () => {
  for (const algorithm of ["sha256", "sha512", "sha1"] as const) {
    for (const encoding of ["hex", "base64"] as const) {
      const verifier = createHmacVerifier({
        secrets: [secret("k")],
        header: "X-Hub-Signature",
        algorithm,
        encoding,
      });
      const mac = createHmac(algorithm, "k").update(body).digest(encoding);
      for (const value of [mac, `${algorithm}=${mac}`, `${algorithm.toUpperCase()}=${mac}`]) {
        assert.deepEqual(verifier.verify(body, { "x-hub-signature": value }), { outcome: "verified" }, value);
      }
      const other = createHmac(algorithm, "k2").update(body).digest(encoding);
      assert.equal(verifier.verify(body, { "x-hub-signature": other }).outcome, "refused");
    }
  }
});

test("generic HMAC: a configured prefix, the default header, rotation, and a sha256 MAC under sha512 refused", () => {
  const mac = createHmac("sha256", "old").update(body).digest("hex");
  const verifier = createHmacVerifier({ secrets: [secret("new"), secret("old")], prefix: "v0=" });
  assert.equal(verifier.verify(body, { "x-crossdock-signature": `v0=${mac}` }).outcome, "verified");
  assert.equal(verifier.verify(body, { "x-crossdock-signature": mac }).outcome, "verified");
  const sha512 = createHmacVerifier({ secrets: [secret("old")], algorithm: "sha512" });
  const refused = sha512.verify(body, { "x-crossdock-signature": mac });
  assert.deepEqual(refused, {
    outcome: "refused",
    reason: "signature in x-crossdock-signature does not match the body",
  });
});

test("generic HMAC: hex that Node would half-decode is refused as malformed", () => {
  const verifier = createHmacVerifier({ secrets: [secret("k")] });
  const mac = createHmac("sha256", "k").update(body).digest("hex");
  for (const value of [`${mac}zz`, `${mac.slice(0, -1)}`, `${mac.slice(0, 10)}!${mac.slice(10)}`, "0x00"]) {
    const outcome = verifier.verify(body, { "x-crossdock-signature": value });
    assert.equal(outcome.outcome, "refused", value);
    assert.match(outcome.outcome === "refused" ? outcome.reason : "", /is not .*hex HMAC-SHA256/);
  }
  assert.throws(() => createHmacVerifier({ secrets: [] }), /at least one secret/);
});
