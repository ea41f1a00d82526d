/**
 * What the sandbox EDI partners (the 3PL, the trading partner) share to run: their SFTP server (a
 * sandbox sshd of their own unless given one) and client, their envelope towards the hub (ZZ ids,
 * 004010, `*` `~` `>`, a line break per segment, test usage; any field overridable), the outbox that
 * writes their documents when due, the scheduler that drives them on the given clock, the ring of SFTP
 * failures they met (newest last, at most 100), outages, and the poll loop over their inbox.
 */
import { join } from "node:path";
import type { X12PartnerEnvelope } from "../../src/connectors/edi-x12/x12-writer.ts";
import { type SandboxSshd, startSandboxSshd } from "../../src/connectors/sftp/sandbox-sshd.ts";
import { createSftpClient, type SftpClient } from "../../src/connectors/sftp/sftp-client.ts";
import { createSftpPublisher } from "../../src/connectors/sftp/sftp-publisher.ts";
import { type Clock, systemClock } from "../../src/core/clock.ts";
import { type EdiOutboundFile, EdiSftpOutbox } from "./edi-sftp-outbox.ts";
import { SimScheduler } from "./sim-scheduler.ts";

/** The options every sandbox EDI partner takes. */
export interface EdiSftpPartnerOptions {
  /** The SFTP server to use; not closed by `close()`. Default: a sandbox sshd of its own. */
  sshd?: SandboxSshd;
  /** Between two reads of the inbound folder, ms; default 10,000. */
  pollIntervalMs?: number;
  envelope?: Partial<X12PartnerEnvelope>;
  /** First ISA13/GS06/ST02; default 1. */
  firstControlNumber?: number;
  /** Each SFTP call's time limit, ms; default 10,000. */
  sftpTimeoutMs?: number;
  clock?: Clock;
  /** Default 50 with the system clock, false with an injected one (drive with `runDue()`). */
  autoRunMs?: number | false;
}

export interface EdiSftpPartnerSpec {
  /** The SFTP client's connection name in errors, e.g. `sandbox-edi-3pl`. */
  readonly name: string;
  readonly partnerId: string;
  readonly hubId: string;
  readonly inbound: string;
  readonly outbound: string;
  /** GS01 per set type the partner writes. */
  readonly functionalIds: Readonly<Record<string, string>>;
  /** Which time the envelope carries (see `EdiSftpOutbox`). */
  readonly stampedAt: "queued" | "due";
}

export interface EdiSftpPartnerBase {
  readonly clock: Clock;
  readonly sshd: SandboxSshd;
  readonly client: SftpClient;
  readonly envelope: X12PartnerEnvelope;
  readonly scheduler: SimScheduler;
  readonly outbox: EdiSftpOutbox;
  readonly local: { readonly inbound: string; readonly outbound: string };
  readonly errors: readonly { at: number; message: string }[];
  /** Records an SFTP failure (all are retried). */
  failed(error: unknown): void;
  /** Whether the partner's system is in an outage now. */
  down(): boolean;
  readonly closed: boolean;
  /** Schedules the outbox to write `file` when it is due; returns it. */
  queued(file: EdiOutboundFile): EdiOutboundFile;
  /** No reading, no writing for `durationMs` of sandbox time from now; queued files follow. */
  outage(durationMs: number): void;
  /** Creates the folders and polls `poll` every `pollIntervalMs`, writing what is due around it. */
  startPolling(poll: () => Promise<unknown>): Promise<void>;
  close(): Promise<void>;
}

export async function startEdiSftpPartnerBase(
  options: EdiSftpPartnerOptions,
  spec: EdiSftpPartnerSpec,
): Promise<EdiSftpPartnerBase> {
  const clock = options.clock ?? systemClock;
  const pollIntervalMs = Math.max(1, options.pollIntervalMs ?? 10_000);
  const ownSshd = options.sshd === undefined;
  const sshd = options.sshd ?? (await startSandboxSshd());
  const envelope: X12PartnerEnvelope = {
    senderQualifier: "ZZ",
    senderId: spec.partnerId,
    receiverQualifier: "ZZ",
    receiverId: spec.hubId,
    version: "00401",
    elementSeparator: "*",
    segmentTerminator: "~",
    componentSeparator: ">",
    usageIndicator: "T",
    lineBreak: "\n",
    ...options.envelope,
  };
  const client = createSftpClient({
    connection: spec.name,
    ...sshd.connection,
    operationTimeoutMs: options.sftpTimeoutMs ?? 10_000,
    connectTimeoutMs: options.sftpTimeoutMs ?? 10_000,
  });
  const errors: { at: number; message: string }[] = [];
  const failed = (error: unknown) => {
    errors.push({ at: clock.now(), message: error instanceof Error ? error.message : String(error) });
    if (errors.length > 100) errors.shift();
  };
  const scheduler = new SimScheduler({ clock, autoRunMs: options.autoRunMs ?? (options.clock ? false : 50) });
  const outbox = new EdiSftpOutbox({
    clock,
    envelope,
    functionalIds: spec.functionalIds,
    stampedAt: spec.stampedAt,
    publisher: createSftpPublisher({ client, connection: spec.name, outbound: spec.outbound }),
    firstControlNumber: options.firstControlNumber ?? 1,
    failed,
  });
  let outageUntil = Number.NEGATIVE_INFINITY;
  let closed = false;
  const down = () => clock.now() < outageUntil;

  const flush = async () => {
    if (down() || closed) return;
    await outbox.flush();
    const next = outbox.nextDueAt;
    if (next !== undefined && next > clock.now()) scheduler.at(next - clock.now(), flush);
  };

  return {
    clock,
    sshd,
    client,
    envelope,
    scheduler,
    outbox,
    local: { inbound: join(sshd.home, spec.inbound), outbound: join(sshd.home, spec.outbound) },
    errors,
    failed,
    down,
    get closed() {
      return closed;
    },
    queued(file) {
      scheduler.at(file.notBefore - clock.now(), flush);
      return file;
    },
    outage(durationMs) {
      outageUntil = clock.now() + durationMs;
      scheduler.at(durationMs, flush);
    },
    async startPolling(poll) {
      await client.mkdir(spec.inbound);
      await client.mkdir(spec.outbound);
      const tick = async () => {
        if (closed) return;
        try {
          if (!down()) {
            await flush();
            await poll();
            await flush();
          }
        } finally {
          if (!closed) scheduler.at(pollIntervalMs, tick);
        }
      };
      scheduler.at(pollIntervalMs, tick);
    },
    async close() {
      if (closed) return;
      closed = true;
      await scheduler.close();
      await client.close();
      if (ownSshd) await sshd.close();
    },
  };
}
