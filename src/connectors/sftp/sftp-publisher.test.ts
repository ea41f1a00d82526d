import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, test } from "node:test";
import type { CrossdockError } from "../../core/errors.ts";
import { startSandboxSshd } from "./sandbox-sshd.ts";
import { createSftpPublisher } from "./sftp-publisher.ts";
import { freshFolder, namesIn, sandboxClient } from "./sftp-test-fixture.ts";

const sshd = await startSandboxSshd();
after(() => sshd.close());

async function setup(t: import("node:test").TestContext, label: string) {
  const folder = await freshFolder(sshd, label);
  const client = sandboxClient(t, sshd);
  const publisher = createSftpPublisher({ client, connection: "partner", outbound: folder.outbound });
  return { folder, client, publisher };
}

test("publish writes the whole file under its name and leaves no temporary file", async (t) => {
  const { folder, publisher } = await setup(t, "publish");
  const result = await publisher.publish("ORDER-1.csv", Buffer.from("sku,qty\nA,1\n"));
  assert.equal(result.outcome, "published");
  assert.equal(result.path, `${folder.outbound}/ORDER-1.csv`);
  assert.deepEqual(await namesIn(folder.local.outbound), ["ORDER-1.csv"]);
  assert.equal(await readFile(join(folder.local.outbound, "ORDER-1.csv"), "utf8"), "sku,qty\nA,1\n");
});

test("the partner never sees a partial file: the name appears only with the full size", async (t) => {
  const { folder, publisher } = await setup(t, "atomic");
  const body = Buffer.alloc(8 * 1024 * 1024, 7);
  const finalPath = join(folder.local.outbound, "big.bin");
  const tempPath = join(folder.local.outbound, ".big.bin.part");
  const seen = new Set<number>();
  const partial = new Set<number>();
  let publishing = true;
  const watcher = (async () => {
    while (publishing) {
      const size = statSync(finalPath, { throwIfNoEntry: false })?.size;
      if (size !== undefined) seen.add(size);
      const temp = statSync(tempPath, { throwIfNoEntry: false })?.size;
      if (temp !== undefined && temp < body.length) partial.add(temp);
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  await publisher.publish("big.bin", body);
  publishing = false;
  await watcher;
  seen.add(statSync(finalPath).size);
  assert.ok(partial.size > 0, "the watcher did see the upload in progress (under the temporary name)");
  assert.deepEqual([...seen], [body.length], "every size ever seen under the final name is the full size");
});

test("publishing the same document again does nothing; different content is refused, not overwritten", async (t) => {
  const { folder, publisher } = await setup(t, "idempotent");
  await publisher.publish("ASN-7.xml", Buffer.from("<asn n='7'/>"));
  const again = await publisher.publish("ASN-7.xml", Buffer.from("<asn n='7'/>"));
  assert.equal(again.outcome, "unchanged");
  await assert.rejects(
    publisher.publish("ASN-7.xml", Buffer.from("<asn n='8'/>")),
    (error: CrossdockError) => {
      assert.equal(error.code, "CDK_TARGET_REJECTED");
      assert.match(error.message, /different content/);
      return true;
    },
  );
  assert.equal(await readFile(join(folder.local.outbound, "ASN-7.xml"), "utf8"), "<asn n='7'/>");
  assert.deepEqual(await namesIn(folder.local.outbound), ["ASN-7.xml"]);
});

test("a leftover temporary file from a crashed attempt is replaced", async (t) => {
  const { folder, client, publisher } = await setup(t, "leftover");
  await client.write(`${folder.outbound}/.INV-3.pdf.part`, Buffer.from("half"));
  assert.equal((await publisher.publish("INV-3.pdf", Buffer.from("whole invoice"))).outcome, "published");
  assert.deepEqual(await namesIn(folder.local.outbound), ["INV-3.pdf"]);
});

test("hostile names are refused and nothing is written outside the folder", async (t) => {
  const { folder, publisher } = await setup(t, "hostile");
  for (const name of ["../escape.csv", "a/b.csv", "..", ".", "", ".hidden", "nul\0.csv", "x".repeat(250)]) {
    await assert.rejects(publisher.publish(name, Buffer.from("x")), (error: CrossdockError) => {
      assert.equal(error.code, "CDK_TARGET_REJECTED", JSON.stringify(name));
      return true;
    });
  }
  assert.equal((await publisher.publish("line\nbreak.csv", Buffer.from("x"))).outcome, "published");
  assert.deepEqual(await namesIn(folder.local.outbound), ["line\nbreak.csv"]);
  assert.deepEqual(await namesIn(join(folder.local.outbound, "..")), ["inbound", "outbound"]);
});
