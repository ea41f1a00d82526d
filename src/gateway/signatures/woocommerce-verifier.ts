import { createHmacVerifier } from "./hmac-verifier.ts";
import { optionalHeader, type SecretValue, type WebhookVerifier } from "./webhook-verifier.ts";

/** The body of WooCommerce's setup ping: `webhook_id=<id>`, form-encoded, unsigned. */
const PING_BODY = /^webhook_id=\d{1,20}$/;

/**
 * WooCommerce: `X-WC-Webhook-Signature` is the base64 HMAC-SHA256 of the raw body under the webhook's
 * secret. The dedupe key is `X-WC-Webhook-Delivery-ID`.
 *
 * When a webhook is saved as active, WooCommerce first POSTs an unsigned ping (`webhook_id=<id>`) and
 * refuses to activate the webhook unless the answer is exactly 200 (`WC_Webhook::deliver_ping`). A
 * request with no signature header and exactly that body is therefore a `ping`: answered 200, nothing
 * stored, nothing woken. Anyone can send one, and it has no effect.
 */
export function createWooCommerceVerifier(secrets: readonly SecretValue[]): WebhookVerifier {
  const hmac = createHmacVerifier({
    scheme: "woocommerce",
    secrets,
    header: "x-wc-webhook-signature",
    algorithm: "sha256",
    encoding: "base64",
    prefix: "",
    senderId: (_body, headers) => optionalHeader(headers, "x-wc-webhook-delivery-id"),
  });
  return {
    scheme: "woocommerce",
    verify(body, headers) {
      const unsigned = headers["x-wc-webhook-signature"] === undefined;
      if (unsigned && body.length <= 32 && PING_BODY.test(body.toString("latin1")))
        return { outcome: "ping" };
      return hmac.verify(body, headers);
    },
  };
}
