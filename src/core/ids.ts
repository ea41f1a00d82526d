import { randomBytes } from "node:crypto";
import type { Clock } from "./clock.ts";

/** Produces unique, roughly time-ordered string ids. Injected so tests can make them predictable. */
export interface IdGenerator {
  next(prefix?: string): string;
}

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case

function encodeTime(ms: number): string {
  let out = "";
  let value = ms;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[value % 32] + out;
    value = Math.floor(value / 32);
  }
  return out;
}

/**
 * ULID-shaped ids (48-bit time + 80 random bits, base32) that sort by creation time, with an optional
 * readable prefix such as `msg_` or `job_`.
 */
export function createIdGenerator(clock: Clock): IdGenerator {
  return {
    next(prefix = "") {
      const bytes = randomBytes(10);
      let rand = "";
      for (const byte of bytes) rand += ALPHABET[byte % 32];
      return `${prefix}${encodeTime(clock.now())}${rand.slice(0, 16)}`;
    },
  };
}

/** Deterministic ids for tests: `prefix` + a counter. */
export function createSequentialIds(start = 1): IdGenerator {
  let n = start;
  return { next: (prefix = "") => `${prefix}${String(n++).padStart(8, "0")}` };
}
