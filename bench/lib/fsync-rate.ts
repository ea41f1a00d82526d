import { closeSync, fdatasyncSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";

export interface FsyncRate {
  mode: "overwrite" | "append";
  /** Completed write + fdatasync pairs per second. */
  perSecond: number;
  /** Mean time of one pair, ms. */
  meanMs: number;
  writes: number;
  blockBytes: number;
}

/**
 * Measures how many small durable writes the disk under `dir` takes per second: a 4 KiB write followed
 * by `fdatasync`, in a loop, from one thread (what a single SQLite writer or one WAL flusher does). This
 * is the ceiling of any design that syncs once per commit, and it bounds how much a group commit helps.
 */
export function measureFsyncRate(
  dir: string,
  options: { durationMs?: number; blockBytes?: number; mode?: "overwrite" | "append" } = {},
): FsyncRate {
  const { durationMs = 1_000, blockBytes = 4_096, mode = "overwrite" } = options;
  const path = join(dir, `fsync-probe-${process.pid}.bin`);
  const fd = openSync(path, "w");
  const block = Buffer.alloc(blockBytes, 0x5a);
  let writes = 0;
  const started = performance.now();
  try {
    // `overwrite` rewrites a ring of blocks, like a WAL reused after a checkpoint; `append` grows the
    // file, so each sync also commits the file-size change to the file system journal.
    while (performance.now() - started < durationMs) {
      const position = mode === "append" ? writes * blockBytes : (writes % 256) * blockBytes;
      writeSync(fd, block, 0, blockBytes, position);
      fdatasyncSync(fd);
      writes += 1;
    }
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
  const elapsedMs = performance.now() - started;
  return { mode, perSecond: (writes * 1_000) / elapsedMs, meanMs: elapsedMs / writes, writes, blockBytes };
}
