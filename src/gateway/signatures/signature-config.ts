/**
 * The `signature:` mapping of an inbound connection, checked while the configuration resolves (so
 * `crossdock validate` reports every problem with file, line and path) and read into a
 * `SignatureConfig` when the gateway is built.
 *
 * ```yaml
 * signature: { scheme: shopify, secrets: [env:SHOPIFY_SECRET_NEW, env:SHOPIFY_SECRET_OLD] }
 * ```
 *
 * The older top-level keys `secret`, `signatureHeader` and `signatureEncoding` still work and mean
 * `scheme: hmac` with those settings; a connection uses one form or the other, never both.
 */
import {
  HMAC_ALGORITHMS,
  type HmacAlgorithm,
  SIGNATURE_ENCODINGS,
  type SignatureEncoding,
} from "./hmac-verifier.ts";
import { MAX_STANDARD_WEBHOOKS_TOLERANCE_S, standardWebhooksKey } from "./standard-webhooks-verifier.ts";
import { type SecretValue, SIGNATURE_SCHEMES, type SignatureScheme } from "./webhook-verifier.ts";

/** The resolved settings of one connection's signature check. */
export interface SignatureConfig {
  readonly scheme: SignatureScheme;
  /** Newest first by convention; any may match. */
  readonly secrets: readonly SecretValue[];
  readonly header?: string;
  readonly algorithm?: HmacAlgorithm;
  readonly encoding?: SignatureEncoding;
  readonly prefix?: string;
  readonly toleranceSeconds?: number;
}

/** A problem in a connection's settings, at a path relative to the connection. */
export interface SignatureProblem {
  field: string;
  path: (string | number)[];
  message: string;
}

const LEGACY_KEYS = ["secret", "secrets", "signatureHeader", "signatureEncoding"] as const;
const KEYS = ["scheme", "secret", "secrets", "header", "algorithm", "encoding", "prefix", "toleranceSeconds"];
/** Keys that only the generic scheme reads; the provider schemes fix them. */
const HMAC_ONLY = ["header", "algorithm", "encoding", "prefix"];
const MAX_SECRETS = 8;
// An HTTP header name (RFC 9110 token), of a sane length.
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;
const PREFIX = /^[\x21-\x7e]{0,32}$/;
const REFERENCE = "a secret reference such as env:NAME or file:/path";

function isSecretValue(value: unknown): value is SecretValue {
  return typeof value === "object" && value !== null && typeof (value as SecretValue).reveal === "function";
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !isSecretValue(value);
}

/** Every problem in a connection's signature settings (the `signature:` mapping or the legacy keys). */
export function checkSignatureSettings(settings: Readonly<Record<string, unknown>>): SignatureProblem[] {
  const problems: SignatureProblem[] = [];
  const at = (path: (string | number)[], message: string) =>
    problems.push({ field: String(path[0]), path, message });
  const legacy = LEGACY_KEYS.filter((key) => settings[key] !== undefined);
  const signature = settings.signature;
  if (signature !== undefined) {
    for (const key of legacy) {
      at(
        [key],
        "use either signature: or the legacy secret/signatureHeader/signatureEncoding keys, not both",
      );
    }
    if (!isMapping(signature)) {
      at(["signature"], "must be a mapping such as { scheme: shopify, secret: env:SHOPIFY_SECRET }");
      return problems;
    }
    checkMapping(signature, (path, message) => at(["signature", ...path], message));
    return problems;
  }
  if (legacy.length === 0) return problems;
  if (settings.secret === undefined && settings.secrets === undefined) {
    at([legacy[0] as string], "has no effect without secret (or use signature: { scheme: hmac, ... })");
  }
  checkSecrets(settings, (path, message) => at(path, message));
  const header = settings.signatureHeader;
  if (header !== undefined && !(typeof header === "string" && HEADER_NAME.test(header))) {
    at(["signatureHeader"], "must be an HTTP header name such as x-signature");
  }
  const encoding = settings.signatureEncoding;
  if (encoding !== undefined && !SIGNATURE_ENCODINGS.includes(encoding as SignatureEncoding)) {
    at(["signatureEncoding"], `must be one of: ${SIGNATURE_ENCODINGS.join(", ")}`);
  }
  return problems;
}

type Report = (path: (string | number)[], message: string) => void;

