import { type ParseError, parse, printParseErrorCode } from "jsonc-parser";
import { CrossdockError } from "../../core/errors.ts";

/**
 * `JSON.parse` whose failure says where: line and column of the offending character, and a short
 * excerpt, so an operator can find the fault in a 3 MB body without a debugger. The fast path is
 * `JSON.parse`; only a body it refuses is scanned again (jsonc-parser, strict: no comments, no
 * trailing commas) to find the first error's offset, because V8's messages no longer carry one.
 */
export function parseJsonLocated(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    const errors: ParseError[] = [];
    parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    const first = errors[0];
    // jsonc-parser accepts a few things JSON.parse does not (e.g. a lone surrogate escape); fall back to
    // the end of the text then, with V8's own reason.
    const position = first ? first.offset : text.length;
    const reason = first ? describe(first) : message.replace(/^.*?: /, "").split("\n")[0];
    const before = text.slice(0, position);
    const line = before.split("\n").length;
    const column = position - before.lastIndexOf("\n");
    const excerpt = text.slice(Math.max(0, position - 20), position + 20).replace(/\s+/g, " ");
    throw new CrossdockError(
      "CDK_DECODE_FAILED",
      `${where} line ${line} column ${column}: invalid JSON (${reason}) near "${excerpt}"`,
      { cause, details: { where, line, column, position, expected: "a JSON document" } },
    );
  }
}

const REASONS: Record<string, string> = {
  InvalidSymbol: "unexpected character",
  InvalidNumberFormat: "invalid number",
  PropertyNameExpected: "expected a property name in double quotes",
  ValueExpected: "expected a value",
  ColonExpected: "expected ':'",
  CommaExpected: "expected ',' or the end of the object or array",
  CloseBraceExpected: "expected '}'",
  CloseBracketExpected: "expected ']'",
  EndOfFileExpected: "unexpected text after the document",
  InvalidCommentToken: "comments are not JSON",
  UnexpectedEndOfComment: "unterminated comment",
  UnexpectedEndOfString: "unterminated string",
  UnexpectedEndOfNumber: "unterminated number",
  InvalidUnicode: "invalid unicode escape",
  InvalidEscapeCharacter: "invalid escape character",
  InvalidCharacter: "invalid character in a string",
};

function describe(error: ParseError): string {
  const name = printParseErrorCode(error.error);
  return REASONS[name] ?? name;
}
