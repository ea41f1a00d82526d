/**
 * The port every inbound signature scheme implements, and the helpers they share. A verifier looks at a
 * webhook's raw bytes and headers before anything is stored and answers with a value, never by
 * throwing: a refusal is an expected outcome at the edge, and the route turns it into a 401.
 *
 * Every comparison of a given signature with an expected one is constant-time over equal-length byte
 * strings (the length of an HMAC is public). Reasons name what was missing or wrong, never the expected
 * value, so a refusal teaches an attacker nothing about the secret.
 */
import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from "node:crypto";

/** Request headers as Node gives them: names lower-cased, repeated `set-cookie` as an array. */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** The schemes a `signature.scheme` can name. */
export const SIGNATURE_SCHEMES = ["shopify", "woocommerce", "standard-webhooks", "easypost", "hmac"] as const;
export type SignatureScheme = (typeof SIGNATURE_SCHEMES)[number];

/** A secret as the config gives it: only `reveal()` reads the value. */
export interface SecretValue {
  reveal(): string;
}

/**
 * What a verifier decided.
 * - `verified`: the signature matches; `senderId` is the provider's own id for this message (the dedupe
 *   key), when the scheme has one and the request carries it.
 * - `ping`: an unsigned liveness check the provider sends when a webhook is set up (WooCommerce): answer
 *   200, store nothing.
 * - `refused`: `reason` says what was missing or wrong, safe to send back.
 */
export type Verification =
  | { outcome: "verified"; senderId?: string }
  | { outcome: "ping" }
  | { outcome: "refused"; reason: string };

/** Checks one connection's inbound webhooks. Built once per connection; `verify` is called per request. */
export interface WebhookVerifier {
  readonly scheme: SignatureScheme;
  verify(body: Buffer, headers: RequestHeaders): Verification;
}

/** Longest signature header read; anything longer is refused unparsed (a few rotation signatures fit). */
export const MAX_SIGNATURE_HEADER_CHARS = 2_048;

export type HeaderRead = { ok: true; value: string } | { ok: false; reason: string };

/** One header's value: missing, empty, repeated or too long are each refused with their own reason. */
export function readHeader(headers: RequestHeaders, name: string, expected: string): HeaderRead {
  const raw = headers[name];
  if (raw === undefined || raw === "")
    return { ok: false, reason: `header ${name} is missing (expected ${expected})` };
  if (typeof raw !== "string") return { ok: false, reason: `header ${name} appears more than once` };
  if (raw.length > MAX_SIGNATURE_HEADER_CHARS) {
    return { ok: false, reason: `header ${name} is longer than ${MAX_SIGNATURE_HEADER_CHARS} characters` };
  }
  return { ok: true, value: raw.trim() };
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Decodes a signature strictly: Node's own decoders stop silently at the first bad character, which
 * would make `abc!` and `abc` the same signature. Undefined when the text is not in the encoding.
 */
export function decodeSignature(text: string, encoding: "hex" | "base64"): Buffer | undefined {
  if (encoding === "hex") return HEX.test(text) ? Buffer.from(text, "hex") : undefined;
  if (!BASE64.test(text) || text.length % 4 === 1) return undefined;
  return Buffer.from(text, "base64");
}

/** True when `given` equals one of `expected`, comparing in constant time for each candidate. */
export function matchesAny(given: Buffer, expected: readonly Buffer[]): boolean {
  let found = false;
  for (const candidate of expected) {
    // Unequal lengths cannot match, and an HMAC's length is not a secret.
    if (candidate.length === given.length && timingSafeEqual(candidate, given)) found = true;
  }
  return found;
}

/** HMAC keys from secrets, built once: a `KeyObject` saves re-importing the key on every request. */
export function hmacKeys(secrets: readonly SecretValue[], toBytes = utf8): KeyObject[] {
  return secrets.map((secret) => createSecretKey(toBytes(secret.reveal())));
}

function utf8(text: string): Buffer {
  return Buffer.from(text, "utf8");
}

/** The HMAC of `parts` (concatenated) under each key. */
export function hmacs(algorithm: string, keys: readonly KeyObject[], ...parts: Buffer[]): Buffer[] {
  return keys.map((key) => {
    const mac = createHmac(algorithm, key);
    for (const part of parts) mac.update(part);
    return mac.digest();
  });
}

/** A header's value when present once and short enough to be an id; otherwise undefined. */
export function optionalHeader(headers: RequestHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}
