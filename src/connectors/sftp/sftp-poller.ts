/**
 * Inbound files over SFTP: polls one folder, reads each file once it has settled, appends its bytes
 * to the durable inbox, and only after that commit moves the file to `done/`.
 *
 * Guarantees (see docs/sftp.md):
 * - **Nothing acknowledged is lost.** A file leaves the inbound folder only after the inbox holds its
 *   content. A crash between the commit and the move leaves the file where it was; the next poll
 *   reads it again and the inbox answers "duplicate", so it is moved without a second message.
 * - **Exactly once in the inbox by content.** The inbox dedupe key is `sftp:<connection>:<sha256>`:
 *   the same bytes under another name, or uploaded again, are one message (and both files go to
 *   `done/`). A partner that really sends the same bytes twice on purpose must vary them.
 * - **Never a partial file.** Names matching `tempPatterns` are not touched, other files only once
 *   `SettleTracker` saw them unchanged for `settleMs`, and a file that changed while it was read is
 *   put back to settle again.
 * - Decoding is not done here (the inbox processor does it and keeps bad content as an exception);
 *   only files that cannot be taken in at all (over `maxFileBytes` or the store's limit, unreadable)
 *   go to `error/`, with a `.error.json` sidecar that says why.
 *
 * Files are taken in name order, at most `maxFilesPerPoll` per poll (the loop polls again at once when
 * more are waiting). One poller per folder: two pollers on one folder stay correct (the inbox dedupes
 * and a lost rename race is ignored) but do the work twice.
 */
import { createHash } from "node:crypto";
import type { Clock } from "../../core/clock.ts";
import { CrossdockError, type StoredError, toStoredError } from "../../core/errors.ts";
import { systemTimers, type Timers } from "../../core/timers.ts";
import { type StructuredLogger, silentLogger } from "../../delivery/structured-logger.ts";
import { type RetryPolicy, resolveRetryPolicy } from "../../store/retry-policy.ts";
import type { Store } from "../../store/store.ts";
import { SettleTracker } from "./settle-tracker.ts";
import { createSftpArchive } from "./sftp-archive.ts";
import type { SftpClient } from "./sftp-client.ts";
import { DEFAULT_TEMP_PATTERNS, isSafeName, tempNameMatcher } from "./sftp-names.ts";
import { createPollLoop } from "./sftp-poll-loop.ts";
import { type FileCounts, type TakeFileContext, takeFile } from "./take-file.ts";

export interface SftpPollerOptions {
  client: SftpClient;
  store: Pick<Store, "inbox">;
  clock: Clock;
  /** Connection name: the inbox connection and part of the dedupe key. */
  connection: string;
  /** Folder to poll, relative to the login folder or absolute. */
  inbound: string;
  /** Default `<inbound>/done`. */
  doneFolder?: string;
  /** Default `<inbound>/error`. */
  errorFolder?: string;
  /** How long a file must stay unchanged before it is read. Default 2,000 ms. */
  settleMs?: number;
  /** Names never read (uploads in progress). Default `*.part`, `*.tmp`, `.*`, `*.filepart`. */
  tempPatterns?: readonly string[];
  /** Larger files go to `error/`. Default 5 MiB (the store's default message limit). */
  maxFileBytes?: number;
  /** Default 100. */
  maxFilesPerPoll?: number;
  /** Content type given to the inbox messages. Default none. */
  contentType?: string;
  /** Back-off after a failed poll. Default 1 s doubling to 60 s, jitter 0.2. */
  retry?: Partial<RetryPolicy>;
  timers?: Timers;
  logger?: StructuredLogger;
  random?: () => number;
  onPoll?: (result: SftpPollResult) => void;
}

export interface SftpPollResult extends FileCounts {
  /** Regular files listed. */
  listed: number;
  /** Skipped this time: temporary names, not settled yet, unsafe names. */
  skipped: { temp: number; unsettled: number; unsafe: number };
  /** More settled files were waiting than `maxFilesPerPoll`. */
  more: boolean;
  /** `retry` when the poll stopped on a failure; files not yet moved are taken next time. */
  outcome: "ok" | "retry";
  error?: StoredError;
}

