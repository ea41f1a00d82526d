import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  type SandboxEdiPartnerOptions,
  startSandboxEdiPartner,
} from "../../sandbox/edi-partner/sandbox-edi-partner.ts";
import type { X12FunctionalAck } from "../../src/connectors/edi-x12/x12-997-ack.ts";
import { X12_MAPPERS } from "../../src/connectors/edi-x12/x12-mappers.ts";
import type { X12Record } from "../../src/connectors/edi-x12/x12-mapping.ts";
import { readX12, x12Sets } from "../../src/connectors/edi-x12/x12-reader.ts";
import { createX12SetRunner, type X12SetOutcome } from "../../src/connectors/edi-x12/x12-set-runner.ts";
import { runX12 } from "../../src/connectors/edi-x12/x12-stream.ts";
import type { X12PartnerEnvelope } from "../../src/connectors/edi-x12/x12-writer.ts";
import { createEdiSupplierPort } from "../../src/connectors/sftp/edi-supplier.ts";
import { recordEvents } from "../../src/connectors/sftp/partner-file-events.ts";
import { type SandboxSshd, startSandboxSshd } from "../../src/connectors/sftp/sandbox-sshd.ts";
import { createSftpClient, type SftpClient } from "../../src/connectors/sftp/sftp-client.ts";
import { openSftpTestStore } from "../../src/connectors/sftp/sftp-test-fixture.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { MODEL_EXAMPLES } from "../../src/core/model/model-examples.ts";
import type { Order } from "../../src/core/model/order.ts";
import type { PurchaseOrder } from "../../src/core/model/purchase-order.ts";
import type { SupplierAcknowledgement } from "../../src/core/model/supplier-acknowledgement.ts";

const POLL = 10_000;
const ANSWER = 60_000;

/** The hub's envelope towards the sandbox partner. */
const hub: X12PartnerEnvelope = {
  senderQualifier: "ZZ",
  senderId: "CROSSDOCK",
  receiverQualifier: "ZZ",
  receiverId: "SBXPARTNER",
  version: "00401",
  elementSeparator: "*",
  segmentTerminator: "~",
  componentSeparator: ">",
  usageIndicator: "T",
  lineBreak: "\n",
};

const example = MODEL_EXAMPLES["purchase-order"] as PurchaseOrder;
const purchaseOf = (poNumber: string): PurchaseOrder => ({ ...example, poNumber });

interface ReadFile {
  name: string;
  type: string;
  records: X12Record[];
  outcomes: X12SetOutcome[];
}

let sshd: SandboxSshd;
let hubClient: SftpClient;
let folders = 0;

before(async () => {
  sshd = await startSandboxSshd();
  hubClient = createSftpClient({ connection: "hub", ...sshd.connection });
});
after(async () => {
  await hubClient.close();
  await sshd.close();
});

async function setup(t: import("node:test").TestContext, options: SandboxEdiPartnerOptions = {}) {
  const clock = new ManualClock(Date.parse("2026-03-02T08:00:00Z"));
  const n = ++folders;
  const partner = await startSandboxEdiPartner({
    clock,
    sshd,
    inbound: `p${n}/to-partner`,
    outbound: `p${n}/from-partner`,
    pollIntervalMs: POLL,
    answerDelayMs: ANSWER,
    ...options,
  });
  t.after(() => partner.close());
  const store = await openSftpTestStore(t, clock);
  const port = createEdiSupplierPort({
    name: "sbx-partner",
    store,
    clock,
    client: hubClient,
    outbound: partner.inbound,
    envelope: hub,
    buyer: { name: "Crossdock Trading", id: "CDK01" },
  });
  const step = async (ms: number) => {
    clock.advance(ms);
    await partner.runDue();
  };
  /** Every file in from-partner, read and mapped as the hub's `sftp` connector would. */
  const files = (): ReadFile[] =>
    readdirSync(partner.local.outbound, { withFileTypes: true })
      .filter((e) => e.isFile() && !e.name.startsWith("."))
      .map((e) => e.name)
      .sort()
      .map((name) => {
        const records: X12Record[] = [];
        const outcomes: X12SetOutcome[] = [];
        runX12(
          name,
          readFileSync(join(partner.local.outbound, name)),
          createX12SetRunner(name, { connection: "sbx-partner" }, X12_MAPPERS, {
            record: (r) => records.push(r),
            interchangeEnd: (o) => outcomes.push(...o),
            problem: (p) => assert.fail(p.message),
          }),
        );
        return { name, type: outcomes[0]?.type ?? "", records, outcomes };
      });
  const ofType = (type: string) => files().filter((f) => f.type === type);
  const acks = () => ofType("855").flatMap((f) => f.records.map((r) => r.value as SupplierAcknowledgement));
  const functionalAcks = () =>
    ofType("997").flatMap((f) => f.records.map((r) => r.value as X12FunctionalAck));
  const send = (poNumber: string, resend = 0) =>
    port.send(
      { key: `sbx-partner:${poNumber}`, purchase: purchaseOf(poNumber), odooName: poNumber, resend },
      `k-${poNumber}-${resend}`,
    );
  return { clock, partner, port, step, files, ofType, acks, functionalAcks, send };
}

