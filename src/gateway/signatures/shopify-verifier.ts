import { createHmacVerifier } from "./hmac-verifier.ts";
import { optionalHeader, type SecretValue, type WebhookVerifier } from "./webhook-verifier.ts";

/**
 * Shopify: `X-Shopify-Hmac-Sha256` is the base64 HMAC-SHA256 of the raw body under the app's client
 * secret. The dedupe key is `X-Shopify-Webhook-Id` (the same on Shopify's retries of one delivery),
 * else `X-Shopify-Event-Id` (the same across subscriptions to one event).
 *
 * Shopify signs the body only: its id headers are not covered, so a captured body re-sent with a new
 * id is a new message. Deduplication by id protects against Shopify's own retries, not against
 * someone who has captured a request.
 */
export function createShopifyVerifier(secrets: readonly SecretValue[]): WebhookVerifier {
  return createHmacVerifier({
    scheme: "shopify",
    secrets,
    header: "x-shopify-hmac-sha256",
    algorithm: "sha256",
    encoding: "base64",
    prefix: "",
    senderId: (_body, headers) =>
      optionalHeader(headers, "x-shopify-webhook-id") ?? optionalHeader(headers, "x-shopify-event-id"),
  });
}
