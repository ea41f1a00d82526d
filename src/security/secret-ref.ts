/**
 * Secrets by reference. A configuration never needs to hold a credential itself: it names where the
 * credential lives, `env:NAME` (an environment variable) or `file:/path` (a file, as mounted by Docker or
 * Kubernetes secrets), and the loader resolves the reference into a `Secret`.
 *
 * A `Secret` prints as `[secret env:NAME]` through every path a value takes into a log (string
 * conversion, `JSON.stringify`, `util.inspect`, template literals), so passing a whole config object to a
 * logger is safe. Only `reveal()` gives the value, and only the adapter that sends it should call it.
 *
 * Deliberately not here: encrypted secrets at rest and `secret://name` references to the hub's own
 * secret store (they will resolve through the same `Secret` type).
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { inspect } from "node:util";

/** A value that must never be printed. Immutable; `reveal()` is the only way to the value. */
export class Secret {
  /** Where the value came from, e.g. `env:SHOP_SECRET`, `file:/run/secrets/shop` or `literal`. */
  readonly source: string;
  readonly #value: string;

  constructor(value: string, source: string) {
    this.#value = value;
    this.source = source;
    Object.freeze(this);
  }

  /** The secret value itself. Call it at the last moment, where the value is sent, never to log it. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return `[secret ${this.source}]`;
  }

  toJSON(): string {
    return this.toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** Type guard for `Secret`, for code that accepts a connection field of unknown type. */
export function isSecret(value: unknown): value is Secret {
  return value instanceof Secret;
}

const SECRET_FIELD_NAMES = new Set(["secret", "password", "token", "apiKey", "key"]);

/**
 * True for a field that holds a credential by its name: `secret`, `password`, `token`, `apiKey`, `key`,
 * or a name ending in `Secret`, `Password` or `Token` (`clientSecret`, `webhookToken`).
 */
export function isSecretFieldName(name: string): boolean {
  return SECRET_FIELD_NAMES.has(name) || /[a-z0-9](Secret|Password|Token)$/.test(name);
}

/** True when a string is written as a reference (`env:` or `file:` prefix), valid or not. */
export function looksLikeSecretRef(value: string): boolean {
  return value.startsWith("env:") || value.startsWith("file:");
}

/** A parsed reference: where the value lives. */
export type SecretRef = { kind: "env"; name: string } | { kind: "file"; path: string };

/**
 * Parses `env:NAME` (NAME as POSIX shells allow it) or `file:<path>`. Returns a reason instead of a ref
 * when the string has a reference prefix but a malformed rest.
 */
export function parseSecretRef(value: string): SecretRef | { invalid: string } {
  if (value.startsWith("env:")) {
    const name = value.slice(4);
    if (/^[A-Za-z_][A-Za-z0-9_]{0,254}$/.test(name)) return { kind: "env", name };
    return { invalid: "env: must be followed by a variable name (letters, digits, '_')" };
  }
  if (value.startsWith("file:")) {
    const path = value.slice(5);
    if (path.length > 0 && !path.includes("\0")) return { kind: "file", path };
    return { invalid: "file: must be followed by a path" };
  }
  return { invalid: "a secret reference starts with env: or file:" };
}

export interface ResolveSecretOptions {
  /** The environment variables to read `env:` references from (the composition root passes `process.env`). */
  env: Readonly<Record<string, string | undefined>>;
  /** Folder that relative `file:` paths are taken from: the config file's folder. */
  baseDir: string;
}

/** A resolved secret, or why it could not be resolved (a reason safe to print). */
export type SecretResolution = { ok: true; secret: Secret } | { ok: false; reason: string };

/** Secret files larger than this are refused: a mistyped path to a log or a device must not be read whole. */
export const MAX_SECRET_FILE_BYTES = 64 * 1024;

/**
 * Resolves a reference. A failure's `reason` names the variable or path, never a value. A secret file's
 * one trailing newline is dropped (`echo token > file` writes one); an empty value is a failure, since
 * an empty credential is always a mistake.
 */
export function resolveSecretRef(ref: SecretRef, options: ResolveSecretOptions): SecretResolution {
  if (ref.kind === "env") {
    const value = options.env[ref.name];
    if (value === undefined) return { ok: false, reason: `environment variable ${ref.name} is not set` };
    if (value === "") return { ok: false, reason: `environment variable ${ref.name} is empty` };
    return { ok: true, secret: new Secret(value, `env:${ref.name}`) };
  }
  const path = isAbsolute(ref.path) ? ref.path : resolve(options.baseDir, ref.path);
  const read = readSecretFile(path);
  if ("reason" in read) return { ok: false, reason: read.reason };
  const value = read.text.replace(/\r?\n$/, "");
  if (value === "") return { ok: false, reason: `secret file ${path} is empty` };
  return { ok: true, secret: new Secret(value, `file:${path}`) };
}

function readSecretFile(path: string): { text: string } | { reason: string } {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    return {
      reason: `cannot read secret file ${path} (${(error as NodeJS.ErrnoException).code ?? "error"})`,
    };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { reason: `secret file ${path} is not a regular file` };
    if (stat.size > MAX_SECRET_FILE_BYTES) {
      return { reason: `secret file ${path} is larger than ${MAX_SECRET_FILE_BYTES} bytes` };
    }
    const buffer = Buffer.alloc(MAX_SECRET_FILE_BYTES + 1);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    if (length > MAX_SECRET_FILE_BYTES) {
      return { reason: `secret file ${path} is larger than ${MAX_SECRET_FILE_BYTES} bytes` };
    }
    return { text: buffer.toString("utf8", 0, length) };
  } catch (error) {
    return {
      reason: `cannot read secret file ${path} (${(error as NodeJS.ErrnoException).code ?? "error"})`,
    };
  } finally {
    closeSync(fd);
  }
}

const SENSITIVE_QUERY_PARAM = /pass|secret|token|key|auth|sig|credential/i;

/**
 * Masks the credentials of a URL so it can be printed: the password of the user info
 * (`postgres://app:***@db:5432/hub`) and the value of any query parameter whose name looks sensitive
 * (`sslpassword`, `access_token`, `api_key`). It works on the string, not through `URL`, so that a
 * password with unescaped `@` or `/` is still masked; when in doubt it masks more (a user info without
 * a password may be a token, as in `https://TOKEN@host`, so it is masked whole).
 *
 * @example redactUrl("postgres://app:s3cret@db/hub?sslmode=require") // "postgres://app:***@db/hub?sslmode=require"
 */
export function redactUrl(url: string): string {
  let out = url;
  const schemeEnd = out.indexOf("://");
  if (schemeEnd >= 0) {
    const start = schemeEnd + 3;
    const at = out.lastIndexOf("@");
    if (at >= start) {
      const userInfo = out.slice(start, at);
      const colon = userInfo.indexOf(":");
      const shown = colon >= 0 ? `${userInfo.slice(0, colon)}:***` : "***";
      out = `${out.slice(0, start)}${shown}${out.slice(at)}`;
    }
  }
  const query = out.indexOf("?");
  if (query < 0) return out;
  const params = out
    .slice(query + 1)
    .split("&")
    .map((param) => {
      const eq = param.indexOf("=");
      if (eq < 0) return param;
      return SENSITIVE_QUERY_PARAM.test(param.slice(0, eq)) ? `${param.slice(0, eq)}=***` : param;
    });
  return `${out.slice(0, query + 1)}${params.join("&")}`;
}
