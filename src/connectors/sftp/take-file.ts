/**
 * Taking one settled inbound file: read it (bounded), check it did not change meanwhile, append it to
 * the inbox, and only after that commit move it to `done/`. Files that cannot be taken in go to
 * `error/`. Failures of the connection or the store are thrown: the file stays where it is and the
 * next poll starts over, which the inbox dedupe makes harmless.
 */
import { CrossdockError } from "../../core/errors.ts";
import type { StructuredLogger } from "../../delivery/structured-logger.ts";
import type { Store } from "../../store/store.ts";
import type { SettleTracker } from "./settle-tracker.ts";
import type { SftpArchive } from "./sftp-archive.ts";
import type { SftpClient, SftpEntry } from "./sftp-client.ts";
import { sftpFailureReason } from "./sftp-errors.ts";
import { remotePath } from "./sftp-names.ts";

/** What happened to the files of one poll. */
export interface FileCounts {
  /** New inbox messages. */
  received: number;
  /** Files whose content the inbox already held (moved to `done/` all the same). */
  duplicates: number;
  /** Files moved to `done/`. */
  archived: number;
  /** Files moved to `error/`. */
  errored: number;
}

export interface TakeFileContext {
  client: SftpClient;
  store: Pick<Store, "inbox">;
  connection: string;
  inbound: string;
  archive: SftpArchive;
  tracker: SettleTracker;
  maxFileBytes: number;
  contentType?: string;
  hash(bytes: Uint8Array): string;
  logger: StructuredLogger;
}

function tooLarge(size: number, limit: number, name: string): CrossdockError {
  return new CrossdockError(
    "CDK_INBOX_MESSAGE_TOO_LARGE",
    `File ${JSON.stringify(name)} of ${size} bytes exceeds the limit of ${limit} bytes`,
    { details: { size, limit } },
  );
}

export async function takeFile(ctx: TakeFileContext, file: SftpEntry, counts: FileCounts): Promise<void> {
  const { client, connection, tracker } = ctx;
  const path = remotePath(ctx.inbound, file.name);
  // Not a content hash (the file was not read): only keeps two error/ names of one file apart.
  const idKey = ctx.hash(Buffer.from(`${file.name}\0${file.size}\0${file.modifiedAt}`));
  const quarantine = async (reason: string, error: CrossdockError) => {
    await ctx.archive.quarantine(file, idKey, {
      reason,
      code: error.code,
      message: error.message,
      ...(error.details ? { details: error.details } : {}),
    });
    tracker.forget(file.name);
    counts.errored++;
  };
  if (file.size > ctx.maxFileBytes)
    return quarantine("too-large", tooLarge(file.size, ctx.maxFileBytes, file.name));

  let read: Awaited<ReturnType<SftpClient["read"]>>;
  try {
    read = await client.read(path, { maxBytes: ctx.maxFileBytes });
  } catch (error) {
    const reason = sftpFailureReason(error);
    if (reason === "not-found") return tracker.forget(file.name); // taken by someone else
    if (reason === "permission-denied") return quarantine("unreadable", error as CrossdockError);
    throw error;
  }
  if (!read.ok) return quarantine("too-large", tooLarge(read.bytesRead, ctx.maxFileBytes, file.name));
  const now = await client.stat(path);
  if (
    !now ||
    now.size !== file.size ||
    now.modifiedAt !== file.modifiedAt ||
    read.bytes.length !== file.size
  ) {
    // Still being written after all: start settling again.
    tracker.forget(file.name);
    ctx.logger.info(
      { connection, file: file.name },
      "SFTP file changed while read; waiting for it to settle",
    );
    return;
  }

  const sha256 = ctx.hash(read.bytes);
  let duplicate: boolean;
  try {
    const receipt = await ctx.store.inbox.append({
      source: "sftp",
      connection,
      dedupeKey: `sftp:${connection}:${sha256}`,
      body: read.bytes,
      headers: {
        "x-sftp-file": file.name,
        "x-sftp-folder": ctx.inbound,
        "x-sftp-size": String(file.size),
        "x-sftp-modified-at": new Date(file.modifiedAt).toISOString(),
        "x-content-sha256": sha256,
      },
      ...(ctx.contentType === undefined ? {} : { contentType: ctx.contentType }),
    });
    duplicate = receipt.duplicate;
  } catch (error) {
    if (error instanceof CrossdockError && error.code === "CDK_INBOX_MESSAGE_TOO_LARGE")
      return quarantine("too-large", error);
    throw error;
  }
  if (duplicate) counts.duplicates++;
  else counts.received++;

  // Committed: from here on the file may leave the inbound folder.
  try {
    const target = await ctx.archive.done(file.name, sha256);
    ctx.logger.info(
      { connection, file: file.name, movedTo: target, sha256, duplicate },
      "SFTP file taken in",
    );
    counts.archived++;
  } catch (error) {
    if (sftpFailureReason(error) !== "not-found") throw error;
  } finally {
    tracker.forget(file.name);
  }
}
