/**
 * How the sandbox trading partner picks up the hub's 850s, the way a partner's EDI system does (the
 * sandbox EDI 3PL's pickup, with 850s): it lists the inbound folder over SFTP, skips folders, links
 * and upload names (`*.part`, `*.tmp`, `.*`, `*.filepart`), reads each file in name order, moves it to
 * `<inbound>/archive/` and only then processes it (a file that cannot be moved is left for the next
 * poll, so nothing is processed twice); one over `maxFileBytes` goes to `<inbound>/rejected/` unread.
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
import { type Received850Interchange, read850File } from "./read-850.ts";

/** One file taken from the inbound folder and what became of it. */
export interface PartnerInboundFile {
  readonly name: string;
  readonly movedTo: string;
  readonly at: number;
  readonly size: number;
  /** `accepted` every set, `partial` some, `rejected` none, `unreadable` no interchange, `too-large`. */
  readonly outcome: "accepted" | "partial" | "rejected" | "unreadable" | "too-large";
  readonly sets: number;
  readonly acceptedSets: number;
  /** PO numbers (BEG03) of the accepted 850s. */
  readonly purchaseOrders: readonly string[];
  readonly problems: readonly string[];
}

export interface EdiPartnerInboxDeps {
  readonly client: SftpClient;
  readonly clock: Clock;
  readonly inbound: string;
  readonly partnerId: string;
  readonly maxFileBytes: number;
  readonly failed: (error: unknown) => void;
  readonly onInterchange: (interchange: Received850Interchange) => void;
}

const isTemp = tempNameMatcher(DEFAULT_TEMP_PATTERNS);

export class EdiPartnerInbox {
  readonly files: PartnerInboundFile[] = [];
  readonly #deps: EdiPartnerInboxDeps;
  #folders = false;
  #seq = 0;

  constructor(deps: EdiPartnerInboxDeps) {
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
        purchaseOrders: [],
        problems: [`${name} is larger than ${this.#deps.maxFileBytes} bytes`],
      });
      return;
    }
    const result = read850File(name, read.bytes, this.#deps.partnerId);
    let sets = 0;
    let accepted = 0;
    const purchaseOrders: string[] = [];
    for (const interchange of result.interchanges) {
      sets += interchange.outcomes.length;
      accepted += interchange.outcomes.filter((o) => o.accepted).length;
      purchaseOrders.push(...interchange.orders.map((o) => o.order.channelOrderId));
      this.#deps.onInterchange(interchange);
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
      purchaseOrders,
      problems: result.problems,
    });
  }
}
