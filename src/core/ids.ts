import { randomBytes } from "node:crypto";
import type { Clock } from "./clock.ts";

/** Produces unique, roughly time-ordered string ids. Injected so tests can make them predictable. */
export interface IdGenerator {
  next(prefix?: string): string;
}

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case
/** 16 base32 characters: the 80 random bits of a ULID. */
const RANDOM_CHARS = 16;

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
  // One `randomBytes` call costs ~5 µs whatever its size, which was a quarter of the CPU of an inbox
  // append (two ids each): draw the randomness in blocks and take 16 bytes (16 base32 chars) per id.
  let pool = Buffer.alloc(0);
  let offset = 0;
  return {
    next(prefix = "") {
      if (offset + RANDOM_CHARS > pool.length) {
        pool = randomBytes(RANDOM_CHARS * 256);
        offset = 0;
      }
      let rand = "";
      for (let i = offset; i < offset + RANDOM_CHARS; i++) rand += ALPHABET[pool[i]! % 32];
      offset += RANDOM_CHARS;
      return `${prefix}${encodeTime(clock.now())}${rand}`;
    },
  };
}

/** Deterministic ids for tests: `prefix` + a counter. */
export function createSequentialIds(start = 1): IdGenerator {
  let n = start;
  return { next: (prefix = "") => `${prefix}${String(n++).padStart(8, "0")}` };
}
