import assert from "node:assert/strict";
import { test } from "node:test";
import { endpointUrlProblem, guardedLookup, isPrivateAddress, MAX_URL_LENGTH } from "./endpoint-url.ts";

const strict = { allowPrivateNetworks: false };
const lax = { allowPrivateNetworks: true };

test("public http and https URLs are accepted", () => {
  for (const url of [
    "https://partner.example.com/hooks",
    "http://203.0.112.9:8080/x?y=1",
    "https://[2606:4700::1111]/h",
  ]) {
    assert.equal(endpointUrlProblem(url, strict), undefined, url);
  }
});

test("non-http schemes, credentials, fragments, junk and oversized URLs are refused", () => {
  const cases: [string, RegExp][] = [
    ["ftp://partner.example.com/x", /http or https/],
    ["file:///etc/passwd", /http or https/],
    ["javascript:alert(1)", /http or https/],
    ["gopher://x/", /http or https/],
    ["https://user:pw@partner.example.com/", /user name or password/],
    ["https://partner.example.com/#x", /fragment/],
    ["not a url", /valid absolute URL/],
    ["/relative/path", /valid absolute URL/],
    [`https://partner.example.com/${"a".repeat(MAX_URL_LENGTH)}`, /at most/],
  ];
  for (const [url, reason] of cases) assert.match(endpointUrlProblem(url, lax) ?? "", reason, url);
});

test("private, loopback, link-local and metadata addresses are refused unless allowed, in any notation", () => {
  const urls = [
    "http://localhost/x",
    "http://api.localhost/x",
    "http://127.0.0.1/",
    "http://2130706433/",
    "http://0x7f.1/",
    "http://017700000001/",
    "http://10.1.2.3/",
    "http://172.20.0.1/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[fd00::1]/",
    "http://[fe80::1]/",
    "http://224.0.0.1/",
  ];
  for (const url of urls) {
    assert.match(endpointUrlProblem(url, strict) ?? "", /private|this machine/, url);
    assert.equal(endpointUrlProblem(url, lax), undefined, url);
  }
  assert.equal(isPrivateAddress("8.8.8.8"), false);
  assert.equal(isPrivateAddress("2001:4860:4860::8888"), false);
  assert.equal(isPrivateAddress("not-an-ip"), false);
});

test("the connect-time lookup refuses a name that resolves to a private address", async () => {
  const result = await new Promise<{ error: Error | null; address: unknown }>((resolve) =>
    guardedLookup("localhost", { all: true }, (error, address) => resolve({ error, address })),
  );
  assert.match(result.error?.message ?? "", /private address/);
});
