/**
 * An EDI trading partner over SFTP in a running hub, against a real OpenSSH server: the partner drops an
 * 850 in its outbox folder; the hub's poller takes it into the inbox and archives it in done/, and the
 * worker turns it into `order.received` in the partner's channel. A file with a wrong segment count
 * becomes an exception with its location, and nothing of it an event. A bad SFTP setting is refused
 * with its location when the configuration loads.
 */
import assert from "node:assert/strict";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { buildApp } from "../../src/app/build-app.ts";
import { loadConfig } from "../../src/app/load-config.ts";
import { startSandboxSshd } from "../../src/connectors/sftp/sandbox-sshd.ts";
import type { CrossdockError } from "../../src/core/errors.ts";
import { createSilentLogger } from "../../src/observability/logger.ts";
import { INBOX_TARGET } from "../../src/store/store.ts";
import { until } from "../support/until.ts";

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../src/connectors/edi-x12/fixtures/${name}`, import.meta.url));

test("an 850 dropped on the partner's SFTP server becomes order.received; a bad one an exception", async (t) => {
  const sshd = await startSandboxSshd();
  const dir = await mkdtemp(join(tmpdir(), "crossdock-sftp-hub-"));
  t.after(async () => {
    await sshd.close();
    await rm(dir, { recursive: true, force: true });
  });
  const { connection } = sshd;
  await writeFile(join(dir, "partner-key"), connection.privateKey, { mode: 0o600 });
  await mkdir(join(sshd.home, "outbox"), { recursive: true });
  const file = join(dir, "crossdock.yaml");
  await writeFile(
    file,
    `version: 1
store: { url: "sqlite:hub.db" }
server: { port: 0 }
workers: { pollIntervalMs: 10 }
connections:
  acme:
    type: sftp
    host: ${connection.host}
    port: ${connection.port}
    username: ${connection.username}
    privateKey: file:${join(dir, "partner-key")}
    hostKeyFingerprint: "${connection.hostKeyFingerprint}"
    inbound: { folder: outbox, pollIntervalMs: 100, settleMs: 0 }
    format: x12
`,
  );
  const app = await buildApp({
    config: await loadConfig({ path: file, env: {} }),
    logger: createSilentLogger(),
  });
  await app.start();
  try {
    await copyFile(fixture("850-two-lines.x12"), join(sshd.home, "outbox", "po-1.x12"));
    const good = await readFile(fixture("850-two-lines.x12"), "latin1");
    await writeFile(
      join(sshd.home, "outbox", "po-2.x12"),
      good.replace(/SE\*(\d+)\*/, (_m, n: string) => `SE*${Number(n) + 3}*`),
    );
    await until("both files archived", async () => {
      const done = await readdir(join(sshd.home, "outbox", "done")).catch(() => [] as string[]);
      return done.length === 2;
    });
    const messages = await app.store.inbox.list({ connection: "acme" });
    assert.equal(messages.length, 2);
    await until("the good file's order.received", async () => {
      const status = await app.store.status();
      return status.openExceptions === 1 && status.queue.every((q) => q.ready + q.running === 0);
    });
    const sub = "test.sftp";
    await app.store.events.subscribe(sub, { types: ["order.received"], from: "beginning" });
    const events = await app.store.events.poll(sub, 10);
    assert.equal(events.length, 1);
    assert.match(events[0]?.stream ?? "", /^order:acme:/);
    assert.equal((events[0]?.data as { receivedVia?: string } | undefined)?.receivedVia, "acme");
    const [exception] = await app.store.exceptions.list({ status: "open", target: INBOX_TARGET });
    assert.equal(exception?.error.code, "CDK_EDI_CONTROL");
    assert.match(exception?.error.message ?? "", /acme\/po-2\.x12/);
    assert.deepEqual(await readdir(join(sshd.home, "outbox")), ["done"], "nothing left behind");
  } finally {
    await app.stop();
  }
});

test("SFTP settings are checked when the configuration loads, each problem located", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "crossdock-sftp-config-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, "crossdock.yaml");
  await writeFile(
    file,
    `version: 1
connections:
  acme:
    type: sftp
    host: sftp.acme.example
    username: crossdock
    privateKey: "literal-key-text"
    hostKeyFingerprint: "MD5:aa:bb"
    inbound: { folder: out, pollIntervalMs: 5 }
    format: x13
`,
  );
  await assert.rejects(loadConfig({ path: file, env: {} }), (error: CrossdockError) => {
    assert.equal(error.code, "CDK_CONFIG_INVALID");
    assert.match(
      error.message,
      /crossdock\.yaml:8:\d+ connections\.acme\.hostKeyFingerprint: must be "SHA256:<base64>"/,
    );
    assert.match(
      error.message,
      /connections\.acme\.inbound\.pollIntervalMs: must be a whole number 100-86400000/,
    );
    assert.match(error.message, /connections\.acme\.format: must be one of x12, edifact/);
    assert.match(
      error.message,
      /crossdock\.yaml:7:\d+ connections\.acme\.privateKey: must be a secret reference/,
    );
    return true;
  });
});
