/**
 * The inbound connector of `sftp` connections: turns a file the poller put in the inbox into canonical
 * events, by the connection's `format`.
 *
 * - `x12`: every interchange is read and every set mapped (850 order, 945 shipment, 846 stock, 944
 *   receipt, 997 acknowledgement). The file is all or nothing: a problem anywhere (an SE count, a PO1
 *   without a price, an EBCDIC file) refuses the whole message with the located error, and nothing of it
 *   becomes an event; the message stays in the inbox for a fix and a replay.
 * - `edifact`: the same for ORDERS, DESADV, INVOIC and ORDRSP.
 * - no `format`: the bytes are kept in the inbox and no event is made.
 *
 * Events (`partner-file-events.ts`): an order is `order.received` on `order:<channel>:<id>`, as from any
 * channel, so order-to-cash takes EDI orders like web orders; a 945 is `shipment.dispatched` on the order
 * the hub sent in its 940 (`order:<key>`).
 */
import { CrossdockError } from "../../core/errors.ts";
import type { InboxMessage, JsonValue } from "../../store/store.ts";
import type { ConnectionSettings, DecodeOutcome, InboundConnector } from "../connector.ts";
import type { X12FunctionalAck } from "../edi-x12/x12-997-ack.ts";
import { groupsToAcknowledge } from "../edi-x12/x12-build-997.ts";
import { X12_MAPPERS } from "../edi-x12/x12-mappers.ts";
import type { X12Record } from "../edi-x12/x12-mapping.ts";
import { el, type X12Problem, type X12Segment } from "../edi-x12/x12-segment.ts";
import { createX12SetRunner, type X12SetOutcome } from "../edi-x12/x12-set-runner.ts";
import { runX12 } from "../edi-x12/x12-stream.ts";
import { type ContrlReport, readContrl } from "../edifact/edifact-contrl-reader.ts";
import { EDIFACT_MAPPINGS, mapEdifactMessage } from "../edifact/edifact-mapping.ts";
import { readEdifact } from "../edifact/edifact-reader.ts";
import { builtinLayout } from "../flatfile/builtin-layouts.ts";
import { compileLayout } from "../flatfile/check-layout.ts";
import { decodeFlatFile } from "../flatfile/decode-flat-file.ts";
import { SEND_997_KIND, type Send997Payload } from "./edi-997-sender.ts";
import { contrlOwed, SEND_CONTRL_KIND, type SendContrlPayload } from "./edifact-contrl-sender.ts";
import { mergeStockEvents, type PartnerRecord, recordEvents } from "./partner-file-events.ts";
import { SFTP_CONNECTION_TYPE, type SftpConnectionConfig } from "./sftp-connection.ts";

function refuse(code: X12Problem["code"], message: string, details: Record<string, unknown>): DecodeOutcome {
  return { ok: false, error: new CrossdockError(code, message, { details }) };
}

function decodeX12(file: string, bytes: Uint8Array, settings: SftpConnectionConfig, channel: string) {
  const records: PartnerRecord[] = [];
  const problems: X12Problem[] = [];
  const acks: Send997Payload[] = [];
  let pending: X12Record[] = [];
  const runner = createX12SetRunner(
    file,
    {
      connection: channel,
      ...(settings.warehouse ? { warehouse: settings.warehouse } : {}),
      ...(settings.defaultCurrency ? { defaultCurrency: settings.defaultCurrency } : {}),
    },
    X12_MAPPERS,
    {
      record: (record) => pending.push(record),
      problem: (problem) => problems.push(problem),
      interchangeEnd: (outcomes, isa) => {
        for (const record of pending) records.push({ entity: record.entity, value: record.value });
        pending = [];
        acks.push(ackOf(outcomes, isa));
      },
    },
  );
  runX12(file, bytes, runner);
  return { records, acks, problem: problems.sort((a, b) => a.location.segment - b.location.segment)[0] };
}

/** The 997 owed for one interchange: its groups (not 997s) with their sets' verdicts, to its sender. */
function ackOf(outcomes: readonly X12SetOutcome[], isa: X12Segment | undefined): Send997Payload {
  const groups = groupsToAcknowledge(outcomes).map((g) => ({ ...g.group, outcomes: g.outcomes }));
  const sender = isa ? { qualifier: el(isa, 5).trim() || "ZZ", id: el(isa, 6).trim() } : undefined;
  return { groups, ...(sender?.id ? { sender } : {}) };
}

/**
 * A partner's CONTRL in the shape of a 997 (`X12FunctionalAck`), so the acknowledgement tracker marks
 * the EDIFACT interchange it answers (tracked under its UNB05) as it marks an X12 group. UCI action 7
 * (acknowledged) and 8 (received) accept; 4 rejects.
 */
function contrlAsAck(report: ContrlReport): X12FunctionalAck {
  const code = (action: string) => (action === "rejected" ? "R" : "A");
  return {
    functionalId: "",
    groupControlNumber: report.interchangeRef,
    status: code(report.action),
    setsIncluded: report.messages.length,
    setsReceived: report.messages.length,
    setsAccepted: report.messages.filter((m) => m.action !== "rejected").length,
    sets: report.messages.map((m) => ({
      type: "",
      controlNumber: m.reference,
      status: code(m.action),
      errors: m.errorCode ? [m.errorCode] : [],
      segmentErrors: [],
    })),
  };
}

