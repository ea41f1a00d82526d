import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  absDecimal,
  addDecimals,
  allocateDecimal,
  compareDecimals,
  divideDecimals,
  formatDecimal,
  isDecimal,
  multiplyDecimals,
  parseDecimal,
  roundHalfEven,
  subtractDecimals,
  sumDecimals,
} from "./decimal.ts";

/** A small seeded generator (mulberry32), so a failure names the seed that reproduces it. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomDecimal(next: () => number, maxWhole = 24, maxFraction = 12): string {
  const digits = (count: number) => Array.from({ length: count }, () => Math.floor(next() * 10)).join("");
  const whole = digits(1 + Math.floor(next() * maxWhole)).replace(/^0+(?=\d)/, "");
  const fractionLength = Math.floor(next() * (maxFraction + 1));
  const sign = next() < 0.4 ? "-" : "";
  return `${sign}${whole}${fractionLength > 0 ? `.${digits(fractionLength)}` : ""}`;
}

// An independent oracle: schoolbook arithmetic on digit strings, no BigInt, no floats.
interface Digits {
  negative: boolean;
  digits: number[]; // most significant first, `scale` of them after the point
  scale: number;
}
function toDigits(text: string, scale: number): Digits {
  const negative = text.startsWith("-");
  const [whole = "", fraction = ""] = text.replace("-", "").split(".");
  return { negative, digits: [...`${whole}${fraction.padEnd(scale, "0")}`].map(Number), scale };
}
function compareMagnitude(a: number[], b: number[]): number {
  const x = a.join("").replace(/^0+/, "");
  const y = b.join("").replace(/^0+/, "");
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}
function addMagnitudes(a: number[], b: number[]): number[] {
  const out: number[] = [];
  let carry = 0;
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const sum = (a[a.length - 1 - i] ?? 0) + (b[b.length - 1 - i] ?? 0) + carry;
    out.unshift(sum % 10);
    carry = Math.floor(sum / 10);
  }
  return carry ? [carry, ...out] : out;
}
function subtractMagnitudes(a: number[], b: number[]): number[] {
  const out: number[] = [];
  let borrow = 0;
  for (let i = 0; i < a.length; i += 1) {
    let difference = (a[a.length - 1 - i] ?? 0) - (b[b.length - 1 - i] ?? 0) - borrow;
    borrow = difference < 0 ? 1 : 0;
    if (difference < 0) difference += 10;
    out.unshift(difference);
  }
  return out;
}
function fromDigits(value: Digits): string {
  const padded = value.digits.join("").padStart(value.scale + 1, "0");
  const whole = padded.slice(0, padded.length - value.scale).replace(/^0+(?=\d)/, "");
  const text = value.scale ? `${whole}.${padded.slice(padded.length - value.scale)}` : whole;
  return value.negative && /[1-9]/.test(text) ? `-${text}` : text;
}
function oracleAdd(a: string, b: string): string {
  const scale = Math.max(a.split(".")[1]?.length ?? 0, b.split(".")[1]?.length ?? 0);
  const x = toDigits(a, scale);
  const y = toDigits(b, scale);
  if (x.negative === y.negative)
    return fromDigits({ negative: x.negative, digits: addMagnitudes(x.digits, y.digits), scale });
  const order = compareMagnitude(x.digits, y.digits);
  const [big, small] = order >= 0 ? [x, y] : [y, x];
  return fromDigits({ negative: big.negative, digits: subtractMagnitudes(big.digits, small.digits), scale });
}
function oracleMultiply(a: string, b: string): string {
  const x = toDigits(a, a.split(".")[1]?.length ?? 0);
  const y = toDigits(b, b.split(".")[1]?.length ?? 0);
  const out = new Array<number>(x.digits.length + y.digits.length).fill(0);
  for (let i = x.digits.length - 1; i >= 0; i -= 1) {
    for (let j = y.digits.length - 1; j >= 0; j -= 1) {
      const at = i + j + 1;
      const product = (x.digits[i] ?? 0) * (y.digits[j] ?? 0) + (out[at] ?? 0);
      out[at] = product % 10;
      out[at - 1] = (out[at - 1] ?? 0) + Math.floor(product / 10);
    }
  }
  return fromDigits({ negative: x.negative !== y.negative, digits: out, scale: x.scale + y.scale });
}
function oracleCompare(a: string, b: string): number {
  const difference = oracleAdd(a, b.startsWith("-") ? b.slice(1) : `-${b}`);
  return /[1-9]/.test(difference) ? (difference.startsWith("-") ? -1 : 1) : 0;
}

const SEEDS = [1, 7, 2026];
const RUNS = 2_000;

describe("decimal helpers against an independent computation", () => {
  for (const seed of SEEDS) {
    test(`add, subtract, multiply and compare match schoolbook arithmetic (seed ${seed})`, () => {
      const next = random(seed);
      for (let run = 0; run < RUNS; run += 1) {
        const a = randomDecimal(next);
        const b = randomDecimal(next);
        const context = `seed ${seed} run ${run}: ${a}, ${b}`;
        assert.equal(addDecimals(a, b), oracleAdd(a, b), `add ${context}`);
        const negated = b.startsWith("-") ? b.slice(1) : `-${b}`;
        assert.equal(subtractDecimals(a, b), oracleAdd(a, negated), `subtract ${context}`);
        assert.equal(multiplyDecimals(a, b), oracleMultiply(a, b), `multiply ${context}`);
        assert.equal(compareDecimals(a, b), oracleCompare(a, b), `compare ${context}`);
      }
    });

    test(`roundHalfEven matches Intl.NumberFormat's exact halfEven rounding (seed ${seed})`, () => {
      const next = random(seed);
      for (let run = 0; run < RUNS; run += 1) {
        // ties are what half-even is about: make a third of the inputs end in exactly 5
        let a = randomDecimal(next, 20, 10);
        if (run % 3 === 0) a = `${a}${a.includes(".") ? "" : "."}5`;
        const places = Math.floor(next() * 8);
        const format = new Intl.NumberFormat("en-US", {
          useGrouping: false,
          minimumFractionDigits: places,
          maximumFractionDigits: places,
          roundingMode: "halfEven",
          signDisplay: "negative",
        });
        // Intl.NumberFormat reads a string as an exact decimal (ECMA-402 "Intl mathematical value")
        assert.equal(
          roundHalfEven(a, places),
          format.format(a as unknown as number),
          `seed ${seed} run ${run}: ${a} to ${places}`,
        );
      }
    });
  }

  test("algebraic properties over large values: commutative, inverse, sum, rounding idempotent", () => {
    const next = random(99);
    for (let run = 0; run < RUNS; run += 1) {
      const a = randomDecimal(next, 38, 20);
      const b = randomDecimal(next, 38, 20);
      assert.equal(addDecimals(a, b), addDecimals(b, a));
      assert.equal(compareDecimals(subtractDecimals(addDecimals(a, b), b), a), 0);
      assert.equal(multiplyDecimals(a, b), multiplyDecimals(b, a));
      assert.equal(compareDecimals(a, b), -compareDecimals(b, a) || 0);
      const rounded = roundHalfEven(a, 4);
      assert.equal(roundHalfEven(rounded, 4), rounded);
      assert.ok(
        compareDecimals(absDecimal(subtractDecimals(rounded, a)), "0.00005") <= 0,
        `${a} -> ${rounded}`,
      );
    }
  });
});

describe("decimal helpers: examples and edges", () => {
  test("documented examples", () => {
    assert.equal(addDecimals("1.5", "2.25"), "3.75");
    assert.equal(addDecimals("1.50", "2"), "3.50");
    assert.equal(multiplyDecimals("19.99", "3"), "59.97");
    assert.equal(multiplyDecimals("0.5", "0.5"), "0.25");
    assert.equal(compareDecimals("1.50", "1.5"), 0);
    assert.equal(roundHalfEven("0.125", 2), "0.12");
    assert.equal(roundHalfEven("0.135", 2), "0.14");
    assert.equal(roundHalfEven("-2.5", 0), "-2");
    assert.equal(roundHalfEven("3", 2), "3.00");
    assert.equal(roundHalfEven("-0.001", 2), "0.00", "no negative zero");
    assert.equal(subtractDecimals("1", "1.00"), "0.00");
    assert.equal(sumDecimals([]), "0");
    assert.equal(sumDecimals(["0.1", "0.2"]), "0.3", "the float classic, exact here");
  });

  test("ids above 2^53 and long amounts keep every digit", () => {
    assert.equal(addDecimals("9007199254740993", "0"), "9007199254740993");
    assert.equal(multiplyDecimals("123456789012345.123456", "999999999999.999999").length, 40);
  });

  test("malformed, hostile and oversized input: parseDecimal says no, arithmetic throws RangeError", () => {
    const bad: unknown[] = [
      "",
      "-",
      ".5",
      "5.",
      "+1",
      "1e3",
      "1,5",
      " 1",
      "1 ",
      "0x10",
      "NaN",
      "Infinity",
      "١٢",
      "1.2.3",
      "--1",
    ];
    bad.push("9".repeat(41), `1.${"0".repeat(41)}`, "1".repeat(10_000_000), 1.5, 2n, null, undefined, {}, [
      "1",
    ]);
    for (const value of bad) {
      assert.equal(parseDecimal(value), undefined, `parseDecimal(${String(value).slice(0, 20)})`);
      assert.equal(isDecimal(value), false);
      assert.throws(() => addDecimals(value as string, "1"), RangeError);
      assert.throws(() => roundHalfEven(value as string, 2), RangeError);
    }
    assert.throws(() => roundHalfEven("1", -1), RangeError);
    assert.throws(() => roundHalfEven("1", 1.5), RangeError);
    assert.throws(() => roundHalfEven("1", 41), RangeError);
  });

  test("parse and format round trip; leading zeros tolerated", () => {
    assert.deepEqual(parseDecimal("-012.340"), { units: -12340n, scale: 3 });
    assert.equal(formatDecimal({ units: -12340n, scale: 3 }), "-12.340");
    assert.equal(formatDecimal({ units: 5n, scale: 3 }), "0.005");
  });
});

describe("division and allocation", () => {
  test("divideDecimals rounds half-even to the places asked", () => {
    assert.equal(divideDecimals("10", "3", 2), "3.33");
    assert.equal(divideDecimals("2", "3", 4), "0.6667");
    assert.equal(divideDecimals("0.125", "1", 2), "0.12", "half to even");
    assert.equal(divideDecimals("15.00", "80.00", 6), "0.187500");
    assert.throws(() => divideDecimals("1", "0", 2), RangeError);
    assert.throws(() => divideDecimals("x", "1", 2), RangeError);
  });

  test("allocateDecimal splits in proportion and the shares add up exactly", () => {
    assert.deepEqual(allocateDecimal("10.00", ["1", "1", "1"], 2), ["3.34", "3.33", "3.33"]);
    assert.deepEqual(allocateDecimal("15.00", ["60.00", "20.00"], 2), ["11.25", "3.75"]);
    assert.deepEqual(allocateDecimal("0.01", ["1", "2"], 2), ["0.00", "0.01"], "the largest remainder");
    assert.deepEqual(allocateDecimal("5", ["0", "3"], 2), ["0.00", "5.00"]);
    for (const amount of ["0.07", "123.45", "999.99"]) {
      const shares = allocateDecimal(amount, ["3.1", "7", "0.9", "11"], 2);
      assert.equal(sumDecimals(shares), amount);
    }
    assert.throws(() => allocateDecimal("1", ["0", "0"], 2), RangeError);
  });
});
