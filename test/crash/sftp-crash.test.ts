/**
 * SFTP intake under SIGKILL: a child process polls a folder on a real OpenSSH server into a SQLite
 * store while a partner (this process) uploads files by upload-then-rename, some with the same content
 * under different names. The child is killed with SIGKILL at random moments (mid-read, between the
 * inbox commit and the move to done/, mid-connect) and started again, several times. Afterwards every
 * distinct content is in the inbox exactly once, every uploaded file is in done/ exactly once, none is
 * left in the inbound folder or in error/, and the partner's `.part` files were never read.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { startSandboxSshd } from "../../src/connectors/sftp/sandbox-sshd.ts";
import { createSftpClient } from "../../src/connectors/sftp/sftp-client.ts";
import type { PollChildConfig } from "../../src/connectors/sftp/sftp-poll-child.ts";
import { createSftpPublisher } from "../../src/connectors/sftp/sftp-publisher.ts";
import { systemClock } from "../../src/core/clock.ts";
import { createIdGenerator } from "../../src/core/ids.ts";
import { createSqliteStore } from "../../src/store/sqlite/sqlite-store.ts";
import { until } from "../support/until.ts";

const FILES = 60;
const KILLS = 7;
const root = join(import.meta.dirname, "..", "..");
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

function startChild(config: PollChildConfig, lines: string[]): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(
    process.execPath,
    [join(root, "src/connectors/sftp/sftp-poll-child.ts"), JSON.stringify(config)],
    {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr = (stderr + String(chunk)).slice(-4_000);
  });
  const ready = new Promise<void>((resolve, reject) => {
    let buffered = "";
    child.stdout?.on("data", (chunk) => {
      buffered += String(chunk);
      const parts = buffered.split("\n");
      buffered = parts.pop() ?? "";
      for (const line of parts) {
        if (line === "ready") resolve();
        else lines.push(line);
      }
    });
    child.once("exit", (code, signal) => {
      if (signal === null) reject(new Error(`poll child exited ${code}: ${stderr}`));
    });
  });
  return { child, ready };
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await exited;
}

test("SIGKILL while polling SFTP loses no file and takes none in twice", { timeout: 60_000 }, async (t) => {
  const sshd = await startSandboxSshd();
  const dir = await mkdtemp(join(tmpdir(), "crossdock-sftp-crash-"));
  const privateKeyPath = join(dir, "client_key");
  await writeFile(privateKeyPath, sshd.connection.privateKey, { mode: 0o600 });
  const config: PollChildConfig = {
    ...sshd.connection,
    privateKeyPath,
    storePath: join(dir, "hub.db"),
    connection: "wms",
    inbound: "inbound",
    settleMs: 150,
    pollIntervalMs: 20,
    maxFileBytes: 2 * 1024 * 1024,
  };
  const partner = createSftpClient({ connection: "partner", ...sshd.connection });
  const upload = createSftpPublisher({ client: partner, connection: "partner", outbound: "inbound" });
  // Content: 60 files, every sixth a copy of an earlier one under its own name; 16 KiB to 1 MiB.
  const files = new Map<string, Buffer>();
  for (let i = 0; i < FILES; i++) {
    const body =
      i % 6 === 5
        ? files.get(`f${String(i - 3).padStart(3, "0")}.dat`)!
        : randomBytes(16_384 + Math.floor(Math.random() * 1_000_000));
    files.set(`f${String(i).padStart(3, "0")}.dat`, body);
  }
  // An upload that never finishes: its temporary name must never be read.
  await partner.write("inbound/.stuck.dat.part", randomBytes(1_000));
  let uploaded = 0;
  const writer = (async () => {
    for (const [name, body] of files) {
      await upload.publish(name, body);
      uploaded++;
      await new Promise((r) => setTimeout(r, Math.random() * 120));
    }
  })();
  const lines: string[] = [];
  try {
    for (let round = 0; round < KILLS; round++) {
      const { child, ready } = startChild(config, lines);
      await ready;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 700));
      await kill(child);
    }
    await writer;
    const { child, ready } = startChild(config, lines);
    await ready;
    const inbound = join(sshd.home, "inbound");
    await until(
      "the inbound folder to be drained",
      async () => (await readdir(inbound)).every((n) => n.startsWith(".") || n === "done" || n === "error"),
      20_000,
    );
    await kill(child);

    const store = await createSqliteStore({
      path: config.storePath,
      clock: systemClock,
      ids: createIdGenerator(systemClock),
    });
    const messages = await store.inbox.list({ connection: "wms", limit: 10_000 });
    await store.close();
    const distinct = new Set([...files.values()].map(sha256));
    const keys = messages.map((m) => m.dedupeKey);
    assert.equal(messages.length, distinct.size, "one inbox message per distinct content");
    assert.deepEqual(
      new Set(keys),
      new Set([...distinct].map((h) => `sftp:wms:${h}`)),
      "every content is there",
    );
    for (const m of messages) assert.equal(`sftp:wms:${sha256(m.body)}`, m.dedupeKey, "bodies are whole");
    const archived = (await readdir(join(inbound, "done"))).map((n) =>
      n.replace(/\.\d{8}T\d{9}Z\.[0-9a-f]{12}$/, ""),
    );
    assert.deepEqual(archived.sort(), [...files.keys()].sort(), "every file in done/ exactly once");
    assert.deepEqual(
      (await readdir(inbound)).sort(),
      [".stuck.dat.part", "done"],
      "nothing left, nothing in error/",
    );
    // A file whose content is unique but which the inbox already held when it was moved was read
    // again after a kill that fell between its commit and its move.
    const byContent = new Map<string, number>();
    for (const body of files.values()) byContent.set(sha256(body), (byContent.get(sha256(body)) ?? 0) + 1);
    const taken = lines.map((line) => JSON.parse(line) as { taken: string; duplicate: boolean });
    const reReads = taken.filter((e) => e.duplicate && byContent.get(sha256(files.get(e.taken)!)) === 1);
    t.diagnostic(
      `${KILLS} kills; ${uploaded} files uploaded, ${distinct.size} distinct contents, ${messages.length} inbox messages; ` +
        `${reReads.length} file(s) committed before a kill and moved by the next child without a second message`,
    );
  } finally {
    await writer.catch(() => undefined);
    await partner.close();
    await sshd.close();
    await rm(dir, { recursive: true, force: true });
  }
});
