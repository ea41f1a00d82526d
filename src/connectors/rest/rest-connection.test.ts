import assert from "node:assert/strict";
import { test } from "node:test";
import { Secret } from "../../security/secret-ref.ts";
import { checkRestConnection, parseRestConnection } from "./rest-connection.ts";

const secret = new Secret("s3cret", "env:MARKET_SECRET");
const valid = {
  type: "rest",
  baseUrl: "https://api.market.example/v1/",
  auth: {
    kind: "oauth2-client-credentials",
    tokenUrl: "https://api.market.example/oauth/token",
    clientId: "crossdock",
    clientSecret: secret,
    scope: "orders:read stock:write",
  },
  rateLimit: { requestsPerSecond: 2.5, burst: 5 },
  pagination: { kind: "cursor", cursorParam: "cursor", nextCursorPointer: "/meta/next_cursor" },
  endpoints: {
    orders: { method: "GET", path: "/orders", itemsPointer: "/data", sinceParam: "updated_since" },
    updateStock: { method: "PUT", path: "/inventory/{sku}" },
    shipment: { method: "POST", path: "/orders/{id}/shipments", query: { notify: true } },
    offers: {
      method: "GET",
      path: "/offers",
      pagination: { kind: "page", pageParam: "page", sizeParam: "per_page", size: 50 },
    },
  },
};

const fields = (settings: Record<string, unknown>) =>
  checkRestConnection(settings).map((p) => `${(p.path ?? [p.field]).join(".")}: ${p.message}`);

test("a complete connection passes and is parsed with its defaults", () => {
  assert.deepEqual(checkRestConnection(valid), []);
  const config = parseRestConnection(valid);
  assert.equal(config.baseUrl, "https://api.market.example/v1");
  assert.deepEqual(config.rateLimit, { requestsPerSecond: 2.5, burst: 5 });
  assert.equal(config.timeoutMs, 30_000);
  assert.equal(config.maxPages, 100);
  assert.equal(config.auth.kind === "oauth2-client-credentials" && config.auth.clientAuth, "basic");
  assert.deepEqual(config.endpoints.offers?.pagination, {
    kind: "page",
    pageParam: "page",
    sizeParam: "per_page",
    size: 50,
    firstPage: 1,
  });
  assert.deepEqual(config.endpoints.shipment?.query, { notify: "true" });
  assert.ok(Object.isFrozen(config));
  assert.equal(parseRestConnection({ ...valid, pagination: undefined }).pagination.kind, "none");
});

