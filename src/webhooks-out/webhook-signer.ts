/**
 * Standard Webhooks signing for outbound deliveries (https://www.standardwebhooks.com): the receiver
 * checks `webhook-signature` = `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">` with its copy of
 * the `whsec_` secret. During a secret rotation both the new and the previous secret sign the same
 * message, space-separated, so a receiver that knows either one accepts it.
 */
import { createHmac, randomBytes } from "node:crypto";

/** The prefix Standard Webhooks uses for shared secrets; the rest is the base64 key. */
export const SECRET_PREFIX = "whsec_";
/** Key bytes of a generated secret (Svix uses 24; 32 matches the HMAC-SHA256 block's strength). */
const SECRET_BYTES = 32;
/** Smallest accepted key, bytes: shorter keys are guessable. */
const MIN_SECRET_BYTES = 24;
/** Largest accepted key, bytes: HMAC hashes longer keys anyway, and records stay small. */
const MAX_SECRET_BYTES = 64;

/** A new random `whsec_` secret. */
export function generateWebhookSecret(random: (size: number) => Buffer = randomBytes): string {
  return `${SECRET_PREFIX}${random(SECRET_BYTES).toString("base64")}`;
}

/**
 * The key bytes of a `whsec_` secret, or `undefined` when it is malformed (no prefix, not canonical
 * base64, or a key outside 24-64 bytes). Callers refuse such input with a located error.
 */
export function secretKey(secret: string): Buffer | undefined {
  if (!secret.startsWith(SECRET_PREFIX)) return undefined;
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) return undefined;
  const key = Buffer.from(encoded, "base64");
  if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) return undefined;
  return key;
}

export interface SignedHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

/**
 * Signs one attempt. `timestampS` is the attempt's time in whole seconds (receivers refuse messages
 * more than 5 minutes off), so a retry is signed afresh while `id` stays the same. `secrets` are the
 * active secrets, newest first; at least one. Throws `TypeError` on a malformed secret: the
 * subscription layer refuses those before they are stored, so this is a programming error.
 */
export function signWebhook(input: {
  id: string;
  timestampS: number;
  body: string;
  secrets: readonly string[];
}): SignedHeaders {
  if (input.secrets.length === 0) throw new TypeError("signWebhook needs at least one secret");
  const content = `${input.id}.${input.timestampS}.${input.body}`;
  const signatures = input.secrets.map((secret) => {
    const key = secretKey(secret);
    if (!key) throw new TypeError("signWebhook: malformed whsec_ secret");
    return `v1,${createHmac("sha256", key).update(content).digest("base64")}`;
  });
  return {
    "webhook-id": input.id,
    "webhook-timestamp": String(input.timestampS),
    "webhook-signature": signatures.join(" "),
  };
}
