import { createHmacVerifier } from "./hmac-verifier.ts";
import type { SecretValue, WebhookVerifier } from "./webhook-verifier.ts";

/** An Event id as EasyPost writes it (`evt_...`); anything else is not used as a dedupe key. */
const EVENT_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * EasyPost: `X-Hmac-Signature: hmac-sha256-hex=<hex>`, the HMAC-SHA256 of the raw body under the
 * webhook secret after Unicode NFKD normalisation (as EasyPost's client libraries do it, so "sécret"
 * typed precomposed or decomposed gives the same key). The dedupe key is the Event's top-level `id`,
 * which EasyPost keeps across its retries of one event; EasyPost sends no id header.
 */
export function createEasyPostVerifier(secrets: readonly SecretValue[]): WebhookVerifier {
  return createHmacVerifier({
    scheme: "easypost",
    secrets,
    header: "x-hmac-signature",
    algorithm: "sha256",
    encoding: "hex",
    prefix: "hmac-sha256-hex=",
    keyBytes: (secret) => Buffer.from(secret.normalize("NFKD"), "utf8"),
    senderId: (body) => eventId(body),
  });
}

/** The body's top-level `id`, read only after the signature matched (the body is the sender's). */
function eventId(body: Buffer): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    return undefined; // stored anyway; the decode step reports the JSON error, located
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return undefined;
  const id = (parsed as { id?: unknown }).id;
  return typeof id === "string" && EVENT_ID.test(id) ? id : undefined;
}
