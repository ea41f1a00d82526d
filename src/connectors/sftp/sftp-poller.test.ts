import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { appendFile, readFile, rename, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, test } from "node:test";
import { startSandboxSshd } from "./sandbox-sshd.ts";
import { createSftpPoller, type SftpPollerOptions } from "./sftp-poller.ts";
import {
  freshFolder,
  inboxOf,
  ManualClock,
  namesIn,
  openSftpTestStore,
  sandboxClient,
} from "./sftp-test-fixture.ts";

const sshd = await startSandboxSshd();
after(() => sshd.close());

type Setup = Partial<Omit<SftpPollerOptions, "client" | "store" | "clock" | "connection" | "inbound">>;

async function setup(
  t: import("node:test").TestContext,
  label: string,
  extra: Setup = {},
  storeMax?: number,
) {
  const clock = new ManualClock();
  const store = await openSftpTestStore(t, clock, storeMax ? { maxMessageBytes: storeMax } : undefined);
  const folder = await freshFolder(sshd, label);
  const client = sandboxClient(t, sshd);
  const poller = createSftpPoller({
    client,
    store,
    clock,
    connection: "partner",
    inbound: folder.inbound,
    ...extra,
  });
  const done = join(folder.local.inbound, "done");
  const error = join(folder.local.inbound, "error");
  /** Two polls `settleMs` apart: what it takes for an unchanged file to be read. */
  const settleAndPoll = async () => {
    await poller.pollOnce();
    clock.advance(extra.settleMs ?? 2_000);
    return poller.pollOnce();
  };
  return { clock, store, folder, client, poller, done, error, settleAndPoll };
}

const sha = (text: string | Buffer) => createHash("sha256").update(text).digest("hex");

test("a settled file goes into the inbox, then to done/", async (t) => {
  const s = await setup(t, "stable");
  await writeFile(join(s.folder.local.inbound, "orders.csv"), "sku,qty\nA,1\n");
  const first = await s.poller.pollOnce();
  assert.equal(first.received, 0, "not read on first sight");
  assert.equal(first.skipped.unsettled, 1);
  s.clock.advance(1_999);
  assert.equal((await s.poller.pollOnce()).received, 0, "not before settleMs");
  s.clock.advance(1);
  const taken = await s.poller.pollOnce();
  assert.deepEqual([taken.received, taken.archived, taken.outcome], [1, 1, "ok"]);
  const [message, ...rest] = await inboxOf(s.store);
  assert.equal(rest.length, 0);
  assert.equal(Buffer.from(message!.body).toString(), "sku,qty\nA,1\n");
  assert.equal(message!.source, "sftp");
  assert.equal(message!.dedupeKey, `sftp:partner:${sha("sku,qty\nA,1\n")}`);
  assert.equal(message!.headers["x-sftp-file"], "orders.csv");
  assert.deepEqual(await namesIn(s.folder.local.inbound), ["done"]);
  const archived = await namesIn(s.done);
  assert.equal(archived.length, 1);
  assert.match(archived[0]!, /^orders\.csv\.20260101T000002000Z\.[0-9a-f]{12}$/);
});

test("a file still growing is read only once it stopped changing, and whole", async (t) => {
  const s = await setup(t, "growing");
  const path = join(s.folder.local.inbound, "big.txt");
  await writeFile(path, "part 1\n");
  for (let i = 2; i <= 4; i++) {
    await s.poller.pollOnce();
    s.clock.advance(2_500);
    await appendFile(path, `part ${i}\n`);
    assert.equal((await s.poller.pollOnce()).received, 0, `not read while growing (${i})`);
  }
  s.clock.advance(2_500);
  assert.equal((await s.poller.pollOnce()).received, 1);
  const [message] = await inboxOf(s.store);
  assert.equal(Buffer.from(message!.body).toString(), "part 1\npart 2\npart 3\npart 4\n");
});

test("temporary names are never read; the renamed file is", async (t) => {
  const s = await setup(t, "temp", { settleMs: 0 });
  const local = s.folder.local.inbound;
  for (const name of ["a.csv.part", ".b.csv", "c.tmp", "d.filepart"])
    await writeFile(join(local, name), name);
  for (let i = 0; i < 3; i++) {
    const result = await s.poller.pollOnce();
    assert.equal(result.skipped.temp, 4);
    s.clock.advance(10_000);
  }
  assert.deepEqual(await inboxOf(s.store), []);
  await rename(join(local, "a.csv.part"), join(local, "a.csv"));
  assert.equal((await s.settleAndPoll()).received, 1);
  assert.deepEqual(await namesIn(local), [".b.csv", "c.tmp", "d.filepart", "done"]);
});

test("the same content under two names is one inbox message; both files go to done/", async (t) => {
  const s = await setup(t, "dupes");
  await writeFile(join(s.folder.local.inbound, "a.xml"), "<order id='1'/>");
  await writeFile(join(s.folder.local.inbound, "b.xml"), "<order id='1'/>");
  const result = await s.settleAndPoll();
  assert.deepEqual([result.received, result.duplicates, result.archived], [1, 1, 2]);
  assert.equal((await inboxOf(s.store)).length, 1);
  assert.equal((await namesIn(s.done)).length, 2);
  // Sent again later: still one message.
  await writeFile(join(s.folder.local.inbound, "c.xml"), "<order id='1'/>");
  assert.equal((await s.settleAndPoll()).duplicates, 1);
  assert.equal((await inboxOf(s.store)).length, 1);
});

