/**
 * Decides when a file in an inbound folder has stopped changing. A partner that writes a file in
 * place (no temporary name, no rename) gives no signal that it is done; the only evidence is that
 * the file's size and modification time stay the same for a while.
 *
 * A file is *settled* when two listings at least `settleMs` apart (by our clock) saw the same size
 * and modification time. The server's modification time is compared only with itself, never with
 * our clock: SFTP v3 carries whole seconds and partners' clocks drift, so "mtime older than
 * settleMs" would be wrong in both directions. A newly seen file (and every file after a restart)
 * therefore waits at least one more poll.
 *
 * What it cannot see: a writer that stalls longer than `settleMs` in the middle of a file. Partners
 * should upload under a temporary name (`.part`) and rename; `settleMs` is the fallback.
 */
import type { Clock } from "../../core/clock.ts";

interface Observation {
  size: number;
  modifiedAt: number;
  /** When this size and mtime were first seen, by our clock. */
  since: number;
}

export class SettleTracker {
  readonly #clock: Clock;
  readonly #settleMs: number;
  #seen = new Map<string, Observation>();

  constructor(clock: Clock, settleMs: number) {
    this.#clock = clock;
    this.#settleMs = settleMs;
  }

  /**
   * Records one listing and returns the names that are settled. Names no longer listed are
   * forgotten, so a file that comes back later starts over.
   */
  observe(files: readonly { name: string; size: number; modifiedAt: number }[]): Set<string> {
    const now = this.#clock.now();
    const next = new Map<string, Observation>();
    const settled = new Set<string>();
    for (const file of files) {
      const before = this.#seen.get(file.name);
      const same = before !== undefined && before.size === file.size && before.modifiedAt === file.modifiedAt;
      const since = same ? before.since : now;
      next.set(file.name, { size: file.size, modifiedAt: file.modifiedAt, since });
      if (same && now - since >= this.#settleMs) settled.add(file.name);
    }
    this.#seen = next;
    return settled;
  }

  /** Starts a file over (it changed while we read it, or was moved away). */
  forget(name: string): void {
    this.#seen.delete(name);
  }

  /** Files being watched. */
  get size(): number {
    return this.#seen.size;
  }
}
