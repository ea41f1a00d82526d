/**
 * 997s mark what was sent, in the consumer's transaction; a rejected group and an overdue one become
 * events, once each.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { silentLogger } from "../../delivery/structured-logger.ts";
import type { JsonValue } from "../../store/store.ts";
import { createX12ControlNumbers } from "../edi-x12/x12-control-numbers.ts";
import { createEdiAckTracker, EDI_ACK_OVERDUE, EDI_ACK_REJECTED } from "./edi-ack-tracker.ts";
import { EDI_EVENTS } from "./partner-file-events.ts";
import { ManualClock, openSftpTestStore } from "./sftp-test-fixture.ts";

const HOUR = 3_600_000;

test("997s mark their groups; rejected and overdue groups become events once", async (t) => {
  const clock = new ManualClock(Date.parse("2026-03-01T09:00:00Z"));
  const store = await openSftpTestStore(t, clock);
  const numbers = createX12ControlNumbers(store, clock, { ackDeadlineMs: 24 * HOUR });
  const sent = async () => {
    const control = await numbers.allocate("acme", 1);
    await numbers.expectAck("acme", {
      interchange: control.interchange,
      group: control.group,
      functionalId: "OW",
      sets: control.sets.map((controlNumber) => ({ type: "940", controlNumber })),
    });
    return control;
  };
  const [accepted, rejected, silent] = [await sent(), await sent(), await sent()];
  const ack = (group: number, status: string): JsonValue => ({
    functionalId: "OW",
    groupControlNumber: String(group),
    status,
    setsIncluded: 1,
    setsReceived: 1,
    setsAccepted: status === "A" ? 1 : 0,
    sets: [],
  });
  await store.events.append([
    { stream: "edi:acme", type: EDI_EVENTS.ediAcknowledged, data: ack(accepted.group, "A") },
    { stream: "edi:acme", type: EDI_EVENTS.ediAcknowledged, data: ack(rejected.group, "R") },
    { stream: "edi:acme", type: EDI_EVENTS.ediAcknowledged, data: ack(999_999, "A") },
  ]);
  const tracker = createEdiAckTracker({ store, clock, logger: silentLogger });
  assert.equal(await tracker.consumer.catchUp(), 3);
  const types = async () => (await store.events.readStream("edi:acme")).map((e) => e.type);
  assert.deepEqual((await types()).filter((t) => t === EDI_ACK_REJECTED).length, 1);

  assert.equal(await tracker.checkOverdue(), 0, "nothing is late yet");
  clock.advance(24 * HOUR + 1);
  assert.equal(await tracker.checkOverdue(), 1, "only the group nobody answered");
  assert.equal(await tracker.checkOverdue(), 0, "reported once");
  const overdue = (await store.events.readStream("edi:acme")).filter((e) => e.type === EDI_ACK_OVERDUE);
  assert.equal(overdue.length, 1);
  assert.equal((overdue[0]?.data as { group?: number } | undefined)?.group, silent.group);
  assert.match(JSON.stringify(overdue[0]?.data), /CDK_EDI_ACK_OVERDUE/);
});
