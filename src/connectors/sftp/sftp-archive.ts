/**
 * Moving an inbound file out of the way once it is dealt with: to `done/` after its content is
 * committed to the inbox, or to `error/` with a `.error.json` sidecar when it could not be taken in
 * (too large, unreadable). Both are plain SFTP renames within the server, so the bytes never travel
 * again, and OpenSSH's rename never overwrites: an archived file is never clobbered.
 */
import type { Clock } from "../../core/clock.ts";
import type { StructuredLogger } from "../../delivery/structured-logger.ts";
import type { SftpClient } from "./sftp-client.ts";
import { archiveName, remotePath, SIDECAR_SUFFIX } from "./sftp-names.ts";

/** Why a file went to `error/`; written into its sidecar. */
export interface QuarantineReason {
  /** `too-large`, `unreadable`. */
  reason: string;
  /** The catalogue code of the failure. */
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export interface SftpArchiveOptions {
  client: SftpClient;
  clock: Clock;
  connection: string;
  inbound: string;
  done: string;
  error: string;
  logger: StructuredLogger;
}

export interface SftpArchive {
  /** Moves `name` to `done/`; returns the archived path. */
  done(name: string, sha256: string): Promise<string>;
  /** Moves `name` to `error/` and writes its sidecar; returns the archived path. */
  quarantine(
    file: { name: string; size: number; modifiedAt: number },
    key: string,
    why: QuarantineReason,
  ): Promise<string>;
}

export function createSftpArchive(options: SftpArchiveOptions): SftpArchive {
  const { client, clock, logger } = options;
  const ready = new Set<string>();

  async function ensure(folder: string): Promise<void> {
    if (ready.has(folder)) return;
    await client.mkdir(folder);
    ready.add(folder);
  }

  async function move(name: string, folder: string, key: string, reserve: number): Promise<string> {
    await ensure(folder);
    const target = remotePath(folder, archiveName(name, clock.now(), key, reserve));
    try {
      await client.rename(remotePath(options.inbound, name), target);
    } catch (error) {
      // A folder removed by someone since we created it: create it again next time.
      ready.delete(folder);
      throw error;
    }
    return target;
  }

  return {
    done: (name, sha256) => move(name, options.done, sha256, 0),
    async quarantine(file, key, why) {
      const target = await move(file.name, options.error, key, SIDECAR_SUFFIX.length);
      const sidecar = {
        connection: options.connection,
        file: file.name,
        folder: options.inbound,
        movedTo: target,
        size: file.size,
        modifiedAt: new Date(file.modifiedAt).toISOString(),
        at: new Date(clock.now()).toISOString(),
        ...why,
      };
      try {
        await client.write(
          `${target}${SIDECAR_SUFFIX}`,
          Buffer.from(`${JSON.stringify(sidecar, null, 2)}\n`),
        );
      } catch (error) {
        logger.error(
          { connection: options.connection, file: target, error },
          "SFTP error sidecar not written",
        );
      }
      logger.warn(
        { connection: options.connection, file: file.name, movedTo: target, ...why },
        "SFTP file moved to error folder",
      );
      return target;
    },
  };
}