export interface SftpPoller {
  pollOnce(): Promise<SftpPollResult>;
  start(options?: { intervalMs?: number }): void;
  wake(): void;
  stop(): Promise<void>;
}

export function createSftpPoller(options: SftpPollerOptions): SftpPoller {
  const { client, store, clock, connection, inbound } = options;
  const logger = options.logger ?? silentLogger;
  const maxFileBytes = options.maxFileBytes ?? 5 * 1024 * 1024;
  const maxFiles = options.maxFilesPerPoll ?? 100;
  const isTemp = tempNameMatcher(options.tempPatterns ?? DEFAULT_TEMP_PATTERNS);
  const tracker = new SettleTracker(clock, options.settleMs ?? 2_000);
  const archive = createSftpArchive({
    client,
    clock,
    connection,
    inbound,
    done: options.doneFolder ?? `${inbound}/done`,
    error: options.errorFolder ?? `${inbound}/error`,
    logger,
  });
  const unsafeLogged = new Set<string>();
  const hash = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
  const context: TakeFileContext = {
    ...{ client, store, connection, inbound, archive, tracker, maxFileBytes, hash, logger },
    ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
  };

  async function poll(): Promise<SftpPollResult> {
    const result: SftpPollResult = {
      listed: 0,
      skipped: { temp: 0, unsettled: 0, unsafe: 0 },
      received: 0,
      duplicates: 0,
      archived: 0,
      errored: 0,
      more: false,
      outcome: "ok",
    };
    try {
      const files = (await client.list(inbound)).filter((entry) => entry.kind === "file");
      result.listed = files.length;
      const candidates = files.filter((file) => {
        if (!isSafeName(file.name)) {
          result.skipped.unsafe++;
          if (!unsafeLogged.has(file.name)) {
            if (unsafeLogged.size >= 1_000) unsafeLogged.clear();
            unsafeLogged.add(file.name);
            logger.warn({ connection, file: file.name }, "SFTP file name refused, left where it is");
          }
          return false;
        }
        if (isTemp(file.name)) result.skipped.temp++;
        return !isTemp(file.name);
      });
      const settled = tracker.observe(candidates);
      const ready = candidates
        .filter((file) => settled.has(file.name))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      result.skipped.unsettled = candidates.length - ready.length;
      result.more = ready.length > maxFiles;
      for (const file of ready.slice(0, maxFiles)) await takeFile(context, file, result);
      return result;
    } catch (error) {
      const failure =
        error instanceof CrossdockError
          ? error
          : new CrossdockError("CDK_INTERNAL", `SFTP poll of ${connection} failed: ${String(error)}`, {
              cause: error,
            });
      // Config failures (a refused key) are retried too, with back-off: the partner often fixes them on
      // their side (installs our key) without us restarting. They are logged as errors, not warnings.
      const fields = { connection, error: failure.toJSON() };
      if (failure.failureClass === "transient")
        logger.warn(fields, "SFTP poll failed; files stay for the next poll");
      else logger.error(fields, "SFTP poll failed; files stay for the next poll");
      return { ...result, outcome: "retry", error: toStoredError(failure) };
    }
  }

  const loop = createPollLoop(poll, {
    timers: options.timers ?? systemTimers,
    retry: resolveRetryPolicy({
      initialIntervalMs: 1_000,
      backoffCoefficient: 2,
      maximumIntervalMs: 60_000,
      maximumAttempts: 0,
      jitter: 0.2,
      ...options.retry,
    }),
    ...(options.random ? { random: options.random } : {}),
    ...(options.onPoll ? { onPoll: options.onPoll } : {}),
  });
  return {
    pollOnce: loop.pollOnce,
    start: ({ intervalMs = 10_000 } = {}) => loop.start(intervalMs),
    wake: loop.wake,
    stop: loop.stop,
  };
}
