/**
 * The EDI supplier port against a real OpenSSH server: a send is one 850 published once (a retry
 * publishes nothing new), a resend is a new interchange marked as a duplicate (BEG01 07), each waits
 * for its 997 (overdue past the deadline, accepted once the supplier's 997 names its group); an 855
 * read by the `sftp` connector lands on the purchase's stream as procure-to-pay expects it.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { MODEL_EXAMPLES } from "../../core/model/model-examples.ts";
import type { PurchaseOrder } from "../../core/model/purchase-order.ts";
import type { X12FunctionalAck } from "../edi-x12/x12-997-ack.ts";
import { readX12, x12Sets } from "../edi-x12/x12-reader.ts";
import { el } from "../edi-x12/x12-segment.ts";
import { createEdiSupplierPort, SENT_850_KIND } from "./edi-supplier.ts";
import { EDI_EVENTS, recordEvents } from "./partner-file-events.ts";
import { type SandboxSshd, startSandboxSshd } from "./sandbox-sshd.ts";
import { freshFolder, ManualClock, namesIn, openSftpTestStore, sandboxClient } from "./sftp-test-fixture.ts";

let sshd: SandboxSshd;
before(async () => {
  sshd = await startSandboxSshd();
});
after(() => sshd.close());

const envelope = {
  senderQualifier: "ZZ",
  senderId: "CROSSDOCK",
  receiverQualifier: "ZZ",
  receiverId: "NORDICOAK",
  version: "00401",
  elementSeparator: "*",
  segmentTerminator: "~",
  componentSeparator: ">",
  usageIndicator: "T",
  lineBreak: "\n",
} as const;

const purchase = MODEL_EXAMPLES["purchase-order"] as PurchaseOrder;
const HOUR = 3_600_000;

async function read850(folder: string, name: string) {
  const doc = readX12(name, await readFile(join(folder, name)));
  assert.deepEqual(doc.problems, []);
  const [found] = [...x12Sets(doc)];
  const isa = doc.interchanges[0]!.header!;
  const beg = found!.set.segments.find((s) => s.tag === "BEG")!;
  return {
    isa13: el(isa, 13),
    beg: beg.elements.slice(0, 5),
    gs06: el(doc.interchanges[0]!.groups[0]!.header!, 6),
  };
}

test("send: one 850 per send, a retry publishes nothing new, a resend is a duplicate; each waits for its 997", async (t) => {
  const clock = new ManualClock(Date.parse("2026-03-02T08:30:00Z"));
  const store = await openSftpTestStore(t, clock);
  const folders = await freshFolder(sshd, "edi-sup");
  const port = createEdiSupplierPort({
    name: "nordic-oak",
    store,
    clock,
    client: sandboxClient(t, sshd),
    outbound: folders.outbound,
    envelope,
    buyer: { name: "Crossdock Trading", id: "CDK01" },
    ackDeadlineMs: HOUR,
  });
  const request = { key: "nordic-oak:P00012", purchase, odooName: "P00012", resend: 0 };
  const first = await port.send(request, "run-1/send-to-supplier");
  const again = await port.send(request, "run-1/send-to-supplier");
  assert.deepEqual(again, first);
  assert.deepEqual(await namesIn(folders.local.outbound), [first.reference]);
  const original = await read850(folders.local.outbound, first.reference);
  assert.deepEqual(original.beg, ["00", "SA", "P00012", "", "20260302"]);
  assert.equal(original.isa13, "000000001");
  const stored = await store.records.get(SENT_850_KIND, "nordic-oak:nordic-oak:P00012:0");
  assert.equal((stored?.data as { file?: string } | undefined)?.file, first.reference);

  clock.advance(2 * HOUR);
  const late = await port.overdue();
  assert.deepEqual(
    late.map((l) => [l.record.group, l.error.code]),
    [[1, "CDK_EDI_ACK_OVERDUE"]],
  );

  const resent = await port.send({ ...request, resend: 1 }, "run-1/resend-1");
  assert.notEqual(resent.reference, first.reference);
  assert.equal((await namesIn(folders.local.outbound)).length, 2);
  const duplicate = await read850(folders.local.outbound, resent.reference);
  assert.deepEqual(duplicate.beg, ["07", "SA", "P00012", "", "20260302"], "BEG01 07: the same order again");
  assert.equal(duplicate.isa13, "000000002");

  const ack: X12FunctionalAck = {
    functionalId: "PO",
    groupControlNumber: duplicate.gs06,
    status: "A",
    setsIncluded: 1,
    setsReceived: 1,
    setsAccepted: 1,
    sets: [{ type: "850", controlNumber: "0002", status: "A", errors: [], segmentErrors: [] }],
  };
  const acknowledged = await port.acknowledge(ack);
  assert.equal(acknowledged.kind, "acknowledged");
  assert.equal(acknowledged.kind === "acknowledged" && acknowledged.record.status, "accepted");
  assert.deepEqual(
    (await port.overdue()).map((l) => l.record.group),
    [1],
    "the first send's 997 is still missing; the resend's came",
  );
  assert.deepEqual(await port.acknowledge({ ...ack, groupControlNumber: "99" }), {
    kind: "unknown-group",
    partner: "nordic-oak",
    groupControlNumber: "99",
  });
});

test("send: a PO number longer than BEG03 allows is refused before anything is written", async (t) => {
  const clock = new ManualClock();
  const store = await openSftpTestStore(t, clock);
  const folders = await freshFolder(sshd, "edi-sup");
  const port = createEdiSupplierPort({
    name: "nordic-oak",
    store,
    clock,
    client: sandboxClient(t, sshd),
    outbound: folders.outbound,
    envelope,
  });
  await assert.rejects(
    port.send(
      {
        key: "k",
        purchase: { ...purchase, poNumber: "PO-2026-0000000000000042" },
        odooName: "P1",
        resend: 0,
      },
      "i",
    ),
    { code: "CDK_TARGET_REJECTED" },
  );
  assert.deepEqual(await namesIn(folders.local.outbound), []);
});

test("an 855 or ORDRSP from a trading partner lands on purchase:<supplier>:<poNumber> as { acknowledgement }", () => {
  const acknowledgement = MODEL_EXAMPLES["supplier-acknowledgement"];
  const ctx = { connection: "nordic-oak", channel: "nordic-oak", causationId: "m1", trace: undefined };
  const [event] = recordEvents({ entity: "supplier-acknowledgement", value: acknowledgement }, ctx);
  assert.equal(event?.stream, "purchase:nordic-oak:P00012");
  assert.equal(event?.type, EDI_EVENTS.supplierAcknowledged);
  assert.deepEqual(event?.data, { receivedVia: "nordic-oak", acknowledgement });
  const [named] = recordEvents(
    { entity: "supplier-acknowledgement", value: acknowledgement },
    { ...ctx, supplier: "wood" },
  );
  assert.equal(
    named?.stream,
    "purchase:wood:P00012",
    "the supplier code, when it is not the connection name",
  );
});
