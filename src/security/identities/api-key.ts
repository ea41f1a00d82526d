/**
 * API keys: `cdk_<keyId>_<secret>`. The key id is public (it is logged, audited and listed, and finds
 * the key's record in one lookup); the secret is 32 random bytes in base64url, shown once at creation
 * and stored only as its SHA-256.
 *
 * Why a plain SHA-256 and not bcrypt/scrypt/argon2: slow hashes protect low-entropy secrets (people's
 * passwords) from offline guessing. A 256-bit random secret cannot be guessed, fast hash or not, so a
 * stolen table of SHA-256 digests gives nothing away, and checking a key costs ~1 µs instead of the
 * ~50-100 ms a slow hash would add to every API call (and hand to anyone who floods us with bad keys).
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** Prefix of every key, so that secret scanners (and people) recognise one. */
export const API_KEY_PREFIX = "cdk_";
/** Random bytes in a secret. */
export const SECRET_BYTES = 32;

const BASE32 = "0123456789abcdefghjkmnpqrstvwxyz";
const KEY_ID = /^[0-9a-z]{16}$/;
// The key id has no "_", so the first "_" after it ends it; the secret may contain "_" and "-".
const API_KEY = /^cdk_([0-9a-z]{16})_([A-Za-z0-9_-]{43})$/;

export interface ParsedApiKey {
  keyId: string;
  secret: string;
}

/** A new random key id: 16 base32 characters (80 bits), never containing "_". */
export function newKeyId(): string {
  const bytes = randomBytes(16);
  let out = "";
  for (const byte of bytes) out += BASE32[byte % 32];
  return out;
}

export function isKeyId(value: unknown): value is string {
  return typeof value === "string" && KEY_ID.test(value);
}

/** A new key: its id, the full key to show once, and the digest to store. */
export function generateApiKey(keyId = newKeyId()): { keyId: string; key: string; secretHash: string } {
  const secret = randomBytes(SECRET_BYTES).toString("base64url");
  return { keyId, key: `${API_KEY_PREFIX}${keyId}_${secret}`, secretHash: hashSecret(secret) };
}

/** Splits a presented key; undefined for anything that is not exactly a Crossdock key. */
export function parseApiKey(value: string): ParsedApiKey | undefined {
  if (value.length > 100) return undefined;
  const match = API_KEY.exec(value);
  return match ? { keyId: match[1]!, secret: match[2]! } : undefined;
}

/** SHA-256 of the secret, hex. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/**
 * Compares a presented secret with a stored digest in constant time: both sides are 32-byte digests,
 * so neither the secret's length nor its content changes the time taken.
 */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = createHash("sha256").update(secret, "utf8").digest();
  const stored = Buffer.from(storedHash, "hex");
  if (stored.length !== presented.length) return false;
  return timingSafeEqual(presented, stored);
}
