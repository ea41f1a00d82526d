/**
 * How the sandbox 3PL picks up 940s, the way a 3PL's EDI system does: it lists the inbound folder over
 * SFTP, skips folders, symbolic links and names of uploads in progress (`*.part`, `*.tmp`, `.*`,
 * `*.filepart`), reads each file in name order, moves it to `<inbound>/archive/` and then processes
 * it. A file that cannot be moved is left for the next poll (it is processed only once it is moved,
 * so it never makes orders twice); one over `maxFileBytes` goes to `<inbound>/rejected/` unread.
 *
 * It does not wait for files to settle: like many real 3PLs it trusts the sender to upload under a
 * temporary name and rename, and a file read half-written fails its envelope checks (a rejecting 997).
 */

import type { SftpClient } from "../../src/connectors/sftp/sftp-client.ts";
import {
  compactStamp,
  DEFAULT_TEMP_PATTERNS,
  isSafeName,
  remotePath,
  tempNameMatcher,
  truncateUtf8,
} from "../../src/connectors/sftp/sftp-names.ts";
import type { Clock } from "../../src/core/clock.ts";
import { type Received940Interchange, read940File } from "./read-940.ts";

/** One file taken from the inbound folder and what became of it. */
export interface InboundFile {
  readonly name: string;
  /** Path it was moved to. */
  readonly movedTo: string;
  readonly at: number;
  readonly size: number;
  /** `accepted` every set, `partial` some, `rejected` none, `unreadable` no interchange, `too-large`. */
  readonly outcome: "accepted" | "partial" | "rejected" | "unreadable" | "too-large";
  readonly sets: number;
  readonly acceptedSets: number;
  /** References of the orders it created (a repeated reference creates none). */
  readonly orders: readonly string[];
  readonly problems: readonly string[];
}

export interface Edi3plInboxDeps {
  readonly client: SftpClient;
  readonly clock: Clock;
  readonly inbound: string;
  /** The 3PL's ISA id: ISA08 of what it accepts. */
  readonly partnerId: string;
  readonly maxFileBytes: number;
  readonly failed: (error: unknown) => void;
  /** Handles one interchange's verdicts and orders; returns the references it took as orders. */
  readonly onInterchange: (interchange: Received940Interchange) => string[];
}

const isTemp = tempNameMatcher(DEFAULT_TEMP_PATTERNS);

export class Edi3plInbox {
  readonly files: InboundFile[] = [];
  readonly #deps: Edi3plInboxDeps;
  #folders = false;
  #seq = 0;

  constructor(deps: Edi3plInboxDeps) {
    this.#deps = deps;
  }

  /** Reads what is in the inbound folder now. SFTP failures are reported and end the poll early. */
  async poll(): Promise<number> {
    const { client, inbound } = this.#deps;
    let taken = 0;
    try {
      if (!this.#folders) {
        await client.mkdir(remotePath(inbound, "archive"));
        await client.mkdir(remotePath(inbound, "rejected"));
        this.#folders = true;
      }
      const entries = (await client.list(inbound))
        .filter((e) => e.kind === "file" && isSafeName(e.name) && !isTemp(e.name))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        await this.#take(entry.name);
        taken++;
      }
    } catch (error) {
      this.#deps.failed(error);
    }
    return taken;
  }

  async #take(name: string): Promise<void> {
    const { client, inbound, clock } = this.#deps;
    const from = remotePath(inbound, name);
    const read = await client.read(from, { maxBytes: this.#deps.maxFileBytes });
    const now = clock.now();
    const moved = `${truncateUtf8(name, 200)}.${compactStamp(now)}.${++this.#seq}`;
    const folder = read.ok ? "archive" : "rejected";
    const movedTo = remotePath(remotePath(inbound, folder), moved);
    await client.rename(from, movedTo);
    if (!read.ok) {
      this.files.push({
        name,
        movedTo,
        at: now,
        size: read.bytesRead,
        outcome: "too-large",
        sets: 0,
        acceptedSets: 0,
        orders: [],
        problems: [`${name} is larger than ${this.#deps.maxFileBytes} bytes`],
      });
      return;
    }
    const result = read940File(name, read.bytes, this.#deps.partnerId);
    const orders: string[] = [];
    let sets = 0;
    let accepted = 0;
    for (const interchange of result.interchanges) {
      sets += interchange.outcomes.length;
      accepted += interchange.outcomes.filter((o) => o.accepted).length;
      orders.push(...this.#deps.onInterchange(interchange));
    }
    const outcome =
      result.interchanges.every((i) => i.isa === undefined) || sets === 0
        ? "unreadable"
        : accepted === sets
          ? "accepted"
          : accepted === 0
            ? "rejected"
            : "partial";
    this.files.push({
      name,
      movedTo,
      at: now,
      size: read.bytes.length,
      outcome,
      sets,
      acceptedSets: accepted,
      orders,
      problems: result.problems,
    });
  }
}
