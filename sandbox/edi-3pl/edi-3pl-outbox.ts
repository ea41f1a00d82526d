/**
 * What the sandbox 3PL sends: each document becomes an interchange in the 3PL's envelope with its own
 * increasing control numbers (ISA13, GS06, ST02), waits in an outbox, and is published to the outbound
 * folder atomically (`.name.part`, then rename) by `flush()`, in order. A publish that fails (server
 * down, timeout) leaves it and everything after it queued for the next flush: nothing is dropped.
 *
 * Names are `<type>_<UTC stamp>_<ISA13>.x12` (`945_20260101T000100000Z_000000002.x12`), so a sandbox
 * restarted on the same folder never collides with its earlier files; a resent duplicate is
 * `<name>.resend<n>.x12` with the very same bytes.
 */

import {
  writeX12Interchange,
  type X12PartnerEnvelope,
  type X12SetBody,
} from "../../src/connectors/edi-x12/x12-writer.ts";
import { compactStamp } from "../../src/connectors/sftp/sftp-names.ts";
import type { SftpPublisher } from "../../src/connectors/sftp/sftp-publisher.ts";
import type { Clock } from "../../src/core/clock.ts";

/** One file the 3PL sends. */
export interface OutboundFile {
  readonly name: string;
  /** `997`, `945`, `846` or `944`. */
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

export interface Edi3plOutboxDeps {
  readonly clock: Clock;
  readonly publisher: SftpPublisher;
  readonly envelope: X12PartnerEnvelope;
  readonly firstControlNumber: number;
  /** Told about each publish failure (kept for diagnostics). */
  readonly failed: (error: unknown, file: OutboundFile) => void;
}

const FUNCTIONAL_IDS: Record<string, string> = { "997": "FA", "945": "SW", "846": "IB", "944": "RE" };

export class Edi3plOutbox {
  /** Every file, queued or published, in the order it was made. */
  readonly files: OutboundFile[] = [];
  readonly #deps: Edi3plOutboxDeps;
  #queue: OutboundFile[] = [];
  #interchange: number;
  #group: number;
  #set: number;

  constructor(deps: Edi3plOutboxDeps) {
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
   * Wraps `sets` (all of `type`) in a new interchange and queues it. `receiver` overrides the envelope's
   * receiver (a 997 goes back to whoever sent the interchange it answers).
   */
  send(
    type: string,
    sets: readonly X12SetBody[],
    options: { delayMs?: number; receiver?: { qualifier: string; id: string } } = {},
  ): OutboundFile {
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
    const text = writeX12Interchange(envelope, {
      functionalId: FUNCTIONAL_IDS[type] ?? "ZZ",
      sets,
      control,
      at: new Date(now),
    });
    const file: OutboundFile = {
      name: `${type}_${compactStamp(now)}_${String(control.interchange).padStart(9, "0")}.x12`,
      type,
      bytes: Buffer.from(text, "utf8"),
      interchange: control.interchange,
      notBefore: now + Math.max(0, options.delayMs ?? 0),
    };
    this.#enqueue(file);
    return file;
  }

  /** Queues `original`'s bytes once more under a new name, `delayMs` from now. */
  resend(original: OutboundFile, delayMs: number): OutboundFile {
    const copies = this.files.filter((f) => f.duplicateOf === original.name).length;
    const file: OutboundFile = {
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
    while (this.#queue.length > 0) {
      const now = this.#deps.clock.now();
      const next = this.#queue.find((f) => f.notBefore <= now);
      if (next === undefined) break;
      try {
        await this.#deps.publisher.publish(next.name, next.bytes);
      } catch (error) {
        this.#deps.failed(error, next);
        break;
      }
      next.writtenAt = this.#deps.clock.now();
      this.#queue = this.#queue.filter((f) => f !== next);
      written++;
    }
    return written;
  }

  #enqueue(file: OutboundFile): void {
    this.files.push(file);
    this.#queue.push(file);
  }
}
