import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { runCli } from "./main.ts";

let dir: string;

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    env: { USER: "tester" },
    cwd: dir,
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "crossdock-cli-identities-"));
  await writeFile(join(dir, "crossdock.yaml"), "version: 1\nstore:\n  url: sqlite:hub.db\n");
});
after(() => rm(dir, { recursive: true, force: true }));

test("bootstrap: create prints the key once; ls, show, rotate, revoke, update, delete; all audited", async () => {
  const created = await cli(
    "identities",
    "create",
    "--name",
    "ops",
    "--scopes",
    "admin:identities,orders:read",
  );
  assert.equal(created.code, 0, created.err);
  const key = /cdk_[0-9a-z]{16}_[A-Za-z0-9_-]{43}/.exec(created.out)?.[0];
  assert.ok(key, created.out);
  const id = String(/identity\s+(idn_\w+)/.exec(created.out)?.[1]);
  const keyId = key.slice(4, 20);

  const ls = await cli("identities", "ls");
  assert.match(ls.out, new RegExp(`${id}\\s+ops\\s+admin:identities,orders:read\\s+600\\s+1/1\\s+enabled`));
  const show = await cli("identities", "show", id);
  assert.match(show.out, new RegExp(`${keyId}\\s+active`));
  assert.ok(!show.out.includes(key.slice(21)), "show never prints the secret");

  const rotated = await cli("identities", "rotate", id, "--window", "0s");
  assert.equal(rotated.code, 0, rotated.err);
  const newKey = String(/cdk_[0-9a-z]{16}_[A-Za-z0-9_-]{43}/.exec(rotated.out)?.[0]);
  assert.notEqual(newKey, key);
  assert.match(rotated.out, new RegExp(`${keyId}\\s+expired`));
  const revoked = await cli("identities", "revoke", id, newKey.slice(4, 20));
  assert.match(revoked.out, /revoked/);
  const updated = await cli(
    "--json",
    "identities",
    "update",
    id,
    "--scopes",
    "stock:read",
    "--rate-limit",
    "60",
    "--disable",
  );
  const view = JSON.parse(updated.out);
  assert.deepEqual([view.scopes, view.rateLimitPerMinute, view.disabled], [["stock:read"], 60, true]);

  const refused = await cli("identities", "delete", id);
  assert.equal(refused.code, 2);
  assert.match(refused.err, /--yes/);
  assert.equal((await cli("identities", "delete", id, "--yes")).code, 0);
  assert.equal((await cli("identities", "show", id)).code, 1);

  const audit = await cli("--json", "audit", "ls", "--actor", "cli:tester", "--since", "1h");
  const actions = JSON.parse(audit.out).map((e: { action: string }) => e.action);
  assert.deepEqual(actions, [
    "identity.create",
    "identity.rotate-key",
    "identity.revoke-key",
    "identity.update",
    "identity.delete",
  ]);
  assert.ok(!audit.out.includes(key.slice(21)));
  const table = await cli("audit", "ls", "--limit", "2");
  assert.match(table.out, /identity\.delete/);
  assert.ok(!table.out.includes("identity.create"), "the latest --limit entries");
});

test("bad input: unknown scopes, bad numbers and times are refused with clear errors", async () => {
  const unknown = await cli("identities", "create", "--name", "x", "--scopes", "orders:write,root");
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /CDK_API_INVALID_REQUEST.*unknown scope "root"/);
  const huge = await cli("identities", "create", "--name", "x".repeat(5_000), "--scopes", "");
  assert.equal(huge.code, 1);
  assert.match(huge.err, /at most 100 characters/);
  for (const argv of [
    ["identities", "create", "--name", "x", "--scopes", "stock:read", "--rate-limit", "-1"],
    ["identities", "create", "--name", "x", "--scopes", "stock:read", "--expires", "someday"],
    ["identities", "rotate", "idn_x", "--window", "forever"],
    ["identities", "ls", "--limit", "0"],
    ["audit", "ls", "--since", "yesterday-ish"],
    ["identities", "update", "idn_x"],
  ]) {
    const result = await cli(...argv);
    assert.equal(result.code, 2, `${argv.join(" ")}: ${result.err}`);
    assert.match(result.err, /CDK_CLI_USAGE/);
  }
  const missing = await cli("identities", "show", "idn_nope");
  assert.equal(missing.code, 1);
  assert.match(missing.err, /CDK_IDENTITY_NOT_FOUND/);
});
