import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Command } from "commander";
import type { CrossdockError } from "../core/errors.ts";
import type { GlobalOptions } from "./cli-io.ts";
import { registerWebhooksCommand } from "./webhooks-command.ts";

let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "crossdock-cli-webhooks-"));
  await writeFile(join(dir, "crossdock.yaml"), "version: 1\nstore:\n  url: sqlite:hub.db\n");
});
after(() => rm(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ out: string; error?: CrossdockError }> {
  const out: string[] = [];
  const program = new Command("crossdock").option("--json").exitOverride();
  registerWebhooksCommand(program, { out: (t) => out.push(t), err: () => {}, env: {}, cwd: dir }, () =>
    program.opts<GlobalOptions>(),
  );
  try {
    await program.parseAsync(argv, { from: "user" });
    return { out: out.join("\n") };
  } catch (error) {
    return { out: out.join("\n"), error: error as CrossdockError };
  }
}

test("create prints the secret once; ls, show, update, rotate, disable, enable, deliveries, rm", async () => {
  const created = await cli(
    "--json",
    "webhooks",
    "create",
    "--name",
    "acme",
    "--url",
    "https://hooks.acme.example/x",
    "--events",
    "order.*,shipment.*",
    "--filter",
    '{"data.channel":"b2b"}',
  );
  assert.equal(created.error, undefined);
  const { subscription, secret } = JSON.parse(created.out);
  assert.match(secret, /^whsec_/);
  const ls = await cli("webhooks", "ls");
  assert.match(ls.out, new RegExp(`${subscription.id}\\s+acme`));
  assert.equal(ls.out.includes("whsec_"), false);
  const shown = await cli("webhooks", "show", subscription.id);
  assert.equal(shown.out.includes(secret), false);
  assert.match(
    (await cli("webhooks", "update", subscription.id, "--events", "*", "--filter", "null")).out,
    /updated/,
  );
  const rotated = await cli("webhooks", "rotate", subscription.id, "--window-hours", "1");
  assert.match(rotated.out, /new signing secret \(shown once\): whsec_/);
  assert.match((await cli("webhooks", "disable", subscription.id)).out, /disabled/);
  assert.match((await cli("webhooks", "ls")).out, /no \(manual\)/);
  assert.match((await cli("webhooks", "enable", subscription.id)).out, /enabled/);
  assert.match((await cli("webhooks", "deliveries", subscription.id)).out, /no deliveries/);
  assert.match((await cli("webhooks", "replay", subscription.id, "--failed")).out, /replayed 0, retried 0/);
  assert.match((await cli("webhooks", "rm", subscription.id)).out, /deleted/);
  assert.equal(
    (await cli("webhooks", "show", subscription.id)).error?.code,
    "CDK_WEBHOOK_SUBSCRIPTION_NOT_FOUND",
  );
});

test("bad input is a usage or validation error, and private URLs need --allow-private", async () => {
  const base = ["webhooks", "create", "--name", "x", "--events", "*"];
  assert.equal((await cli(...base, "--url", "http://10.0.0.1/")).error?.code, "CDK_API_INVALID_REQUEST");
  assert.equal((await cli(...base, "--url", "http://10.0.0.1/", "--allow-private")).error, undefined);
  assert.equal((await cli(...base, "--url", "gopher://x/")).error?.code, "CDK_API_INVALID_REQUEST");
  assert.equal(
    (await cli(...base, "--url", "https://a.example/", "--filter", "{nope")).error?.code,
    "CDK_CLI_USAGE",
  );
  assert.equal(
    (await cli(...base, "--url", "https://a.example/", "--disable-after-hours", "-1")).error?.code,
    "CDK_CLI_USAGE",
  );
  assert.equal((await cli("webhooks", "replay", "whs_1")).error?.code, "CDK_CLI_USAGE");
  assert.equal(
    (await cli("webhooks", "replay", "whs_1", "--since", "yesterday")).error?.code,
    "CDK_WEBHOOK_SUBSCRIPTION_NOT_FOUND",
  );
  assert.equal(
    (await cli("webhooks", "deliveries", "whs_1", "--limit", "9999")).error?.code,
    "CDK_CLI_USAGE",
  );
});
