/**
 * How a sandbox EDI partner (the 3PL, the trading partner) picks up what the hub sends, the way a
 * partner's EDI system does: it lists its inbound folder over SFTP, skips folders, symbolic links and
 * names of uploads in progress (`*.part`, `*.tmp`, `.*`, `*.filepart`), reads each file in name order,
 * moves it to `<inbound>/archive/` and only then processes it. A file that cannot be moved is left for
 * the next poll (processed only once moved, so never twice); one over `maxFileBytes` goes to
 * `<inbound>/rejected/` unread.
 *
 * It does not wait for files to settle: like many real partners it trusts the sender to upload under a
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

/** One file taken from the inbound folder and what became of it. */
export interface EdiInboundFile {
  readonly name: string;
  /** Path it was moved to. */
  readonly movedTo: string;
  readonly at: number;
  readonly size: number;
  /** `accepted` every set, `partial` some, `rejected` none, `unreadable` no interchange, `too-large`. */
  readonly outcome: "accepted" | "partial" | "rejected" | "unreadable" | "too-large";
  readonly sets: number;
  readonly acceptedSets: number;
  /** What the partner took from it (order references, PO numbers): what `onInterchange` returned. */
  readonly documents: readonly string[];
  readonly problems: readonly string[];
}

/** An interchange as the partner's reader gives it: its ISA (undefined for bare sets) and set verdicts. */
export interface ReadInterchange {
  readonly isa: unknown;
  readonly outcomes: readonly { readonly accepted: boolean }[];
}

export interface EdiSftpInboxDeps<I extends ReadInterchange> {
  readonly client: SftpClient;
  readonly clock: Clock;
  readonly inbound: string;
  /** The partner's ISA id: ISA08 of what it accepts. */
  readonly partnerId: string;
  readonly maxFileBytes: number;
  readonly failed: (error: unknown) => void;
  /** The partner's reader of one file. */
  readonly read: (
    name: string,
    bytes: Uint8Array,
    partnerId: string,
  ) => { interchanges: readonly I[]; problems: readonly string[] };
  /** Handles one interchange (answers, orders); returns the references of what it took. */
  readonly onInterchange: (interchange: I) => string[];
}

const isTemp = tempNameMatcher(DEFAULT_TEMP_PATTERNS);

export class EdiSftpInbox<I extends ReadInterchange> {
  readonly files: EdiInboundFile[] = [];
  readonly #deps: EdiSftpInboxDeps<I>;
  #folders = false;
  #seq = 0;

  constructor(deps: EdiSftpInboxDeps<I>) {
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
    const movedTo = remotePath(remotePath(inbound, read.ok ? "archive" : "rejected"), moved);
    await client.rename(from, movedTo);
    const base = { name, movedTo, at: now };
    if (!read.ok) {
      this.files.push({
        ...base,
        size: read.bytesRead,
        outcome: "too-large",
        sets: 0,
        acceptedSets: 0,
        documents: [],
        problems: [`${name} is larger than ${this.#deps.maxFileBytes} bytes`],
      });
      return;
    }
    const result = this.#deps.read(name, read.bytes, this.#deps.partnerId);
    const documents: string[] = [];
    let sets = 0;
    let accepted = 0;
    for (const interchange of result.interchanges) {
      sets += interchange.outcomes.length;
      accepted += interchange.outcomes.filter((o) => o.accepted).length;
      documents.push(...this.#deps.onInterchange(interchange));
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
      ...base,
      size: read.bytes.length,
      outcome,
      sets,
      acceptedSets: accepted,
      documents,
      problems: result.problems,
    });
  }
}
