/**
 * The body-HMAC family: the signature is an HMAC of the raw body, in one header. This file is the
 * generic, configurable scheme (`scheme: hmac`, and the legacy `secret`/`signatureHeader`/
 * `signatureEncoding` keys); Shopify, WooCommerce and EasyPost are presets of it.
 */
import type { KeyObject } from "node:crypto";
import {
  decodeSignature,
  hmacKeys,
  hmacs,
  matchesAny,
  type RequestHeaders,
  readHeader,
  type SecretValue,
  type SignatureScheme,
  type WebhookVerifier,
} from "./webhook-verifier.ts";

export const HMAC_ALGORITHMS = ["sha256", "sha512", "sha1"] as const;
export type HmacAlgorithm = (typeof HMAC_ALGORITHMS)[number];
export const SIGNATURE_ENCODINGS = ["hex", "base64"] as const;
export type SignatureEncoding = (typeof SIGNATURE_ENCODINGS)[number];

/** Default header of the generic scheme. */
export const DEFAULT_HMAC_HEADER = "x-crossdock-signature";

export interface HmacVerifierOptions {
  /** One or more secrets; any of them may have signed (rotation). At least one. */
  secrets: readonly SecretValue[];
  /** Header carrying the signature, any case. Default `x-crossdock-signature`. */
  header?: string;
  /** Default `sha256`. `sha1` exists for old senders only. */
  algorithm?: HmacAlgorithm;
  /** Default `hex`. */
  encoding?: SignatureEncoding;
  /**
   * Text before the signature, such as `sha256=` (GitHub style). Stripped when present; a signature
   * without it is accepted too, since the prefix carries no secret. Default `<algorithm>=`.
   */
  prefix?: string;
  /** For presets: the scheme name reported. Default `hmac`. */
  scheme?: SignatureScheme;
  /** For presets: how a secret's text becomes key bytes. Default UTF-8. */
  keyBytes?: (secret: string) => Buffer;
  /** For presets: the provider's id for a verified message (the dedupe key). */
  senderId?: (body: Buffer, headers: RequestHeaders) => string | undefined;
}

/** A verifier for an HMAC of the raw body in one header. */
export function createHmacVerifier(options: HmacVerifierOptions): WebhookVerifier {
  if (options.secrets.length === 0) throw new TypeError("createHmacVerifier needs at least one secret");
  const header = (options.header ?? DEFAULT_HMAC_HEADER).toLowerCase();
  const algorithm = options.algorithm ?? "sha256";
  const encoding = options.encoding ?? "hex";
  const prefix = (options.prefix ?? `${algorithm}=`).toLowerCase();
  const keys: KeyObject[] = hmacKeys(options.secrets, options.keyBytes);
  const what = `${prefix === "" ? "" : `optional "${prefix}" then `}the ${encoding} HMAC-${algorithm.toUpperCase()} of the body`;
  return {
    scheme: options.scheme ?? "hmac",
    verify(body, headers) {
      const read = readHeader(headers, header, what);
      if (!read.ok) return { outcome: "refused", reason: read.reason };
      let text = read.value;
      if (prefix !== "" && text.slice(0, prefix.length).toLowerCase() === prefix) {
        text = text.slice(prefix.length);
      }
      const given = decodeSignature(text, encoding);
      if (given === undefined) {
        return { outcome: "refused", reason: `header ${header} is not ${what}` };
      }
      if (!matchesAny(given, hmacs(algorithm, keys, body))) {
        return { outcome: "refused", reason: `signature in ${header} does not match the body` };
      }
      const senderId = options.senderId?.(body, headers);
      return senderId === undefined ? { outcome: "verified" } : { outcome: "verified", senderId };
    },
  };
}
