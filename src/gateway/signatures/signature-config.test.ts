/**
 * The `signature:` settings of a webhook-json connection, checked through the real config loader so
 * that every problem is located (file:line:column and path), and read back into verifiers.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { parseConfig } from "../../app/load-config.ts";
import { ManualClock } from "../../core/clock.ts";
import { CrossdockError } from "../../core/errors.ts";
import { connectionVerifier } from "./create-webhook-verifier.ts";
import { signatureConfigOf } from "./signature-config.ts";

const WHSEC = `whsec_${randomBytes(32).toString("base64")}`;
const env = { A: "secret-a", B: "secret-b", WH: WHSEC, NOT_B64: "not base64!" };

function parse(connection: string, environment = "prod") {
  return parseConfig(`version: 1\nconnections:\n  shop:\n${connection}`, {
    file: "hub.yaml",
    env,
    environment,
  });
}

function problems(connection: string, environment = "prod"): string[] {
  try {
    parse(connection, environment);
  } catch (error) {
    assert.ok(error instanceof CrossdockError);
    return (
      (error.details?.problems ?? []) as { line: number; column: number; path: string; message: string }[]
    ).map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`);
  }
  return [];
}

test("each scheme resolves, with secret or a secrets list for rotation", () => {
  const config = parse(
    "    type: webhook-json\n    signature: { scheme: standard-webhooks, secrets: [env:WH], toleranceSeconds: 60 }\n",
  );
  const settings = config.connections.shop as Record<string, unknown>;
  const signature = signatureConfigOf(settings);
  assert.equal(signature?.scheme, "standard-webhooks");
  assert.equal(signature?.toleranceSeconds, 60);
  assert.equal(signature?.secrets[0]?.reveal(), WHSEC);
  for (const scheme of ["shopify", "woocommerce", "easypost"]) {
    const c = parse(
      `    type: webhook-json\n    signature: { scheme: ${scheme}, secrets: [env:A, env:B] }\n`,
    );
    const verifier = connectionVerifier(
      "shop",
      c.connections.shop as Record<string, unknown>,
      new ManualClock(),
    );
    assert.equal(verifier?.scheme, scheme);
  }
  const hmac = parse(
    "    type: webhook-json\n    signature:\n      scheme: hmac\n      secret: env:A\n      header: X-Hub-Signature-256\n      algorithm: sha512\n      encoding: base64\n      prefix: sha512=\n",
  );
  assert.deepEqual(
    { ...signatureConfigOf(hmac.connections.shop as Record<string, unknown>), secrets: undefined },
    {
      scheme: "hmac",
      secrets: undefined,
      header: "X-Hub-Signature-256",
      algorithm: "sha512",
      encoding: "base64",
      prefix: "sha512=",
    },
  );
});

test("the legacy keys still mean the generic hmac scheme", () => {
  const config = parse(
    "    type: webhook-json\n    secret: env:A\n    signatureHeader: x-sig\n    signatureEncoding: base64\n",
  );
  const signature = signatureConfigOf(config.connections.shop as Record<string, unknown>);
  assert.equal(signature?.scheme, "hmac");
  assert.equal(signature?.header, "x-sig");
  assert.equal(signature?.encoding, "base64");
  assert.equal(signature?.prefix, "sha256=");
  assert.equal(signatureConfigOf({ type: "webhook-json" }), undefined);
});

test("every problem is located at its key, secrets are never printed", () => {
  const found = problems(
    [
      "    type: webhook-json",
      "    signature:",
      "      scheme: shopfy",
      "      secrets: [env:A, plain-literal]",
      "      header: x-sig",
      "      toleranceSeconds: 10",
      "      colour: blue",
      "",
    ].join("\n"),
  );
  assert.deepEqual(
    found.sort(),
    [
      '6:15 connections.shop.signature.scheme: required, one of: shopify, woocommerce, standard-webhooks, easypost, hmac (got "shopfy")',
      "7:24 connections.shop.signature.secrets[1]: must be a secret reference such as env:NAME or file:/path (literal values are refused in a secrets list)",
      "8:15 connections.shop.signature.header: applies only to scheme hmac; shopfy fixes it",
      "9:25 connections.shop.signature.toleranceSeconds: applies only to scheme standard-webhooks",
      "10:15 connections.shop.signature.colour: unknown key (expected one of: scheme, secret, secrets, header, algorithm, encoding, prefix, toleranceSeconds)",
    ].sort(),
  );
  assert.ok(!found.join("\n").includes("plain-literal"));
});

test("scheme-specific checks: whsec_ secrets, tolerance range, hmac fields, secret xor secrets, one form only", () => {
  const cases: [string, RegExp][] = [
    [
      "signature: { scheme: standard-webhooks, secret: env:NOT_B64 }",
      /signature\.secret: the value of \[secret env:NOT_B64\] is not a whsec_<base64> secret/,
    ],
    [
      "signature: { scheme: standard-webhooks, secret: env:WH, toleranceSeconds: 0 }",
      /toleranceSeconds: must be an integer between 1 and 3600/,
    ],
    [
      "signature: { scheme: standard-webhooks, secret: env:WH, toleranceSeconds: 99999 }",
      /toleranceSeconds: must be an integer/,
    ],
    [
      "signature: { scheme: hmac, secret: env:A, algorithm: md5 }",
      /algorithm: must be one of: sha256, sha512, sha1/,
    ],
    ["signature: { scheme: hmac, secret: env:A, encoding: base32 }", /encoding: must be one of: hex, base64/],
    [
      "signature: { scheme: hmac, secret: env:A, header: 'bad header' }",
      /header: must be an HTTP header name/,
    ],
    [
      "signature: { scheme: hmac, secret: env:A, prefix: 'has space=' }",
      /prefix: must be up to 32 printable/,
    ],
    ["signature: { scheme: shopify }", /signature\.secret: required \(or secrets/],
    [
      "signature: { scheme: shopify, secret: env:A, secrets: [env:B] }",
      /secrets: give either secret or secrets/,
    ],
    ["signature: { scheme: shopify, secrets: [] }", /secrets: must be a list of 1 to 8/],
    ["signature: { scheme: shopify, secrets: env:A }", /secrets: must be a list/],
    ["signature: shopify", /signature: must be a mapping/],
    [
      "secret: env:A\n    signature: { scheme: shopify, secret: env:B }",
      /shop\.secret: use either signature: or the legacy/,
    ],
    ["signatureHeader: x-sig", /signatureHeader: has no effect without secret/],
    ["secret: env:A\n    signatureEncoding: base32", /signatureEncoding: must be one of: hex, base64/],
  ];
  for (const [yaml, expected] of cases) {
    const found = problems(`    type: webhook-json\n    ${yaml}\n`);
    assert.ok(
      found.some((p) => expected.test(p)),
      `${yaml}\n  got: ${found.join("\n  ")}`,
    );
  }
});

test("a literal secret is tolerated with a warning in dev (as for other secrets) and refused in prod", () => {
  const dev = parse("    type: webhook-json\n    signature: { scheme: shopify, secret: dev-only }\n", "dev");
  assert.equal(dev.warnings.length, 1);
  assert.equal(
    signatureConfigOf(dev.connections.shop as Record<string, unknown>)?.secrets[0]?.reveal(),
    "dev-only",
  );
  const prod = problems("    type: webhook-json\n    signature: { scheme: shopify, secret: dev-only }\n");
  assert.ok(
    prod.some((p) => /signature\.secret: a literal secret is not allowed/.test(p)),
    prod.join("\n"),
  );
});

test("settings built in code (not from a file) are checked when the verifier is built", () => {
  assert.throws(
    () =>
      connectionVerifier(
        "shop",
        { type: "webhook-json", signature: { scheme: "nope", secret: { reveal: () => "x" } } },
        new ManualClock(),
      ),
    (error: unknown) =>
      error instanceof CrossdockError &&
      error.code === "CDK_CONFIG_INVALID" &&
      /signature\.scheme/.test(error.message),
  );
  assert.equal(connectionVerifier("shop", { type: "webhook-json" }, new ManualClock()), undefined);
});
