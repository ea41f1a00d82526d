import type { Clock } from "../../core/clock.ts";
import { CrossdockError } from "../../core/errors.ts";
import { createEasyPostVerifier } from "./easypost-verifier.ts";
import { createHmacVerifier } from "./hmac-verifier.ts";
import { createShopifyVerifier } from "./shopify-verifier.ts";
import { checkSignatureSettings, type SignatureConfig, signatureConfigOf } from "./signature-config.ts";
import { createStandardWebhooksVerifier } from "./standard-webhooks-verifier.ts";
import type { WebhookVerifier } from "./webhook-verifier.ts";
import { createWooCommerceVerifier } from "./woocommerce-verifier.ts";

/** The verifier for resolved signature settings. The clock is read by time-bound schemes only. */
export function createWebhookVerifier(config: SignatureConfig, clock: Clock): WebhookVerifier {
  switch (config.scheme) {
    case "shopify":
      return createShopifyVerifier(config.secrets);
    case "woocommerce":
      return createWooCommerceVerifier(config.secrets);
    case "easypost":
      return createEasyPostVerifier(config.secrets);
    case "standard-webhooks":
      return createStandardWebhooksVerifier({
        secrets: config.secrets,
        clock,
        ...(config.toleranceSeconds === undefined ? {} : { toleranceSeconds: config.toleranceSeconds }),
      });
    case "hmac":
      return createHmacVerifier({
        secrets: config.secrets,
        ...(config.header === undefined ? {} : { header: config.header }),
        ...(config.algorithm === undefined ? {} : { algorithm: config.algorithm }),
        ...(config.encoding === undefined ? {} : { encoding: config.encoding }),
        ...(config.prefix === undefined ? {} : { prefix: config.prefix }),
      });
  }
}

/**
 * A connection's verifier from its settings, or undefined for an unsigned connection. A configuration
 * loaded from a file was checked already (located problems); one built in code is checked here, and
 * its problems thrown as `CDK_CONFIG_INVALID`.
 */
export function connectionVerifier(
  connection: string,
  settings: Readonly<Record<string, unknown>>,
  clock: Clock,
): WebhookVerifier | undefined {
  const problems = checkSignatureSettings(settings).map(
    (p) => `connections.${connection}.${p.path.join(".")}: ${p.message}`,
  );
  if (problems.length > 0) {
    throw new CrossdockError("CDK_CONFIG_INVALID", `connection ${connection}:\n  ${problems.join("\n  ")}`, {
      details: { connection, problems },
    });
  }
  const config = signatureConfigOf(settings);
  return config === undefined ? undefined : createWebhookVerifier(config, clock);
}
