import type { Clock } from "../../core/clock.ts";
import {
  decodeSignature,
  hmacKeys,
  hmacs,
  matchesAny,
  readHeader,
  type SecretValue,
  type WebhookVerifier,
} from "./webhook-verifier.ts";

/** Default and largest accepted clock difference, seconds, either way. */
export const STANDARD_WEBHOOKS_TOLERANCE_S = 300;
export const MAX_STANDARD_WEBHOOKS_TOLERANCE_S = 3_600;
/** Signatures read from one `webhook-signature` header; more is not rotation but an attack. */
const MAX_SIGNATURES = 16;
const MAX_ID_CHARS = 256;
const TIMESTAMP = /^\d{1,12}$/;
// Printable ASCII without spaces: ids are sent back in logs and used as dedupe keys.
const MESSAGE_ID = /^[\x21-\x7e]+$/;

export interface StandardWebhooksVerifierOptions {
  /** `whsec_<base64>` (the prefix is optional); any of them may have signed (rotation). */
  secrets: readonly SecretValue[];
  clock: Clock;
  /** Default 300 (5 minutes). */
  toleranceSeconds?: number;
}

/** Key bytes of a `whsec_` secret; undefined when it is not base64 or is empty. */
export function standardWebhooksKey(secret: string): Buffer | undefined {
  const text = secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret;
  const key = decodeSignature(text, "base64");
  return key === undefined || key.length === 0 ? undefined : key;
}

/**
 * Standard Webhooks (standardwebhooks.com): `webhook-signature` is a space-separated list of
 * `v1,<base64 HMAC-SHA256>` over the bytes `<webhook-id>.<webhook-timestamp>.<raw body>`, under the
 * base64-decoded `whsec_` secret. Any listed signature made with any configured secret is accepted
 * (both sides can rotate). `v1a` (asymmetric) signatures are not supported and are skipped.
 *
 * Replay protection has two halves: a timestamp further than the tolerance from the clock (either
 * way) is refused, and inside the tolerance the signed `webhook-id` is the dedupe key, so the same
 * message sent again is a duplicate (200, nothing stored). The body is signed as raw bytes; the
 * reference library signs its UTF-8 decoding, which is the same for every valid UTF-8 body.
 */
export function createStandardWebhooksVerifier(options: StandardWebhooksVerifierOptions): WebhookVerifier {
  if (options.secrets.length === 0) throw new TypeError("Standard Webhooks needs at least one secret");
  const keys = hmacKeys(options.secrets, (secret) => {
    const key = standardWebhooksKey(secret);
    if (key === undefined) throw new TypeError("a Standard Webhooks secret must be whsec_ and base64");
    return key;
  });
  const toleranceS = options.toleranceSeconds ?? STANDARD_WEBHOOKS_TOLERANCE_S;
  return {
    scheme: "standard-webhooks",
    verify(body, headers) {
      const id = readHeader(headers, "webhook-id", "the message id");
      if (!id.ok) return { outcome: "refused", reason: id.reason };
      if (id.value.length > MAX_ID_CHARS || !MESSAGE_ID.test(id.value)) {
        return {
          outcome: "refused",
          reason: `header webhook-id must be 1 to ${MAX_ID_CHARS} printable characters without spaces`,
        };
      }
      const ts = readHeader(headers, "webhook-timestamp", "seconds since the epoch");
      if (!ts.ok) return { outcome: "refused", reason: ts.reason };
      if (!TIMESTAMP.test(ts.value)) {
        return {
          outcome: "refused",
          reason: "header webhook-timestamp must be whole seconds since the epoch",
        };
      }
      const skewS = Math.floor(options.clock.now() / 1_000) - Number(ts.value);
      if (skewS > toleranceS) {
        return {
          outcome: "refused",
          reason: `webhook-timestamp is ${skewS} s old, beyond the ${toleranceS} s tolerance (replayed or delayed)`,
        };
      }
      if (-skewS > toleranceS) {
        return {
          outcome: "refused",
          reason: `webhook-timestamp is ${-skewS} s in the future, beyond the ${toleranceS} s tolerance (check the sender's clock)`,
        };
      }
      const sig = readHeader(headers, "webhook-signature", "space-separated v1,<base64> signatures");
      if (!sig.ok) return { outcome: "refused", reason: sig.reason };
      const entries = sig.value.split(" ").filter((entry) => entry !== "");
      if (entries.length > MAX_SIGNATURES) {
        return {
          outcome: "refused",
          reason: `webhook-signature lists more than ${MAX_SIGNATURES} signatures`,
        };
      }
      const given = entries
        .filter((entry) => entry.startsWith("v1,"))
        .map((entry) => decodeSignature(entry.slice(3), "base64"))
        .filter((bytes): bytes is Buffer => bytes !== undefined);
      if (given.length === 0) {
        return {
          outcome: "refused",
          reason: "webhook-signature has no well-formed v1,<base64> signature (v1a is not supported)",
        };
      }
      const expected = hmacs("sha256", keys, Buffer.from(`${id.value}.${ts.value}.`), body);
      if (!given.some((signature) => matchesAny(signature, expected))) {
        return {
          outcome: "refused",
          reason: `none of the ${given.length} v1 signatures in webhook-signature matches the message`,
        };
      }
      return { outcome: "verified", senderId: id.value };
    },
  };
}
