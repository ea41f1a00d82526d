/**
 * What the sandbox trading partner sends: each document becomes an interchange in the partner's
 * envelope with its own increasing control numbers (ISA13, GS06, ST02), waits in an outbox until it is
 * due, and is published to the outbound folder atomically (`.name.part`, then rename) by `flush()`, in
 * order. A publish that fails (server down, timeout) leaves it and everything after it queued.
 *
 * Names are `<type>_<UTC stamp>_<ISA13>.x12`; GS01 follows the set: `FA` 997, `PR` 855, `PO` 850,
 * `IN` 810. (The same scheme as the sandbox EDI 3PL's outbox, with the partner's documents.)
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
export interface PartnerOutboundFile {
  readonly name: string;
  /** `997`, `855`, `850` or `810`. */
  readonly type: string;
  readonly bytes: Buffer;
  /** ISA13 of its interchange. */
  readonly interchange: number;
  /** Not published before this clock time. */
  readonly notBefore: number;
  /** When it was published; undefined while queued. */
  writtenAt?: number;
}

export interface EdiPartnerOutboxDeps {
  readonly clock: Clock;
  readonly publisher: SftpPublisher;
  readonly envelope: X12PartnerEnvelope;
  readonly firstControlNumber: number;
  readonly failed: (error: unknown, file: PartnerOutboundFile) => void;
}

const FUNCTIONAL_IDS: Readonly<Record<string, string>> = {
  "997": "FA",
  "855": "PR",
  "850": "PO",
  "810": "IN",
};

export class EdiPartnerOutbox {
  readonly files: PartnerOutboundFile[] = [];
  readonly #deps: EdiPartnerOutboxDeps;
  #queue: PartnerOutboundFile[] = [];
  #interchange: number;
  #group: number;
  #set: number;

  constructor(deps: EdiPartnerOutboxDeps) {
    this.#deps = deps;
    this.#interchange = deps.firstControlNumber - 1;
    this.#group = deps.firstControlNumber - 1;
    this.#set = deps.firstControlNumber - 1;
  }

  /** Earliest `notBefore` among queued files. */
  get nextDueAt(): number | undefined {
    return this.#queue.reduce<number | undefined>(
      (min, f) => Math.min(min ?? f.notBefore, f.notBefore),
      undefined,
    );
  }

  /** Wraps `sets` (all of `type`) in a new interchange and queues it, `delayMs` from now. */
  send(
    type: string,
    sets: readonly X12SetBody[],
    options: { delayMs?: number; receiver?: { qualifier: string; id: string } } = {},
  ): PartnerOutboundFile {
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
    // Written when it is due: ISA09/10 and GS04/05 say when the partner sent it.
    const text = writeX12Interchange(envelope, {
      functionalId: FUNCTIONAL_IDS[type] ?? "ZZ",
      sets,
      control,
      at: new Date(notBefore),
    });
    const file: PartnerOutboundFile = {
      name: `${type}_${compactStamp(notBefore)}_${String(control.interchange).padStart(9, "0")}.x12`,
      type,
      bytes: Buffer.from(text, "utf8"),
      interchange: control.interchange,
      notBefore,
    };
    this.files.push(file);
    this.#queue.push(file);
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
}
