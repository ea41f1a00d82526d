import { CrossdockError } from "../../core/errors.ts";

/**
 * `JSON.parse` whose failure says where: line and column of the offending character, and a short
 * excerpt, so an operator can find the fault in a 3 MB body without a debugger.
 */
export function parseJsonLocated(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    const match = /position (\d+)/.exec(message);
    const position = match ? Number(match[1]) : text.length;
    const before = text.slice(0, position);
    const line = before.split("\n").length;
    const column = position - before.lastIndexOf("\n");
    const excerpt = text.slice(Math.max(0, position - 20), position + 20).replace(/\s+/g, " ");
    const reason = message.replace(/ in JSON at position.*$/, "").replace(/^.*?: /, "");
    throw new CrossdockError(
      "CDK_DECODE_FAILED",
      `${where} line ${line} column ${column}: invalid JSON (${reason}) near "${excerpt}"`,
      { cause, details: { where, line, column, position, expected: "a JSON document" } },
    );
  }
}