test("an oversized file goes to error/ with a sidecar that says why", async (t) => {
  const s = await setup(t, "oversized", { maxFileBytes: 1_000 });
  await writeFile(join(s.folder.local.inbound, "huge.csv"), Buffer.alloc(1_001, 65));
  await writeFile(join(s.folder.local.inbound, "fine.csv"), Buffer.alloc(1_000, 66));
  const result = await s.settleAndPoll();
  assert.deepEqual([result.received, result.errored], [1, 1]);
  const [moved, sidecar, ...rest] = await namesIn(s.error);
  assert.equal(rest.length, 0);
  assert.equal(sidecar, `${moved}.error.json`);
  const why = JSON.parse(await readFile(join(s.error, sidecar!), "utf8"));
  assert.equal(why.reason, "too-large");
  assert.equal(why.code, "CDK_INBOX_MESSAGE_TOO_LARGE");
  assert.equal(why.file, "huge.csv");
  assert.deepEqual(why.details, { size: 1_001, limit: 1_000 });
  assert.equal((await readFile(join(s.error, moved!))).length, 1_001, "the file itself is kept");
});

test("a file over the store's message limit goes to error/ too", async (t) => {
  const s = await setup(t, "store-limit", {}, 100);
  await writeFile(join(s.folder.local.inbound, "x.json"), Buffer.alloc(101, 67));
  assert.equal((await s.settleAndPoll()).errored, 1);
  assert.deepEqual(await inboxOf(s.store), []);
  assert.equal((await namesIn(s.error)).length, 2);
});

test("files are taken in name order, a bounded number per poll", async (t) => {
  const s = await setup(t, "order", { maxFilesPerPoll: 2, settleMs: 0 });
  for (const name of ["e", "c", "a", "d", "b"]) await writeFile(join(s.folder.local.inbound, name), name);
  await s.poller.pollOnce();
  const first = await s.poller.pollOnce();
  assert.deepEqual([first.received, first.more], [2, true]);
  assert.deepEqual(
    (await inboxOf(s.store)).map((m) => m.headers["x-sftp-file"]),
    ["a", "b"],
  );
  await s.poller.pollOnce();
  const last = await s.poller.pollOnce();
  assert.deepEqual([last.received, last.more], [1, false]);
});

test("hostile names: newlines, 255 bytes, dots and dashes are taken; symlinks are not followed", async (t) => {
  const s = await setup(t, "hostile", { settleMs: 0 });
  const local = s.folder.local.inbound;
  const long = `${"é".repeat(120)}.csv`; // 244 bytes; archived names must stay within 255
  const names = ["line\nbreak.csv", long, "x..", "-rf", "a b;c$(d)"];
  for (const [i, name] of names.entries()) await writeFile(join(local, name), `file ${i}`);
  await writeFile(join(local, "..x"), "hidden: a temporary name by default");
  await symlink("/etc/hostname", join(local, "link.csv"));
  const result = await s.settleAndPoll();
  assert.equal(result.received, names.length);
  assert.deepEqual((await inboxOf(s.store)).map((m) => m.headers["x-sftp-file"]).sort(), [...names].sort());
  const archived = await namesIn(s.done);
  assert.equal(archived.length, names.length);
  for (const name of archived) assert.ok(Buffer.byteLength(name) <= 255, `${name.length} chars`);
  assert.deepEqual(await namesIn(local), ["..x", "done", "link.csv"], "the symlink is left alone");
});

test("if the move to done/ fails after the commit, the next poll moves it without a second message", async (t) => {
  const s = await setup(t, "move-fails", { settleMs: 0 });
  await writeFile(s.done, "a file where the done folder should be");
  await writeFile(join(s.folder.local.inbound, "a.csv"), "a");
  await s.poller.pollOnce();
  const failed = await s.poller.pollOnce();
  assert.equal(failed.outcome, "retry");
  assert.equal(failed.received, 1, "committed before the move");
  assert.equal(failed.error?.code, "CDK_SFTP_UNAVAILABLE");
  assert.deepEqual(await namesIn(s.folder.local.inbound), ["a.csv", "done"]);
  await rm(s.done);
  await s.poller.pollOnce();
  const again = await s.poller.pollOnce();
  assert.deepEqual([again.received, again.duplicates, again.archived], [0, 1, 1]);
  assert.equal((await inboxOf(s.store)).length, 1);
});

test("server down: the poll reports CDK_SFTP_UNAVAILABLE, keeps the files, takes them after a restart", async (t) => {
  const s = await setup(t, "down", { settleMs: 0 });
  await writeFile(join(s.folder.local.inbound, "a.csv"), "a");
  await s.poller.pollOnce();
  await sshd.stop();
  try {
    const down = await s.poller.pollOnce();
    assert.equal(down.outcome, "retry");
    assert.equal(down.error?.code, "CDK_SFTP_UNAVAILABLE");
    assert.equal(down.error?.failureClass, "transient");
  } finally {
    await sshd.start();
  }
  assert.deepEqual(await namesIn(s.folder.local.inbound), ["a.csv"]);
  // Seen unchanged before the outage: settled, so the first poll after the restart takes it.
  assert.equal((await s.poller.pollOnce()).received, 1);
  assert.deepEqual(await namesIn(s.folder.local.inbound), ["done"]);
});