const lineView = (ack: SupplierAcknowledgement | undefined) =>
  ack?.lines.map((l) => [l.lineId, l.status, l.quantity ?? null, l.expectedOn ?? null]);

describe("sandbox EDI trading partner (850 in, 997/855 out; its own 850s and 810s) over a real OpenSSH server", () => {
  test("the hub's 850 is answered with a 997 and, after the delay, an 855 the hub maps to the planned acknowledgement", async (t) => {
    const h = await setup(t);
    h.partner.plan("P00012", { kind: "change", lines: { "2": { quantity: 4, expectedOn: "2026-03-23" } } });
    await h.send("P00012");
    await h.step(POLL);
    assert.deepEqual(
      h.files().map((f) => f.type),
      ["997"],
    );
    const [fa] = h.functionalAcks();
    assert.equal(fa?.status, "A");
    assert.equal(fa?.functionalId, "PO");
    const marked = await h.port.acknowledge(fa!);
    assert.equal(marked.kind === "acknowledged" && marked.record.status, "accepted", "the 850's 997 came");
    assert.deepEqual(await h.port.overdue(), []);

    await h.step(ANSWER - 1);
    assert.equal(h.ofType("855").length, 0, "not before answerDelayMs");
    await h.step(1);
    const [ack] = h.acks();
    assert.equal(ack?.poNumber, "P00012");
    assert.equal(ack?.status, "accepted_with_changes");
    assert.equal(ack?.acknowledgementId, "SO-SBX-000001");
    assert.equal(ack?.currency, "SEK");
    assert.deepEqual(ack?.lines, [
      { lineId: "1", sku: "CHAIR-OAK-01", status: "accepted", quantity: "24" },
      {
        lineId: "2",
        sku: "TABLE-OAK-02",
        status: "changed",
        quantity: "4",
        expectedOn: "2026-03-23",
        reason: "IC item accepted with changes",
      },
    ]);
    // What the hub's sftp connector appends, where procure-to-pay waits for it.
    const [event] = recordEvents(
      { entity: "supplier-acknowledgement", value: ack },
      { connection: "sbx-partner", channel: "sbx-partner", causationId: "m", trace: undefined },
    );
    assert.equal(event?.stream, "purchase:sbx-partner:P00012");
    assert.deepEqual((event?.data as { acknowledgement?: unknown } | undefined)?.acknowledgement, ack);
    assert.deepEqual(
      h.partner.received.map((f) => [f.outcome, f.documents]),
      [["accepted", ["P00012"]]],
    );
  });

  test("plans: accept, a backorder split, a rejected line, a whole rejection", async (t) => {
    const h = await setup(t);
    h.partner.planNext(
      { kind: "accept" },
      {
        kind: "change",
        lines: { "CHAIR-OAK-01": { backorder: { quantity: 10, expectedOn: "2026-04-01" } } },
      },
      { kind: "reject", lines: ["2"] },
      { kind: "reject" },
    );
    for (const po of ["PA-1", "PA-2", "PA-3", "PA-4"]) await h.send(po);
    await h.step(POLL);
    await h.step(ANSWER);
    const byPo = new Map(h.acks().map((a) => [a.poNumber, a]));
    assert.equal(byPo.get("PA-1")?.status, "accepted");
    assert.deepEqual(lineView(byPo.get("PA-2")), [
      ["1", "changed", "24", "2026-04-01"],
      ["2", "accepted", "6", null],
    ]);
    assert.deepEqual(lineView(byPo.get("PA-3")), [
      ["1", "accepted", "24", null],
      ["2", "rejected", null, null],
    ]);
    assert.equal(byPo.get("PA-3")?.status, "accepted_with_changes");
    assert.equal(byPo.get("PA-4")?.status, "rejected");
    assert.deepEqual(lineView(byPo.get("PA-4")), [
      ["1", "rejected", null, null],
      ["2", "rejected", null, null],
    ]);
    const raw = readFileSync(
      join(
        h.partner.local.outbound,
        h
          .ofType("855")
          .find((f) => f.records.some((r) => (r.value as SupplierAcknowledgement).poNumber === "PA-2"))!.name,
      ),
      "utf8",
    );
    assert.match(raw, /ACK\*IA\*14\*EA~\nACK\*IB\*10\*EA\*067\*20260401~/);
  });

  test("a silent partner answers the hub's resend (BEG01 07); a second resend gets the same answer again", async (t) => {
    const h = await setup(t);
    h.partner.plan("PS-1", { kind: "silent", afterResends: 1 });
    await h.send("PS-1");
    await h.step(POLL);
    await h.step(ANSWER);
    assert.equal(h.acks().length, 0, "no 855 while silent");
    await h.send("PS-1", 1);
    await h.step(POLL);
    assert.equal(h.partner.purchases.get("PS-1")?.resends, 1);
    await h.step(ANSWER);
    assert.deepEqual(
      h.acks().map((a) => [a.poNumber, a.status]),
      [["PS-1", "accepted"]],
    );
    await h.send("PS-1", 2);
    await h.step(POLL);
    await h.step(ANSWER);
    const answers = h.acks();
    assert.equal(answers.length, 2);
    assert.equal(answers[1]?.acknowledgementId, answers[0]?.acknowledgementId, "the same sales order again");
    assert.equal(h.functionalAcks().length, 3, "every interchange gets its 997");
  });

  test("as a customer: its 850 maps to an order with the hub's SKUs; an 810 invoices what its 855 accepted", async (t) => {
    const h = await setup(t);
    await h.partner.sendOrder({
      poNumber: "SBX-PO-1",
      lines: [
        { sku: "CHAIR-OAK-01", quantity: 2, unitPrice: "49.50", buyerSku: "C-100", name: "Oak chair" },
        { sku: "CUSHION-GREY", quantity: 4, unitPrice: "9.99" },
      ],
    });
    const [order] = h.ofType("850").flatMap((f) => f.records.map((r) => r.value as Order));
    assert.equal(order?.channel, "sbx-partner");
    assert.equal(order?.channelOrderId, "SBX-PO-1");
    assert.equal(order?.customer.name, "Sandbox Supplier Inc");
    assert.equal(order?.shipTo?.city, "Columbus");
    assert.deepEqual(
      order?.lines.map((l) => [l.sku, l.quantity, l.unitPrice]),
      [
        ["CHAIR-OAK-01", "2", "49.5"],
        ["CUSHION-GREY", "4", "9.99"],
      ],
    );

    h.partner.plan("PI-1", { kind: "change", lines: { "2": { quantity: 4, unitPrice: "2400.00" } } });
    await h.send("PI-1");
    await h.step(POLL);
    await h.step(ANSWER);
    assert.deepEqual(
      h.acks()[0]?.lines.map((l) => [l.lineId, l.status, l.quantity, l.unitPrice ?? null]),
      [
        ["1", "accepted", "24", null],
        ["2", "changed", "4", "2400"],
      ],
    );
    await assert.rejects(h.partner.sendInvoice("NOPE"), /not acknowledged/);
    const file = await h.partner.sendInvoice("PI-1");
    assert.ok(file.writtenAt !== undefined);
    const doc = readX12(file.name, readFileSync(join(h.partner.local.outbound, file.name)));
    assert.deepEqual(doc.problems, []);
    const [set] = [...x12Sets(doc)];
    assert.equal(set?.set.type, "810");
    assert.equal(doc.interchanges[0]?.groups[0]?.header?.elements[0], "IN");
    assert.deepEqual(
      set?.set.segments.filter((s) => s.tag === "IT1").map((s) => s.elements.slice(0, 4)),
      [
        ["1", "24", "EA", "610"],
        ["2", "4", "EA", "2400.00"],
      ],
    );
    assert.equal(set?.set.segments.find((s) => s.tag === "BIG")?.elements[3], "PI-1");
  });

  test("unplanned purchase orders are answered by seeded dice: the same seed, the same answers", async (t) => {
    const run = async (seed: number) => {
      const h = await setup(t, { seed, changeRate: 0.5, rejectRate: 0.2 });
      for (const po of ["PR-1", "PR-2", "PR-3", "PR-4", "PR-5", "PR-6"]) await h.send(po);
      await h.step(POLL);
      await h.step(ANSWER);
      return h
        .acks()
        .sort((a, b) => (a.poNumber < b.poNumber ? -1 : 1))
        .map((a) => [a.poNumber, a.status]);
    };
    const first = await run(7);
    assert.deepEqual(await run(7), first);
    assert.equal(first.length, 6);
    assert.ok(new Set(first.map(([, s]) => s)).size > 1, `a mix of answers: ${JSON.stringify(first)}`);
  });
});
