import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, test } from "node:test";
import { promisify } from "node:util";
import type { CrossdockError } from "../../core/errors.ts";
import { startSandboxSshd } from "./sandbox-sshd.ts";
import { sftpFailureReason } from "./sftp-errors.ts";
import { freshFolder, sandboxClient } from "./sftp-test-fixture.ts";

const sshd = await startSandboxSshd();
after(() => sshd.close());

async function rejectsWith(promise: Promise<unknown>, code: string, reason: string): Promise<CrossdockError> {
  let caught: unknown;
  await assert.rejects(promise, (error) => {
    caught = error;
    return true;
  });
  const error = caught as CrossdockError;
  assert.equal(error.code, code, error.message);
  assert.equal(sftpFailureReason(error), reason, error.message);
  return error;
}

test("list, stat, read, write, rename, posix-rename, mkdir and delete on a real OpenSSH server", async (t) => {
  const client = sandboxClient(t, sshd);
  const { inbound, local } = await freshFolder(sshd, "ops");
  await client.write(`${inbound}/a.txt`, Buffer.from("hello"));
  assert.deepEqual(
    (await client.list(inbound)).map((e) => [e.name, e.kind, e.size]),
    [["a.txt", "file", 5]],
  );
  assert.equal((await client.stat(`${inbound}/a.txt`))?.size, 5);
  assert.equal(await client.stat(`${inbound}/missing`), undefined);
  assert.deepEqual(await client.read(`${inbound}/a.txt`, { maxBytes: 5 }), {
    ok: true,
    bytes: Buffer.from("hello"),
  });
  assert.deepEqual(await client.read(`${inbound}/a.txt`, { maxBytes: 4 }), {
    ok: false,
    reason: "too-large",
    bytesRead: 5,
  });
  await client.mkdir(`${inbound}/x/y`);
  await client.mkdir(`${inbound}/x/y`);
  await client.write(`${inbound}/b.txt`, Buffer.from("b"));
  await rejectsWith(client.rename(`${inbound}/b.txt`, `${inbound}/a.txt`), "CDK_SFTP_UNAVAILABLE", "failure");
  assert.equal(
    await readFile(join(local.inbound, "a.txt"), "utf8"),
    "hello",
    "plain rename never overwrites",
  );
  await client.posixRename(`${inbound}/b.txt`, `${inbound}/a.txt`);
  assert.equal(await readFile(join(local.inbound, "a.txt"), "utf8"), "b", "posix-rename replaces");
  await client.delete(`${inbound}/a.txt`);
  await rejectsWith(client.read(`${inbound}/a.txt`, { maxBytes: 9 }), "CDK_SFTP_UNAVAILABLE", "not-found");
  assert.deepEqual(
    (await client.list(inbound)).map((e) => [e.name, e.kind]),
    [["x", "directory"]],
  );
});

test("a key the server does not know: CDK_SFTP_AUTH (config, not retried)", async (t) => {
  const other = join(sshd.dir, "other_key");
  await promisify(execFile)("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", other]);
  const client = sandboxClient(t, sshd, { privateKey: await readFile(other) });
  const error = await rejectsWith(client.list("inbound"), "CDK_SFTP_AUTH", "auth");
  assert.equal(error.failureClass, "config");
  assert.equal(error.retryable, false);
});

test("a server whose host key does not match the pinned fingerprint: CDK_SFTP_AUTH naming both", async (t) => {
  const pinned = `SHA256:${"A".repeat(43)}`;
  const client = sandboxClient(t, sshd, { hostKeyFingerprint: pinned });
  const error = await rejectsWith(client.list("inbound"), "CDK_SFTP_AUTH", "host-key");
  assert.equal(error.details?.expected, pinned);
  assert.equal(error.details?.actual, sshd.connection.hostKeyFingerprint);
});

test("no pinned fingerprint is refused up front unless acceptAnyHostKey is set", async (t) => {
  assert.throws(
    () => sandboxClient(t, sshd, { hostKeyFingerprint: undefined }),
    (error: CrossdockError) => error.code === "CDK_SFTP_AUTH",
  );
  const client = sandboxClient(t, sshd, { hostKeyFingerprint: undefined, acceptAnyHostKey: true });
  assert.ok(Array.isArray(await client.list("inbound")));
});

test("server stopped: CDK_SFTP_UNAVAILABLE; after a restart the same client reconnects", async (t) => {
  const client = sandboxClient(t, sshd);
  await client.list("inbound");
  await sshd.stop();
  try {
    const error = await rejectsWith(client.list("inbound"), "CDK_SFTP_UNAVAILABLE", "connection");
    assert.equal(error.retryable, true);
  } finally {
    await sshd.start();
  }
  assert.ok(Array.isArray(await client.list("inbound")));
});

test("a hung server: the connect times out with CDK_SFTP_UNAVAILABLE", async (t) => {
  const client = sandboxClient(t, sshd, { connectTimeoutMs: 300 });
  await sshd.pause();
  try {
    const started = Date.now();
    await rejectsWith(client.list("inbound"), "CDK_SFTP_UNAVAILABLE", "connection");
    assert.ok(Date.now() - started < 5_000);
  } finally {
    await sshd.resume();
  }
  await writeFile(join(sshd.home, "inbound", "after-hang"), "x");
  assert.ok((await client.list("inbound")).some((e) => e.name === "after-hang"));
});

test("a server that hangs mid-session: the call times out, the session is dropped, the next call reconnects", async (t) => {
  const client = sandboxClient(t, sshd, { operationTimeoutMs: 300 });
  await client.list("inbound");
  await sshd.pause();
  try {
    const error = await rejectsWith(client.list("inbound"), "CDK_SFTP_UNAVAILABLE", "timeout");
    assert.match(error.message, /within 300 ms/);
  } finally {
    await sshd.resume();
  }
  assert.ok(Array.isArray(await client.list("inbound")));
});