test("plain http only on a loopback host or with allowInsecureHttp", () => {
  const on = (baseUrl: string, extra = {}) => fields({ ...valid, baseUrl, ...extra });
  assert.deepEqual(on("http://127.0.0.1:8080/v1"), []);
  assert.deepEqual(on("http://localhost/v1"), []);
  assert.match(on("http://api.market.example")[0] ?? "", /^baseUrl: must be https:\/\//);
  assert.deepEqual(on("http://api.market.example", { allowInsecureHttp: true }), []);
  assert.match(on("https://user:pw@api.market.example")[0] ?? "", /credentials/);
  assert.match(on("https://api.market.example?x=1")[0] ?? "", /query/);
  assert.match(on("ftp://api.market.example")[0] ?? "", /https/);
  assert.match(on("not a url")[0] ?? "", /absolute URL/);
});

test("each auth kind is checked with located problems; credentials must be secret references", () => {
  const auth = (value: unknown) => fields({ ...valid, auth: value });
  assert.deepEqual(auth({ kind: "api-key", header: "X-Api-Key", value: secret }), []);
  assert.deepEqual(auth({ kind: "api-key", header: "Authorization", value: secret, prefix: "Token" }), []);
  assert.deepEqual(auth({ kind: "api-key", header: "X Api", value: "plain" }), [
    "auth.header: required, the header name such as X-Api-Key",
    "auth.value: required, a secret reference (env:NAME or file:/path)",
  ]);
  assert.deepEqual(auth({ kind: "basic", username: "a:b", password: secret }), [
    "auth.username: must not contain ':' (HTTP Basic cannot carry it)",
  ]);
  assert.deepEqual(
    auth({
      kind: "oauth2-client-credentials",
      tokenUrl: "http://idp.example/token",
      clientId: "",
      clientSecret: secret,
      clientAuth: "jwt",
    }),
    [
      "auth.tokenUrl: must be https:// (http:// only on a loopback host or with allowInsecureHttp: true)",
      "auth.clientId: required, the OAuth2 client id",
      "auth.clientAuth: must be basic (client_secret_basic) or body (client_secret_post)",
    ],
  );
  assert.deepEqual(auth({ kind: "bearer" }), [
    "auth.kind: must be one of api-key, basic, oauth2-client-credentials",
  ]);
  assert.match(auth(undefined)[0] ?? "", /^auth: required/);
  assert.deepEqual(auth({ kind: "basic", username: "u", password: secret, extra: 1 }), [
    "auth.extra: unknown key (expected username, password)",
  ]);
});

test("pagination kinds and their parameters are checked", () => {
  const pag = (value: unknown) => fields({ ...valid, pagination: value });
  assert.deepEqual(pag({ kind: "link-header" }), []);
  assert.deepEqual(pag({ kind: "offset", offsetParam: "offset", limitParam: "limit", limit: 100 }), []);
  assert.deepEqual(pag({ kind: "cursor", cursorParam: "cursor", nextCursorPointer: "meta.next" }), [
    "pagination.nextCursorPointer: required, a JSON pointer to the next cursor in the answer, such as /meta/next_cursor",
  ]);
  assert.deepEqual(pag({ kind: "page", pageParam: "page" }), [
    "pagination.sizeParam: required, a query parameter name",
    "pagination.size: must be a whole number 1-10000",
  ]);
  assert.deepEqual(pag({ kind: "link-header", size: 10 }), [
    "pagination.sizeParam: sizeParam and size go together",
  ]);
  assert.deepEqual(
    pag({ kind: "offset", offsetParam: "offset", limitParam: "limit", limit: 0, cursorParam: "c" }),
    [
      "pagination.cursorParam: unknown key for kind offset",
      "pagination.limit: must be a whole number 1-10000",
    ],
  );
  assert.deepEqual(pag({ kind: "scroll" }), [
    "pagination.kind: must be one of cursor, page, link-header, offset, none",
  ]);
});

test("endpoints: names, methods per purpose, path templates, pointers", () => {
  const eps = (endpoints: unknown) => fields({ ...valid, endpoints });
  assert.deepEqual(eps({}), [
    "endpoints: required, a map of named endpoints such as orders: { method: GET, path: /orders }",
  ]);
  assert.deepEqual(eps({ orders: { method: "POST", path: "/orders?x=1", itemsPointer: "data" } }), [
    "endpoints.orders.method: required, one of GET",
    "endpoints.orders.path: required, a path such as /orders or /inventory/{sku} (no query)",
    "endpoints.orders.itemsPointer: must be a JSON pointer such as /data ('' for the whole answer)",
  ]);
  assert.deepEqual(eps({ updateStock: { method: "GET", path: "/inventory/{sku-id}" } }), [
    "endpoints.updateStock.method: required, one of PUT, POST, PATCH",
    "endpoints.updateStock.path: required, a path such as /orders or /inventory/{sku} (no query)",
  ]);
  assert.deepEqual(
    eps({ returns: { method: "GET", path: "/returns", pagination: { kind: "page" }, since: "x" } }).length,
    4,
  );
});

test("unknown keys and out-of-range numbers are reported at their field", () => {
  assert.deepEqual(
    fields({
      ...valid,
      timeoutMs: 5,
      maxPages: 0,
      rateLimit: { requestsPerSecond: 0, burst: 1.5 },
      colour: "red",
    }),
    [
      "colour: unknown key (expected one of type, baseUrl, allowInsecureHttp, auth, rateLimit, timeoutMs, maxResponseBytes, maxPages, pagination, endpoints, pollIntervalMs, channel, mapping)",
      "rateLimit.requestsPerSecond: must be a number above 0, at most 10000",
      "rateLimit.burst: must be a whole number 1-10000",
      "timeoutMs: must be a whole number 100-600000",
      "maxPages: must be a whole number 1-100000",
    ],
  );
  const problem = checkRestConnection({ ...valid, rateLimit: { burst: 0 } })[0];
  assert.deepEqual(problem, {
    field: "rateLimit",
    path: ["rateLimit", "burst"],
    message: "must be a whole number 1-10000",
  });
});
