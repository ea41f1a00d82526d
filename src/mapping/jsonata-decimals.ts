/**
 * Exact decimal functions for JSONata mappings. JSONata's own arithmetic is binary floating point
 * (`0.1 + 0.2` is `0.30000000000000004`), which the canonical model refuses for money; these work on
 * decimal strings with the model's BigInt helpers and return decimal strings:
 *
 * | function | result |
 * |---|---|
 * | `$decimal(x)` | `x` (a string or number) as a decimal string: `19.9` -> `"19.9"` |
 * | `$decimalAdd(a, b)`, `$decimalSub(a, b)`, `$decimalMul(a, b)` | exact `a + b`, `a - b`, `a x b` |
 * | `$decimalSum(array)` | exact sum, `"0"` for an empty array |
 * | `$decimalRound(a, places)` | rounded half-even to `places` decimals, always that many |
 *
 * A value that is not a decimal fails the evaluation with code `DEC01`, located at the call.
 */
import type jsonata from "jsonata";
import {
  addDecimals,
  isDecimal,
  multiplyDecimals,
  roundHalfEven,
  subtractDecimals,
  sumDecimals,
} from "../core/model/decimal.ts";

function decimal(value: unknown): string {
  let text: string | undefined;
  if (typeof value === "string") text = value.trim();
  if (typeof value === "number" && Number.isFinite(value)) {
    text = String(value);
    if (text.includes("e")) text = Math.abs(value) < 1 ? value.toFixed(20).replace(/0+$/, "") : undefined;
  }
  if (text !== undefined && text.length <= 60 && isDecimal(text)) return text;
  const shown = JSON.stringify(value)?.slice(0, 40) ?? String(value);
  throw { code: "DEC01", message: `${shown} is not a decimal amount (a string like "19.90" or a number)` };
}

/** Registers the decimal functions on one compiled expression. */
export function registerDecimalFunctions(expression: Pick<jsonata.Expression, "registerFunction">): void {
  expression.registerFunction("decimal", (a: unknown) => decimal(a), "<(sn):s>");
  expression.registerFunction(
    "decimalAdd",
    (a: unknown, b: unknown) => addDecimals(decimal(a), decimal(b)),
    "<(sn)(sn):s>",
  );
  expression.registerFunction(
    "decimalSub",
    (a: unknown, b: unknown) => subtractDecimals(decimal(a), decimal(b)),
    "<(sn)(sn):s>",
  );
  expression.registerFunction(
    "decimalMul",
    (a: unknown, b: unknown) => multiplyDecimals(decimal(a), decimal(b)),
    "<(sn)(sn):s>",
  );
  expression.registerFunction(
    "decimalSum",
    (values: unknown) =>
      sumDecimals((Array.isArray(values) ? values : values === undefined ? [] : [values]).map(decimal)),
    "<a:s>",
  );
  expression.registerFunction(
    "decimalRound",
    (a: unknown, places: unknown) => {
      if (typeof places !== "number" || !Number.isInteger(places) || places < 0 || places > 12) {
        throw { code: "DEC01", message: `places must be an integer from 0 to 12, got ${String(places)}` };
      }
      return roundHalfEven(decimal(a), places);
    },
    "<(sn)n:s>",
  );
}