function checkMapping(signature: Record<string, unknown>, report: Report): void {
  for (const key of Object.keys(signature)) {
    if (!KEYS.includes(key)) report([key], `unknown key (expected one of: ${KEYS.join(", ")})`);
  }
  const scheme = signature.scheme;
  if (!SIGNATURE_SCHEMES.includes(scheme as SignatureScheme)) {
    const got = typeof scheme === "string" ? ` (got ${JSON.stringify(scheme.slice(0, 40))})` : "";
    report(["scheme"], `required, one of: ${SIGNATURE_SCHEMES.join(", ")}${got}`);
  }
  const secrets = checkSecrets(signature, report);
  if (scheme === "standard-webhooks") {
    secrets.forEach(([path, secret]) => {
      if (standardWebhooksKey(secret.reveal()) === undefined) {
        report(path, `the value of ${String(secret)} is not a whsec_<base64> secret`);
      }
    });
  }
  if (scheme !== "hmac") {
    for (const key of HMAC_ONLY) {
      if (signature[key] !== undefined)
        report([key], `applies only to scheme hmac; ${String(scheme)} fixes it`);
    }
  } else {
    const { header, algorithm, encoding, prefix } = signature;
    if (header !== undefined && !(typeof header === "string" && HEADER_NAME.test(header))) {
      report(["header"], "must be an HTTP header name such as x-signature");
    }
    if (algorithm !== undefined && !HMAC_ALGORITHMS.includes(algorithm as HmacAlgorithm)) {
      report(["algorithm"], `must be one of: ${HMAC_ALGORITHMS.join(", ")}`);
    }
    if (encoding !== undefined && !SIGNATURE_ENCODINGS.includes(encoding as SignatureEncoding)) {
      report(["encoding"], `must be one of: ${SIGNATURE_ENCODINGS.join(", ")}`);
    }
    if (prefix !== undefined && !(typeof prefix === "string" && PREFIX.test(prefix))) {
      report(["prefix"], "must be up to 32 printable characters without spaces, such as sha256=");
    }
  }
  const tolerance = signature.toleranceSeconds;
  if (tolerance !== undefined) {
    if (scheme !== "standard-webhooks") {
      report(["toleranceSeconds"], "applies only to scheme standard-webhooks");
    } else if (
      !(
        Number.isInteger(tolerance) &&
        (tolerance as number) >= 1 &&
        (tolerance as number) <= MAX_STANDARD_WEBHOOKS_TOLERANCE_S
      )
    ) {
      report(["toleranceSeconds"], `must be an integer between 1 and ${MAX_STANDARD_WEBHOOKS_TOLERANCE_S}`);
    }
  }
}

/** Checks `secret` xor `secrets`; returns the well-formed ones with their paths. */
function checkSecrets(holder: Record<string, unknown>, report: Report): [(string | number)[], SecretValue][] {
  const { secret, secrets } = holder;
  if (secret !== undefined && secrets !== undefined) {
    report(["secrets"], "give either secret or secrets, not both");
    return [];
  }
  if (secret === undefined && secrets === undefined) {
    report(["secret"], `required (or secrets: a list for rotation), ${REFERENCE}`);
    return [];
  }
  if (secret !== undefined) {
    if (isSecretValue(secret)) return [[["secret"], secret]];
    report(["secret"], `must be ${REFERENCE}`);
    return [];
  }
  if (!Array.isArray(secrets) || secrets.length === 0 || secrets.length > MAX_SECRETS) {
    report(["secrets"], `must be a list of 1 to ${MAX_SECRETS} secret references such as [env:NEW, env:OLD]`);
    return [];
  }
  const found: [(string | number)[], SecretValue][] = [];
  secrets.forEach((item, index) => {
    if (isSecretValue(item)) found.push([["secrets", index], item]);
    else report(["secrets", index], `must be ${REFERENCE} (literal values are refused in a secrets list)`);
  });
  return found;
}

/** The signature settings of a connection that passed `checkSignatureSettings`; undefined when unsigned. */
export function signatureConfigOf(settings: Readonly<Record<string, unknown>>): SignatureConfig | undefined {
  const signature = settings.signature as Record<string, unknown> | undefined;
  if (signature === undefined) {
    if (settings.secret === undefined && settings.secrets === undefined) return undefined;
    return {
      scheme: "hmac",
      secrets: secretsOf(settings),
      ...(typeof settings.signatureHeader === "string" ? { header: settings.signatureHeader } : {}),
      ...(settings.signatureEncoding === undefined
        ? {}
        : { encoding: settings.signatureEncoding as SignatureEncoding }),
      // The legacy form always accepted an optional "sha256=" prefix.
      prefix: "sha256=",
    };
  }
  const optional = ["header", "algorithm", "encoding", "prefix", "toleranceSeconds"] as const;
  const rest: Record<string, unknown> = {};
  for (const key of optional) if (signature[key] !== undefined) rest[key] = signature[key];
  return { scheme: signature.scheme as SignatureScheme, secrets: secretsOf(signature), ...rest };
}

function secretsOf(holder: Record<string, unknown>): SecretValue[] {
  return holder.secret !== undefined
    ? [holder.secret as SecretValue]
    : [...(holder.secrets as SecretValue[])];
}
