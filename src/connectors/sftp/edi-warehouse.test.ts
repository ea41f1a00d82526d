/**
 * The EDI 3PL warehouse port and the depositor router against a real OpenSSH server: a release is one
 * 940 published once (a retry publishes nothing new), naming the Odoo order as depositor number; the
 * 3PL's 945 for that number lands on the order's stream; an unknown number is kept as unmatched.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { MODEL_EXAMPLES } from "../../core/model/model-examples.ts";
import type { Order } from "../../core/model/order.ts";
import { silentLogger } from "../../delivery/structured-logger.ts";
import { readX12 } from "../edi-x12/x12-reader.ts";
import { el } from "../edi-x12/x12-segment.ts";
import { createEdiDepositorRouter, SHIPMENT_UNMATCHED } from "./edi-depositor-router.ts";
import { createEdiWarehouse } from "./edi-warehouse.ts";
import { EDI_EVENTS } from "./partner-file-events.ts";
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
  receiverId: "ACME3PL",
  version: "00401",
  elementSeparator: "*",
  segmentTerminator: "~",
  componentSeparator: ">",
  usageIndicator: "T",
  lineBreak: "\n",
} as const;

test("release: one 940 per order, depositor = the Odoo order; its 945 is routed to the order's stream", async (t) => {
  const clock = new ManualClock(Date.parse("2026-03-01T09:30:00Z"));
  const store = await openSftpTestStore(t, clock);
  const folders = await freshFolder(sshd, "edi-wh");
  const client = sandboxClient(t, sshd);
  const port = createEdiWarehouse({
    name: "acme",
    store,
    clock,
    client,
    outbound: folders.outbound,
    envelope,
  });
  const order = {
    ...(MODEL_EXAMPLES.order as Order),
    channel: "shop",
    channelOrderId: "5550934128715123456",
  };
  const first = await port.release({ key: "shop:5550934128715123456", order, saleOrder: "S00042" }, "k1");
  const again = await port.release({ key: "shop:5550934128715123456", order, saleOrder: "S00042" }, "k1");
  assert.deepEqual(first, { reference: "S00042" });
  assert.deepEqual(again, first);
  const files = await namesIn(folders.local.outbound);
  assert.equal(files.length, 1, `one 940, whatever the retries: ${files}`);
  const text = await readFile(join(folders.local.outbound, files[0] as string), "latin1");
  const doc = readX12(files[0] as string, text);
  assert.deepEqual(doc.problems, []);
  const w05 = doc.interchanges[0]?.groups[0]?.sets[0]?.segments.find((s) => s.tag === "W05");
  assert.equal(w05 && el(w05, 2), "S00042", "W05-02, the depositor order number");
  assert.equal(w05 && el(w05, 3), "#1001", "W05-03, the order number people see");
  assert.deepEqual(await port.cancel("S00042", "c1"), {
    cancelled: false,
    reason: "warehouse acme takes orders by EDI 940; a cancellation is not sent by EDI, ask the 3PL",
  });

  const router = createEdiDepositorRouter({ store, logger: silentLogger });
  await store.events.append([
    {
      stream: "edi-depositor:acme:S00042",
      type: EDI_EVENTS.shipmentReported,
      data: {
        shipmentId: "SH-1",
        complete: true,
        lines: [{ sku: "CHAIR-OAK-01", quantity: "2", uom: "C62" }],
      },
    },
    { stream: "edi-depositor:acme:S99999", type: EDI_EVENTS.shipmentReported, data: { shipmentId: "SH-X" } },
  ]);
  assert.equal(await router.catchUp(), 2);
  const [routed] = await store.events.readStream("order:shop:5550934128715123456");
  assert.equal(routed?.type, EDI_EVENTS.shipmentDispatched);
  assert.deepEqual((routed?.data as { order?: unknown } | undefined)?.order, {
    channel: "shop",
    channelOrderId: "5550934128715123456",
    orderNumber: "S00042",
  });
  const unmatched = await store.events.readStream("edi-depositor:acme:S99999");
  assert.deepEqual(
    unmatched.map((e) => e.type),
    [EDI_EVENTS.shipmentReported, SHIPMENT_UNMATCHED],
  );
  assert.equal(await router.catchUp(), 0, "each report is routed once");
});