function decodeEdifact(file: string, bytes: Uint8Array, settings: SftpConnectionConfig, channel: string) {
  const read = readEdifact(file, bytes);
  if (!read.ok) return { records: [], problem: read.failure };
  const records: PartnerRecord[] = [];
  const contrls: SendContrlPayload[] = [];
  for (const interchange of read.interchanges) {
    const owed = contrlOwed(interchange);
    if (owed) contrls.push(owed);
    for (const message of interchange.messages) {
      const contrl = readContrl(message);
      if (contrl) {
        records.push({ entity: "functional-ack", value: contrlAsAck(contrl) });
        continue;
      }
      if (EDIFACT_MAPPINGS[message.type] === undefined) continue;
      const outcome = mapEdifactMessage(file, message, {
        channel,
        ...(settings.defaultCurrency ? { defaultCurrency: settings.defaultCurrency } : {}),
      });
      if (!outcome.ok) return { records: [], problem: outcome.failure };
      for (const value of outcome.records) records.push({ entity: outcome.entity, value });
    }
  }
  return { records, contrls, problem: undefined };
}

function eventsOf(
  records: readonly PartnerRecord[],
  message: InboxMessage,
  connectionName: string,
  settings: SftpConnectionConfig,
): DecodeOutcome {
  const events = mergeStockEvents(
    records.flatMap((record) =>
      recordEvents(record, {
        connection: connectionName,
        channel: settings.channel ?? connectionName,
        causationId: message.id,
        trace: message.trace,
        ...(settings.role === "warehouse" ? { warehouse: true } : {}),
        ...(settings.supplier ? { supplier: settings.supplier } : {}),
      }),
    ),
  );
  return { ok: true, events, jobs: [] };
}

const fileOf = (message: InboxMessage, connectionName: string) =>
  `${connectionName}/${message.headers["x-sftp-file"] ?? message.id}`;

/** A flat file through its layout, streamed; the first record error refuses the file with its line. */
async function decodeFlat(message: InboxMessage, connectionName: string, settings: SftpConnectionConfig) {
  const file = fileOf(message, connectionName);
  const layout = typeof settings.layout === "string" ? builtinLayout(settings.layout) : settings.layout;
  const compiled = compileLayout(
    layout,
    typeof settings.layout === "string" ? settings.layout : "layout",
    "layout",
  );
  const result = await decodeFlatFile(message.body, compiled, {
    fileName: file,
    errors: { mode: "stopAtFirstError" },
  });
  const [first] = result.errors;
  if (first) return { ok: false as const, error: first };
  const records = result.records.flatMap((r) => (r.entity ? [{ entity: r.entity, value: r.value }] : []));
  return eventsOf(records, message, connectionName, settings);
}

export const partnerFileConnector: InboundConnector = {
  type: SFTP_CONNECTION_TYPE,
  decode(message, connectionName, raw: ConnectionSettings): DecodeOutcome {
    const settings = raw as unknown as SftpConnectionConfig;
    if (settings.format === undefined) return { ok: true, events: [], jobs: [] };
    if (settings.format === "flat-file") {
      return refuse("CDK_EDI_UNSUPPORTED", "flat files are decoded asynchronously (decodeAsync)", {});
    }
    const channel = settings.channel ?? connectionName;
    const file = fileOf(message, connectionName);
    const decoded =
      settings.format === "x12"
        ? decodeX12(file, message.body, settings, channel)
        : decodeEdifact(file, message.body, settings, channel);
    if (decoded.problem) {
      return refuse(decoded.problem.code as X12Problem["code"], decoded.problem.message, {
        file,
        location: decoded.problem.location,
        format: settings.format,
      });
    }
    const outcome = eventsOf(decoded.records, message, connectionName, settings);
    // A partner we write to (our envelope and its folder) gets a 997 for each interchange it sent.
    if (outcome.ok && "acks" in decoded && settings.x12 && settings.outbound) {
      const jobs = decoded.acks
        .filter((ack) => ack.groups.length > 0)
        .map((ack, i) => ({
          target: connectionName,
          kind: SEND_997_KIND,
          idempotencyKey: `edi-997:${message.id}:${i}`,
          payload: ack as unknown as JsonValue,
        }));
      return { ...outcome, jobs };
    }
    // An EDIFACT partner we write to gets a CONTRL for each interchange whose UNB09 asks for one.
    if (outcome.ok && "contrls" in decoded && settings.edifact && settings.outbound) {
      const jobs = (decoded.contrls ?? []).map((contrl, i) => ({
        target: connectionName,
        kind: SEND_CONTRL_KIND,
        idempotencyKey: `edifact-contrl:${message.id}:${i}`,
        payload: contrl as unknown as JsonValue,
      }));
      return { ...outcome, jobs };
    }
    return outcome;
  },
  async decodeAsync(message, connectionName, raw) {
    const settings = raw as unknown as SftpConnectionConfig;
    if (settings.format === "flat-file") return decodeFlat(message, connectionName, settings);
    return partnerFileConnector.decode(message, connectionName, raw);
  },
};
