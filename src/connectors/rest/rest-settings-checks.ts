/**
 * Checks of the nested parts of a `rest` connection (auth, pagination, one endpoint), each returning
 * located problems. `rest-connection.ts` runs them; they are apart so that file stays readable.
 */
import { isSecret } from "../../security/secret-ref.ts";
import { isJsonPointer } from "./json-pointer.ts";

/** A problem with one field of the connection; `path` locates it inside a nested map. */
export interface RestConnectionProblem {
  field: string;
  path?: readonly (string | number)[];
  message: string;
}

type Add = (message: string, path: (string | number)[]) => void;

export const REST_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export const AUTH_KINDS = ["api-key", "basic", "oauth2-client-credentials"] as const;
export const PAGINATION_KINDS = ["cursor", "page", "link-header", "offset", "none"] as const;

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
const PARAM = /^[A-Za-z0-9_.\-[\]]{1,64}$/;
/** A path with `{name}` placeholders; no query or fragment (those come from params and pagination). */
const PATH_TEMPLATE = /^(\/([A-Za-z0-9\-._~!$&'()*+,;=:@%]|\{[A-Za-z_][A-Za-z0-9_]*\})*)+$/;
const RESERVED_HEADERS = new Set(["host", "content-length", "transfer-encoding", "connection"]);

export const isText = (value: unknown): value is string => typeof value === "string" && value.trim() !== "";
export const isInt = (value: unknown, min: number, max: number): value is number =>
  typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
export const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !isSecret(value);

/**
 * Why a URL is not acceptable for a connection, or undefined. HTTPS always; plain HTTP only on a
 * loopback host (the sandbox) or with `allowInsecure`; never credentials, a query or a fragment.
 */
export function urlProblem(value: unknown, allowInsecure: boolean): string | undefined {
  if (!isText(value)) return "required, an https:// URL";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "must be an absolute URL such as https://api.example.com/v1";
  }
  if (url.username || url.password) return "must not carry credentials (use auth)";
  if (url.search || url.hash) return "must not carry a query or fragment";
  if (url.protocol === "https:") return undefined;
  if (url.protocol !== "http:") return "must be an https:// URL";
  const loopback = ["localhost", "[::1]"].includes(url.hostname) || /^127\./.test(url.hostname);
  if (loopback || allowInsecure) return undefined;
  return "must be https:// (http:// only on a loopback host or with allowInsecureHttp: true)";
}

/** Problems of `auth`. */
export function checkAuth(auth: unknown, allowInsecure: boolean, add: Add): void {
  if (!isMap(auth)) {
    add(`required, a map with kind: ${AUTH_KINDS.join(" | ")}`, ["auth"]);
    return;
  }
  const secret = (key: string) => {
    if (!isSecret(auth[key])) add("required, a secret reference (env:NAME or file:/path)", ["auth", key]);
  };
  const text = (key: string, what: string) => {
    if (!isText(auth[key])) add(`required, ${what}`, ["auth", key]);
  };
  const known = (keys: string[]) => {
    for (const key of Object.keys(auth))
      if (!["kind", ...keys].includes(key)) add(`unknown key (expected ${keys.join(", ")})`, ["auth", key]);
  };
  switch (auth.kind) {
    case "api-key":
      known(["header", "value", "prefix"]);
      if (!(typeof auth.header === "string" && TOKEN.test(auth.header)))
        add("required, the header name such as X-Api-Key", ["auth", "header"]);
      else if (RESERVED_HEADERS.has(auth.header.toLowerCase()))
        add("cannot be a connection-level header", ["auth", "header"]);
      secret("value");
      if (auth.prefix !== undefined && !isText(auth.prefix))
        add("must be text put before the key, such as Bearer", ["auth", "prefix"]);
      return;
    case "basic":
      known(["username", "password"]);
      text("username", "the user name");
      if (typeof auth.username === "string" && auth.username.includes(":"))
        add("must not contain ':' (HTTP Basic cannot carry it)", ["auth", "username"]);
      secret("password");
      return;
    case "oauth2-client-credentials": {
      known(["tokenUrl", "clientId", "clientSecret", "scope", "clientAuth"]);
      const problem = urlProblem(auth.tokenUrl, allowInsecure);
      if (problem) add(problem, ["auth", "tokenUrl"]);
      text("clientId", "the OAuth2 client id");
      secret("clientSecret");
      if (auth.scope !== undefined && !isText(auth.scope))
        add("must be the space-separated scopes to ask for", ["auth", "scope"]);
      if (auth.clientAuth !== undefined && auth.clientAuth !== "basic" && auth.clientAuth !== "body")
        add("must be basic (client_secret_basic) or body (client_secret_post)", ["auth", "clientAuth"]);
      return;
    }
    default:
      add(`must be one of ${AUTH_KINDS.join(", ")}`, ["auth", "kind"]);
  }
}

/** Problems of a `pagination` map found at `at` (top level or inside an endpoint). */
export function checkPagination(value: unknown, at: (string | number)[], add: Add): void {
  if (!isMap(value)) {
    add(`must be a map with kind: ${PAGINATION_KINDS.join(" | ")}`, at);
    return;
  }
  const param = (key: string, required: boolean) => {
    if (value[key] === undefined && !required) return;
    if (!(typeof value[key] === "string" && PARAM.test(value[key])))
      add(`${required ? "required, " : "must be "}a query parameter name`, [...at, key]);
  };
  const size = (key: string, required: boolean) => {
    if (value[key] === undefined && !required) return;
    if (!isInt(value[key], 1, 10_000)) add("must be a whole number 1-10000", [...at, key]);
  };
  const allowed: Record<string, string[]> = {
    cursor: ["cursorParam", "nextCursorPointer", "sizeParam", "size"],
    page: ["pageParam", "sizeParam", "size", "firstPage"],
    "link-header": ["sizeParam", "size"],
    offset: ["offsetParam", "limitParam", "limit"],
    none: [],
  };
  const keys = allowed[String(value.kind)];
  if (!keys) {
    add(`must be one of ${PAGINATION_KINDS.join(", ")}`, [...at, "kind"]);
    return;
  }
  for (const key of Object.keys(value))
    if (key !== "kind" && !keys.includes(key)) add(`unknown key for kind ${value.kind}`, [...at, key]);
  if (value.kind === "cursor") {
    param("cursorParam", true);
    if (!isJsonPointer(value.nextCursorPointer))
      add("required, a JSON pointer to the next cursor in the answer, such as /meta/next_cursor", [
        ...at,
        "nextCursorPointer",
      ]);
  }
  if (value.kind === "page") {
    param("pageParam", true);
    if (value.firstPage !== undefined && !isInt(value.firstPage, 0, 1))
      add("must be 0 or 1", [...at, "firstPage"]);
  }
  if (value.kind === "offset") {
    param("offsetParam", true);
    param("limitParam", true);
    size("limit", true);
  }
  const sized = value.kind === "page";
  if (value.kind !== "offset" && value.kind !== "none") {
    param("sizeParam", sized);
    size("size", sized);
    if ((value.sizeParam === undefined) !== (value.size === undefined))
      add("sizeParam and size go together", [...at, value.size === undefined ? "size" : "sizeParam"]);
  }
}

/** Problems of one endpoint `endpoints.<name>`. */
export function checkEndpoint(name: string, value: unknown, add: Add): void {
  const at = ["endpoints", name];
  if (!isMap(value)) {
    add("must be a map with method and path", at);
    return;
  }
  const known = ["method", "path", "itemsPointer", "sinceParam", "pagination", "query"];
  const pointers = ["idPointer", "updatedAtPointer"];
  for (const key of Object.keys(value))
    if (!known.includes(key) && !pointers.includes(key)) add("unknown key", [...at, key]);
  const methods: readonly string[] =
    name === "orders" ? ["GET"] : name === "updateStock" ? ["PUT", "POST", "PATCH"] : REST_METHODS;
  if (!methods.includes(value.method as string))
    add(`required, one of ${methods.join(", ")}`, [...at, "method"]);
  if (!(typeof value.path === "string" && PATH_TEMPLATE.test(value.path)))
    add("required, a path such as /orders or /inventory/{sku} (no query)", [...at, "path"]);
  for (const key of ["itemsPointer", ...pointers]) {
    if (value[key] !== undefined && !isJsonPointer(value[key]))
      add("must be a JSON pointer such as /data ('' for the whole answer)", [...at, key]);
  }
  if (
    value.sinceParam !== undefined &&
    !(typeof value.sinceParam === "string" && PARAM.test(value.sinceParam))
  )
    add("must be a query parameter name such as updated_since", [...at, "sinceParam"]);
  if (value.pagination !== undefined) checkPagination(value.pagination, [...at, "pagination"], add);
  if (value.query !== undefined) {
    const query = value.query;
    if (!isMap(query)) add("must be a map of query parameters", [...at, "query"]);
    else
      for (const [key, v] of Object.entries(query))
        if (!PARAM.test(key) || !["string", "number", "boolean"].includes(typeof v))
          add("must be a query parameter with a text or number value", [...at, "query", key]);
  }
}
