/**
 * Where a `JSON.parse` error is in the text. V8's messages no longer carry an offset for every error,
 * so a body it refused is scanned again with jsonc-parser (strict: no comments, no trailing commas),
 * as `parse-json-located.ts` of the JSON connector does, to find the first error's offset.
 */
import { type ParseError, parse } from "jsonc-parser";

/** Position (0-based offset), line and column (1-based) of the first syntax error in `text`. */
export function jsonErrorPlace(text: string): { position: number; line: number; column: number } {
  const errors: ParseError[] = [];
  parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  // jsonc-parser accepts a few things JSON.parse does not (a lone surrogate escape): the end then.
  const position = Math.min(text.length, errors[0]?.offset ?? text.length);
  const before = text.slice(0, position);
  const line = before.split("\n").length;
  return { position, line, column: position - before.lastIndexOf("\n") };
}
