import { createHmac, timingSafeEqual } from "node:crypto";
import { CrossdockError } from "../core/errors.ts";

/**
 * Checks a webhook's signature on its raw bytes before anything is stored. This is the generic scheme
 * (HMAC-SHA256 of the body in a configurable header, hex or base64, optional `sha256=` prefix); the
 * provider schemes (Shopify, WooCommerce, Standard Webhooks) plug in beside it.
 */
export type WebhookVerifier = (body: Buffer, headers: Record<string, string | string[] | undefined>) => void;

export interface HmacVerifierOptions {
  connection: string;
  secret: { reveal(): string };
  /** Header carrying the signature, lower case. Default `x-crossdock-signature`. */
  header?: string;
  encoding?: "hex" | "base64";
}

export function createHmacVerifier(options: HmacVerifierOptions): WebhookVerifier {
  const header = (options.header ?? "x-crossdock-signature").toLowerCase();
  const encoding = options.encoding ?? "hex";
  return (body, headers) => {
    const raw = headers[header];
    const fail = (why: string) =>
      new CrossdockError("CDK_HTTP_SIGNATURE_INVALID", `connection ${options.connection}: ${why}`, {
        details: { connection: options.connection, header, encoding },
      });
    if (typeof raw !== "string" || raw === "")
      throw fail(`header ${header} is missing (expected an HMAC-SHA256 of the body, ${encoding})`);
    const given = Buffer.from(raw.replace(/^sha256=/, ""), encoding);
    const expected = createHmac("sha256", options.secret.reveal()).update(body).digest();
    // Lengths first: timingSafeEqual throws on unequal lengths, and the length is not secret.
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw fail(`signature in ${header} does not match the body`);
    }
  };
}
