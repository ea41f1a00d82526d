import { parseJsonLocated } from "../connectors/json/parse-json-located.ts";
import { CrossdockError } from "../core/errors.ts";

/** Decoding a JSON body for mapping: the document, or a located `CDK_DECODE_FAILED`. */
export type DecodedDocument = { ok: true; document: unknown } | { ok: false; error: CrossdockError };

/** The third argument of a `JSON.parse` reviver on Node 22+ (ES2025 "JSON.parse source text access"). */
interface ReviverContext {
  source?: string;
}

/**
 * Keeps a number's exact source text when a JavaScript number would not hold it: integers beyond
 * 2^53 (Shopify's ids), and numbers with more than 15 significant digits. Those become strings; every
 * other number stays a number. Money in such a number is then exact for the mapper's decimal helpers.
 */
function keepExactNumbers(_key: string, value: unknown, context?: ReviverContext): unknown {
  if (typeof value !== "number" || context?.source === undefined) return value;
  if (Number.isInteger(value) ? !Number.isSafeInteger(value) : significantDigits(context.source) > 15) {
    return context.source;
  }
  if (!Number.isFinite(value)) return context.source;
  return value;
}

function significantDigits(source: string): number {
  const mantissa = source
    .replace(/^-/, "")
    .replace(/[eE].*$/, "")
    .replace(".", "");
  return mantissa.replace(/^0+/, "").length;
}

/**
 * Decodes a JSON message body into a document for mapping, without losing digits (see
 * `keepExactNumbers`). A syntax error is located by line and column. Never throws.
 */
export function decodeJsonDocument(body: Uint8Array | string, where: string): DecodedDocument {
  const text = typeof body === "string" ? body : Buffer.from(body).toString("utf8");
  try {
    return {
      ok: true,
      document: JSON.parse(text, keepExactNumbers as (key: string, value: unknown) => unknown),
    };
  } catch (cause) {
    try {
      parseJsonLocated(text, where);
    } catch (error) {
      return { ok: false, error: error as CrossdockError };
    }
    // Valid JSON that failed only with the reviver: the reviver walk recurses, so this is depth.
    const reason = cause instanceof Error ? cause.message : String(cause);
    return {
      ok: false,
      error: new CrossdockError(
        "CDK_DECODE_FAILED",
        `${where}: the document is nested too deeply to decode (${reason})`,
        {
          cause,
          details: { where, expected: "a JSON document of reasonable depth" },
        },
      ),
    };
  }
}
