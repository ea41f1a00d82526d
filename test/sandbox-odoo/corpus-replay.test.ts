import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { type SandboxOdoo, startSandboxOdoo } from "../../sandbox/odoo/sandbox-odoo.ts";
import { parseMethodResponse } from "../../sandbox/odoo/xmlrpc-codec.ts";
import { post } from "./rpc-client.ts";

const RPC_DIR = fileURLToPath(new URL("../../../shared/corpus/odoo-rpc/", import.meta.url));
const DOC_DIR = fileURLToPath(new URL("../../../shared/corpus/odoo/", import.meta.url));
const USERS = [
  { login: "admin", password: "admin", apiKey: "sandbox-admin-key", uid: 2, groups: "admin" as const },
  { login: "demo", password: "demo", uid: 6, groups: "readonly" as const },
];
/** Recordings whose error message and arguments must be equal, character for character. */
const EXACT_MESSAGES = new Set(["04", "05", "06", "07", "09", "11", "12", "15", "16", "19", "08"]);
/** Recordings with host-specific text: name plus a stable substring. */
const STABLE_SUBSTRING: Record<string, string> = {
  "14": 'database "no_such_db" does not exist',
  "17": "could not serialize access due to concurrent update",
};

const family = (ct: string) => ct.split(";")[0]?.trim();

async function withSandbox<T>(databases: string[], fn: (odoo: SandboxOdoo) => Promise<T>): Promise<T> {
  const odoo = await startSandboxOdoo({ databases, users: USERS });
  try {
    return await fn(odoo);
  } finally {
    await odoo.close();
  }
}

/** Cookie value from a Set-Cookie header. */
const sessionCookie = (setCookie: string | null) => /session_id=([0-9a-f]+)/.exec(setCookie ?? "")?.[0] ?? "";

