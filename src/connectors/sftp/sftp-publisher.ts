/**
 * Outbound files over SFTP: writes a document to `<outbound>/.<name>.part` and then renames it to
 * `<outbound>/<name>` with `posix-rename@openssh.com`, so the partner sees either nothing or the
 * whole file, never a partial one (a leading dot and `.part` are what most pickup jobs skip).
 *
 * Publishing is idempotent per name, which the caller derives from the document id: when the final
 * file is already there with the same bytes (a retry after a crash between the rename and the job's
 * completion), nothing is written again; with different bytes the publish is refused
 * (`CDK_TARGET_REJECTED`), never overwritten. What it cannot know: a file the partner already took
 * away looks like one never published, so a retry after such a crash publishes it once more.
 * Partners must deduplicate by name or content; the delivery layer keeps that window small by
 * completing the job right after the rename.
 *
 * @example
 * const publisher = createSftpPublisher({ client, connection: "3pl", outbound: "outbound" });
 * await publisher.publish("ORDER-1001.csv", bytes);
 */
import { createHash } from "node:crypto";
import { CrossdockError } from "../../core/errors.ts";
import { type StructuredLogger, silentLogger } from "../../delivery/structured-logger.ts";
import type { SftpClient } from "./sftp-client.ts";
import { isSafeName, MAX_NAME_BYTES, remotePath } from "./sftp-names.ts";

export interface SftpPublisherOptions {
  client: SftpClient;
  connection: string;
  /** Folder the partner picks files up from. */
  outbound: string;
  logger?: StructuredLogger;
}

export interface PublishResult {
  /** `published` now, or `unchanged`: the same bytes were already there under that name. */
  outcome: "published" | "unchanged";
  path: string;
  sha256: string;
}

export interface SftpPublisher {
  /** Publishes `body` as `<outbound>/<name>`; see the module comment for the guarantees. */
  publish(name: string, body: Uint8Array): Promise<PublishResult>;
}

const sha256Of = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

function rejected(connection: string, name: string, message: string, details: Record<string, unknown> = {}) {
  return new CrossdockError("CDK_TARGET_REJECTED", message, {
    details: { connection, file: name, ...details },
  });
}

export function createSftpPublisher(options: SftpPublisherOptions): SftpPublisher {
  const { client, connection, outbound } = options;
  const logger = options.logger ?? silentLogger;
  let folderReady = false;

  /** The sha256 of what is at `path`, `null` when nothing is, `"other"` when it is not `size` bytes. */
  async function existing(path: string, size: number): Promise<string | null> {
    const stat = await client.stat(path);
    if (!stat) return null;
    if (stat.kind !== "file" || stat.size !== size) return "other";
    const read = await client.read(path, { maxBytes: size });
    return read.ok ? sha256Of(read.bytes) : "other";
  }

  return {
    async publish(name, body) {
      if (!isSafeName(name) || name.startsWith(".") || Buffer.byteLength(`.${name}.part`) > MAX_NAME_BYTES) {
        throw rejected(
          connection,
          name,
          `Cannot publish ${JSON.stringify(name)}: a file name must be one path segment, not start with ".", and fit in ${MAX_NAME_BYTES - 6} bytes`,
        );
      }
      const sha256 = sha256Of(body);
      const path = remotePath(outbound, name);
      const temp = remotePath(outbound, `.${name}.part`);
      const check = async (): Promise<PublishResult | undefined> => {
        const found = await existing(path, body.byteLength);
        if (found === null) return undefined;
        if (found === sha256) return { outcome: "unchanged", path, sha256 };
        throw rejected(
          connection,
          name,
          `${JSON.stringify(path)} already exists on ${connection} with different content; not overwritten`,
          { path, sha256 },
        );
      };
      const before = await check();
      if (before) return before;
      if (!folderReady) {
        await client.mkdir(outbound);
        folderReady = true;
      }
      await client.write(temp, body);
      const written = await client.stat(temp);
      if (written?.size !== body.byteLength) {
        throw new CrossdockError(
          "CDK_SFTP_UNAVAILABLE",
          `Upload of ${JSON.stringify(temp)} came out incomplete`,
          {
            details: { connection, path: temp, expected: body.byteLength, actual: written?.size ?? null },
          },
        );
      }
      // Checked once more right before the rename: posix-rename replaces, and must not replace
      // something another publisher of the same name put there meanwhile.
      const raced = await check();
      if (raced) {
        await client.delete(temp).catch(() => undefined);
        return raced;
      }
      await client.posixRename(temp, path);
      logger.info({ connection, path, sha256, size: body.byteLength }, "SFTP file published");
      return { outcome: "published", path, sha256 };
    },
  };
}
