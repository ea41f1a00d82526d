/**
 * What a sandbox EDI partner (the 3PL, the trading partner) sends: each document becomes an interchange
 * in the partner's envelope with its own increasing control numbers (ISA13, GS06, ST02), waits in an
 * outbox until it is due, and is published to the outbound folder atomically (`.name.part`, then
 * rename) by `flush()`, in order. A publish that fails (server down, timeout) leaves it and everything
 * after it queued for the next flush: nothing is dropped.
 *
 * Names are `<type>_<UTC stamp>_<ISA13>.x12` (`945_20260101T000100000Z_000000002.x12`), so a sandbox
 * restarted on the same folder never collides with its earlier files; a resent duplicate is
 * `<name>.resend<n>.x12` with the very same bytes. GS01 follows the set type (`functionalIds`).
 */

import {
  writeX12Interchange,
  type X12PartnerEnvelope,
  type X12SetBody,
} from "../../src/connectors/edi-x12/x12-writer.ts";
import { compactStamp } from "../../src/connectors/sftp/sftp-names.ts";
import type { SftpPublisher } from "../../src/connectors/sftp/sftp-publisher.ts";
import type { Clock } from "../../src/core/clock.ts";

/** One file the partner sends. */
export interface EdiOutboundFile {
  readonly name: string;
  /** The set type: `997`, `945`, `855`, ... */
  readonly type: string;
  readonly bytes: Buffer;
  /** ISA13 of its interchange. */
  readonly interchange: number;
  /** Not published before this clock time. */
  readonly notBefore: number;
  /** When it was published; undefined while queued. */
  writtenAt?: number;
  /** For a resent duplicate: the name of the file it repeats. */
  readonly duplicateOf?: string;
}

export interface EdiSftpOutboxDeps {
  readonly clock: Clock;
  readonly publisher: SftpPublisher;
  readonly envelope: X12PartnerEnvelope;
  readonly firstControlNumber: number;
  /** GS01 by set type; `ZZ` for a type not listed. */
  readonly functionalIds: Readonly<Record<string, string>>;
  /**
   * The time the envelope (ISA09/10, GS04/05) and the name carry: when the document was queued, or when
   * it is due (the partner wrote it then).
   */
  readonly stampedAt: "queued" | "due";
  /** Told about each publish failure (kept for diagnostics). */
  readonly failed: (error: unknown, file: EdiOutboundFile) => void;
}

export class EdiSftpOutbox {
  /** Every file, queued or published, in the order it was made. */
  readonly files: EdiOutboundFile[] = [];
  readonly #deps: EdiSftpOutboxDeps;
  #queue: EdiOutboundFile[] = [];
  #interchange: number;
  #group: number;
  #set: number;

  constructor(deps: EdiSftpOutboxDeps) {
    this.#deps = deps;
    this.#interchange = deps.firstControlNumber - 1;
    this.#group = deps.firstControlNumber - 1;
    this.#set = deps.firstControlNumber - 1;
  }

  get pending(): number {
    return this.#queue.length;
  }

  /** Earliest `notBefore` among queued files. */
  get nextDueAt(): number | undefined {
    return this.#queue.reduce<number | undefined>(
      (min, f) => Math.min(min ?? f.notBefore, f.notBefore),
      undefined,
    );
  }

  /**
   * Wraps `sets` (all of `type`) in a new interchange and queues it, `delayMs` from now. `receiver`
   * overrides the envelope's receiver (a 997 goes back to whoever sent the interchange it answers).
   */
  send(
    type: string,
    sets: readonly X12SetBody[],
    options: { delayMs?: number; receiver?: { qualifier: string; id: string } } = {},
  ): EdiOutboundFile {
    const now = this.#deps.clock.now();
    const envelope = options.receiver
      ? {
          ...this.#deps.envelope,
          receiverQualifier: options.receiver.qualifier,
          receiverId: options.receiver.id,
        }
      : this.#deps.envelope;
    this.#interchange = (this.#interchange % 999_999_999) + 1;
    this.#group = (this.#group % 999_999_999) + 1;
    const setNumbers: number[] = [];
    for (const _ of sets) {
      this.#set = (this.#set % 9_999) + 1;
      setNumbers.push(this.#set);
    }
    const control = { interchange: this.#interchange, group: this.#group, sets: setNumbers };
    const notBefore = now + Math.max(0, options.delayMs ?? 0);
    const stamp = this.#deps.stampedAt === "due" ? notBefore : now;
    const text = writeX12Interchange(envelope, {
      functionalId: this.#deps.functionalIds[type] ?? "ZZ",
      sets,
      control,
      at: new Date(stamp),
    });
    const file: EdiOutboundFile = {
      name: `${type}_${compactStamp(stamp)}_${String(control.interchange).padStart(9, "0")}.x12`,
      type,
      bytes: Buffer.from(text, "utf8"),
      interchange: control.interchange,
      notBefore,
    };
    this.#enqueue(file);
    return file;
  }

  /** Queues `original`'s bytes once more under a new name, `delayMs` from now. */
  resend(original: EdiOutboundFile, delayMs: number): EdiOutboundFile {
    const copies = this.files.filter((f) => f.duplicateOf === original.name).length;
    const file: EdiOutboundFile = {
      ...original,
      name: original.name.replace(/\.x12$/, `.resend${copies + 1}.x12`),
      notBefore: this.#deps.clock.now() + Math.max(0, delayMs),
      duplicateOf: original.name,
      writtenAt: undefined,
    };
    this.#enqueue(file);
    return file;
  }

  /** Publishes the queued files that are due, in order; stops at the first failure. */
  async flush(): Promise<number> {
    let written = 0;
    for (;;) {
      const now = this.#deps.clock.now();
      const next = this.#queue.find((f) => f.notBefore <= now);
      if (next === undefined) return written;
      try {
        await this.#deps.publisher.publish(next.name, next.bytes);
      } catch (error) {
        this.#deps.failed(error, next);
        return written;
      }
      next.writtenAt = this.#deps.clock.now();
      this.#queue = this.#queue.filter((f) => f !== next);
      written++;
    }
  }

  #enqueue(file: EdiOutboundFile): void {
    this.files.push(file);
    this.#queue.push(file);
  }
}