describe("corpus replay: JSON-RPC recordings of a real Odoo 17", {
  skip: existsSync(RPC_DIR) ? false : "shared/corpus/odoo-rpc is absent",
}, () => {
  const files = existsSync(RPC_DIR)
    ? readdirSync(RPC_DIR)
        .filter((f) => f.endsWith(".json"))
        .sort()
    : [];
  for (const file of files) {
    const num = file.slice(0, 2);
    test(file, async () => {
      const recording = JSON.parse(readFileSync(`${RPC_DIR}${file}`, "utf8"));
      const { request, response } = recording;
      const path = new URL(request.url).pathname;
      const dbs = num === "20" ? ["odoo_lab", "other_db"] : ["odoo_lab"];
      await withSandbox(dbs, async (odoo) => {
        const headers: Record<string, string> = { ...request.headers };
        if (num === "17")
          odoo.faults.inject({ model: "res.partner", method: "write", kind: "serialization", delayMs: 5 });
        if (num === "21") {
          const login = await fetch(`${odoo.url}/web/login?db=odoo_lab`);
          await login.text();
          headers.Cookie = sessionCookie(login.headers.get("set-cookie"));
        }
        if (num === "23") {
          const auth = await post(
            `${odoo.url}/web/session/authenticate`,
            JSON.stringify({
              jsonrpc: "2.0",
              method: "call",
              id: 1,
              params: { db: "odoo_lab", login: "admin", password: "admin" },
            }),
          );
          headers.Cookie = sessionCookie(auth.headers.get("set-cookie"));
        }
        const body = typeof request.body === "string" ? request.body : JSON.stringify(request.body);
        const res = await post(`${odoo.url}${path}`, body, headers);
        const expectedType = response.content_type ?? response.headers?.["Content-Type"];
        assert.equal(res.status, response.status);
        assert.equal(family(res.contentType), family(expectedType));
        assert.equal(res.headers.get("connection"), "close");
        if (typeof response.body === "string") {
          assert.equal(res.text, response.body);
          return;
        }
        const expected = response.body;
        assert.deepEqual(Object.keys(res.json).sort(), Object.keys(expected).sort());
        assert.deepEqual(res.json.id, expected.id);
        if (expected.error) {
          const got = res.json.error;
          assert.equal(got.code, expected.error.code);
          assert.equal(got.message, expected.error.message);
          assert.equal(got.data.name, expected.error.data.name);
          assert.deepEqual(Object.keys(got.data).sort(), Object.keys(expected.error.data).sort());
          assert.match(got.data.debug, /^Traceback \(most recent call last\):\n/);
          assert.ok(got.data.debug.endsWith(`${got.data.message}\n`), "debug ends with the message");
          if (EXACT_MESSAGES.has(num) || num === "21") {
            assert.equal(got.data.message, expected.error.data.message);
            assert.deepEqual(got.data.arguments, expected.error.data.arguments);
          }
          const stable = STABLE_SUBSTRING[num];
          if (stable) {
            assert.ok(got.data.message.includes(stable), got.data.message);
            assert.ok(expected.error.data.message.includes(stable));
          }
          return;
        }
        if (!("result" in expected)) {
          assert.equal("result" in res.json, false, "a None result has no result key");
          return;
        }
        const want = expected.result;
        if (num === "22") {
          assert.match(res.headers.get("set-cookie") ?? "", /session_id=[0-9a-f]+; .*HttpOnly; Path=\//);
          for (const key of [
            "uid",
            "is_admin",
            "is_system",
            "db",
            "server_version_info",
            "user_context",
            "name",
            "username",
            "partner_id",
          ]) {
            assert.ok(key in res.json.result, key);
            assert.equal(typeof res.json.result[key], typeof want[key], key);
          }
          assert.equal(res.json.result.uid, 2);
          assert.equal(res.json.result.partner_display_name, want.partner_display_name);
          return;
        }
        assert.deepEqual(res.json.result, want);
      });
    });
  }
});

function splitXml(text: string): { url: string; request: string; response: string; status: number } {
  const url = /<!-- >>> POST (\S+)/.exec(text)?.[1] as string;
  const [req, resp] = text.split(/<!-- <<< /) as [string, string];
  const request = req.slice(req.indexOf("<?xml"));
  const status = Number(/HTTP (\d+)/.exec(resp)?.[1]);
  return { url, request, response: resp.slice(resp.indexOf("<?xml")), status };
}

describe("corpus replay: XML-RPC recordings", {
  skip: existsSync(RPC_DIR) ? false : "shared/corpus/odoo-rpc is absent",
}, () => {
  const files = existsSync(RPC_DIR)
    ? readdirSync(RPC_DIR)
        .filter((f) => f.endsWith(".xml"))
        .sort()
    : [];
  for (const file of files) {
    test(file, async () => {
      const { url, request, response, status } = splitXml(readFileSync(`${RPC_DIR}${file}`, "utf8"));
      await withSandbox(["odoo_lab"], async (odoo) => {
        if (file.startsWith("x07")) odoo.env("odoo_lab").write("sale.order", [25], { locked: true });
        const res = await post(`${odoo.url}${new URL(url).pathname}`, request, {
          "Content-Type": "text/xml",
        });
        assert.equal(res.status, status);
        assert.equal(family(res.contentType), "text/xml");
        const got = parseMethodResponse(res.text);
        const want = parseMethodResponse(response);
        if (want.fault) {
          assert.ok(got.fault, "expected a fault");
          assert.equal(got.fault.faultCode, want.fault.faultCode);
          if (file.startsWith("x07")) {
            assert.match(
              got.fault.faultString,
              /TypeError: cannot marshal None unless allow_none is enabled\n$/,
            );
            // The change was committed before the marshalling failed.
            assert.equal(odoo.env("odoo_lab").read("sale.order", [25], ["locked"])[0]?.locked, false);
          } else {
            assert.equal(got.fault.faultString, want.fault.faultString);
          }
        } else {
          assert.deepEqual(got.value, want.value);
        }
      });
    });
  }
});

describe("corpus replay: JSON-2 documentation examples on a version 19 sandbox", {
  skip: existsSync(DOC_DIR) ? false : "shared/corpus/odoo is absent",
}, () => {
  const KEY = "6578616d706c65206a736f6e20617069206b6579";
  const parseHttp = (name: string) => {
    const text = readFileSync(`${DOC_DIR}${name}`, "utf8");
    const [head, body = ""] =
      text.split(/\r?\n\r?\n/, 2).length === 2
        ? [text.slice(0, text.search(/\r?\n\r?\n/)), text.slice(text.search(/\r?\n\r?\n/)).trim()]
        : [text, ""];
    const lines = head.split(/\r?\n/);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const i = line.indexOf(":");
      if (i > 0) headers[line.slice(0, i)] = line.slice(i + 1).trim();
    }
    return { start: lines[0] as string, headers, body };
  };
  const start = () =>
    startSandboxOdoo({
      version: 19,
      databases: ["mycompany", "other"],
      users: [{ login: "admin", password: "admin", apiKey: KEY, uid: 2, groups: "admin" }],
    });

  test("search_read example: the trailing comma is refused with a clean 400, the corrected body answers like the example", async () => {
    const req = parseHttp("odoo-documentation__json2_search_read_request.http");
    const expected = parseHttp("odoo-documentation__json2_success_response.http");
    const odoo = await start();
    try {
      const path = req.start.split(" ")[1] as string;
      const headers = { ...req.headers };
      delete headers.Host;
      const bad = await post(`${odoo.url}${path}`, req.body, headers);
      assert.equal(bad.status, 400);
      assert.equal(family(bad.contentType), "application/json");
      assert.equal(bad.json.name, "werkzeug.exceptions.BadRequest");
      const fixed = req.body.replace(/,(\s*})\s*$/, "$1");
      const ok = await post(`${odoo.url}${path}`, fixed, headers);
      assert.equal(ok.status, 200);
      const want = JSON.parse(expected.body);
      assert.deepEqual(Object.keys(ok.json[0]).sort(), Object.keys(want[0]).sort());
      assert.equal(ok.json[0].name, want[0].name);
    } finally {
      await odoo.close();
    }
  });

  test("write example: `vals_list` is not a parameter of write, so the server answers 422 TypeError", async () => {
    const req = parseHttp("odoo-documentation__json2_write_request.http");
    const odoo = await start();
    try {
      const headers = { ...req.headers };
      delete headers.Host;
      const res = await post(`${odoo.url}${req.start.split(" ")[1]}`, req.body, headers);
      assert.equal(res.status, 422);
      assert.equal(res.json.name, "builtins.TypeError");
      assert.equal(res.json.message, "BaseModel.write() got an unexpected keyword argument 'vals_list'");
      const right = await post(
        `${odoo.url}/json/2/res.partner/write`,
        JSON.stringify({ ids: [10], vals: { name: "Deco Classic" } }),
        headers,
      );
      assert.equal(right.status, 200);
      assert.equal(right.json, true);
    } finally {
      await odoo.close();
    }
  });

  test("401 example: a wrong key answers 401 with the bare string body", async () => {
    const expected = parseHttp("odoo-documentation__json2_error_401_response.http");
    const odoo = await start();
    try {
      const res = await post(`${odoo.url}/json/2/res.partner/search_read`, "{}", {
        Authorization: "Bearer wrong",
        "X-Odoo-Database": "mycompany",
      });
      assert.equal(res.status, 401);
      assert.equal(family(res.contentType), family(expected.headers["Content-Type"] as string));
      assert.deepEqual(res.json, JSON.parse(expected.body));
    } finally {
      await odoo.close();
    }
  });
});
