import assert from "node:assert/strict";
import { test } from "node:test";
import type { CrossdockError } from "../../core/errors.ts";
import { isJsonPointer, pointerText, resolvePointer } from "./json-pointer.ts";
import { nextLink, parseLinkHeader } from "./link-header.ts";
import { firstPageUrl, nextPage } from "./rest-pagination.ts";
import { parseJsonAnswer } from "./rest-response.ts";
import { expandPath } from "./rest-url.ts";

test("JSON pointers: escapes, arrays, and where a walk stopped", () => {
  const doc = { meta: { "next/cursor": "c2", "a~b": 1 }, data: [{ id: 7 }], nil: null };
  assert.equal(pointerText(doc, "/meta/next~1cursor"), "c2");
  assert.deepEqual(resolvePointer(doc, "/meta/a~0b"), { found: true, value: 1 });
  assert.deepEqual(resolvePointer(doc, "/data/0/id"), { found: true, value: 7 });
  assert.deepEqual(resolvePointer(doc, "/data/1/id"), { found: false, missingAt: "/data/1" });
  assert.deepEqual(resolvePointer(doc, "/data/01"), { found: false, missingAt: "/data/01" });
  assert.deepEqual(resolvePointer(doc, "/meta/x/y"), { found: false, missingAt: "/meta/x" });
  assert.deepEqual(resolvePointer(doc, ""), { found: true, value: doc });
  assert.equal(pointerText(doc, "/nil"), undefined);
  assert.ok(isJsonPointer("/a~1b") && isJsonPointer(""));
  assert.ok(!isJsonPointer("a/b") && !isJsonPointer("/a~2") && !isJsonPointer(3));
});

test("Link headers: several links and rels, quoted or not, relative targets resolved", () => {
  const value =
    '<https://x.example/items?page=3>; rel="next last", <https://x.example/items?page=1>; rel=prev; title="a, b"';
  assert.deepEqual(parseLinkHeader(value), [
    { target: "https://x.example/items?page=3", rels: ["next", "last"] },
    { target: "https://x.example/items?page=1", rels: ["prev"] },
  ]);
  assert.equal(
    nextLink(['</items?page=2>; rel="first"', '</items?page=4>; REL="Next"'], "https://x.example/a/b")?.href,
    "https://x.example/items?page=4",
  );
  assert.equal(nextLink('<https://x.example/1>; rel="prev"', "https://x.example/"), undefined);
  assert.equal(nextLink(undefined, "https://x.example/"), undefined);
});

test("each pagination kind finds its next page or the end of the list", () => {
  const url = new URL("https://x.example/v1/orders?status=open");
  const answer = (body: unknown, itemCount: number, at = url, headers = {}) => ({
    url: at,
    body,
    headers,
    itemCount,
  });
  const cursor = { kind: "cursor", cursorParam: "cursor", nextCursorPointer: "/meta/next" } as const;
  assert.equal(
    nextPage(cursor, answer({ meta: { next: "abc" } }, 20))?.url.href,
    "https://x.example/v1/orders?status=open&cursor=abc",
  );
  assert.equal(nextPage(cursor, answer({ meta: { next: null } }, 20)), undefined);
  assert.equal(nextPage(cursor, answer({ meta: { next: "" } }, 20)), undefined);
  const page = { kind: "page", pageParam: "page", sizeParam: "per_page", size: 10, firstPage: 1 } as const;
  const first = firstPageUrl(page, url);
  assert.equal(first.href, "https://x.example/v1/orders?status=open&page=1&per_page=10");
  assert.equal(nextPage(page, answer({}, 10, first))?.url.searchParams.get("page"), "2");
  assert.equal(nextPage(page, answer({}, 9, first)), undefined);
  const offset = { kind: "offset", offsetParam: "offset", limitParam: "limit", limit: 5 } as const;
  const at = firstPageUrl(offset, url);
  assert.equal(nextPage(offset, answer({}, 5, at))?.url.searchParams.get("offset"), "5");
  assert.equal(nextPage(offset, answer({}, 0, at)), undefined);
  const link = { kind: "link-header" } as const;
  const linked = nextPage(link, answer({}, 3, url, { link: '</v1/orders?page=2>; rel="next"' }));
  assert.equal(linked?.url.href, "https://x.example/v1/orders?page=2");
  assert.equal(nextPage({ kind: "none" }, answer({}, 100)), undefined);
});

test("a next link to another origin is refused: credentials stay with the configured host", () => {
  const url = new URL("https://x.example/v1/offers");
  assert.throws(
    () =>
      nextPage(
        { kind: "link-header" },
        { url, body: {}, itemCount: 1, headers: { link: '<https://evil.example/steal>; rel="next"' } },
      ),
    (e: CrossdockError) =>
      e.code === "CDK_TARGET_REJECTED" && e.failureClass === "config" && /evil\.example/.test(e.message),
  );
});

test("JSON answers: integers above 2^53 stay exact; syntax errors say where", () => {
  const context = { connection: "market", method: "GET", url: "https://x.example/v1/orders" };
  const value = parseJsonAnswer('{"id": 12345678901234567890, "n": 1.5}', context) as Record<string, unknown>;
  assert.equal(JSON.stringify(value), '{"id":12345678901234567890,"n":1.5}');
  assert.equal(pointerText(value, "/id"), "12345678901234567890");
  assert.equal(parseJsonAnswer("  ", context), undefined);
  assert.throws(
    () => parseJsonAnswer('{"data": [\n  {"id": 1},\n  {"id": oops}\n]}', context),
    (e: CrossdockError) => {
      assert.equal(e.code, "CDK_TARGET_UNAVAILABLE");
      assert.deepEqual([e.details?.line, e.details?.column], [3, 10]);
      assert.match(String(e.details?.near), /oops/);
      return true;
    },
  );
});

test("path templates fill placeholders as single encoded segments and refuse missing ones", () => {
  assert.equal(expandPath("/inventory/{sku}", { sku: "A/B 1" }, "updateStock"), "/inventory/A%2FB%201");
  assert.throws(
    () => expandPath("/orders/{id}/shipments", {}, "shipment"),
    (e: CrossdockError) => e.code === "CDK_JOB_PAYLOAD_INVALID",
  );
});

test("the place of a JSON syntax error is found whether or not V8 states it", () => {
  const context = { connection: "market", method: "GET", url: "https://x.example/" };
  const place = (text: string) => {
    try {
      parseJsonAnswer(text, context);
    } catch (e) {
      const d = (e as CrossdockError).details ?? {};
      return [d.position, d.line, d.column];
    }
    return undefined;
  };
  assert.deepEqual(place('{"a": "x", "b": x}'), [16, 1, 17]);
  assert.deepEqual(place("[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16, x, 17,18,19,20,21,22,23]"), [41, 1, 42]);
  assert.deepEqual(place('{"a": 1,\n}'), [9, 2, 1]);
  assert.deepEqual(place('{"a": [1, 2'), [11, 1, 12]);
});
