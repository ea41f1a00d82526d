/**
 * One SSH connection with its SFTP channel (ssh2-sftp-client), for `SftpClient`. It remembers what
 * the classification of a failure needs and the library does not keep: the `level` of ssh2's last
 * raw error (authentication or socket) and whether our host verifier refused the key.
 */
import SftpLibrary, { type ConnectOptions } from "ssh2-sftp-client";
import { classifySftpError } from "./sftp-errors.ts";
import { hostKeyFingerprint } from "./sftp-host-key.ts";

/** One folder entry as the server reports it. */
export interface SftpEntry {
  name: string;
  kind: "file" | "directory" | "symlink" | "other";
  size: number;
  /** Server modification time, ms (SFTP v3 carries whole seconds). */
  modifiedAt: number;
}

/** A bounded read: the bytes, or how far it got before passing `maxBytes`. */
export type SftpReadResult =
  | { ok: true; bytes: Buffer }
  | { ok: false; reason: "too-large"; bytesRead: number };

type Entry = SftpEntry;

export interface SftpSession {
  list(dir: string): Promise<Entry[]>;
  stat(path: string): Promise<Omit<Entry, "name"> | undefined>;
  openRead(path: string): NodeJS.ReadableStream;
  write(path: string, bytes: Uint8Array): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  posixRename(from: string, to: string): Promise<void>;
  mkdir(path: string): Promise<void>;
  delete(path: string): Promise<void>;
  lastLevel(): string | undefined;
  onClose(fn: () => void): void;
  end(): Promise<void>;
}

const KINDS: Record<string, Entry["kind"]> = { "-": "file", d: "directory", l: "symlink" };

/** Connects; rejects with a classified error (`CDK_SFTP_AUTH` for a refused key or host key). */
export async function openSftpSession(
  connection: string,
  config: ConnectOptions,
  pinnedFingerprint: string | undefined,
): Promise<SftpSession> {
  let level: string | undefined;
  let mismatch: { expected: string; actual: string } | undefined;
  const closeHandlers: (() => void)[] = [];
  let closed = false;
  const markClosed = () => {
    if (closed) return;
    closed = true;
    for (const fn of closeHandlers) fn();
  };
  const client = new SftpLibrary(connection, { close: markClosed, end: markClosed, error: () => undefined });
  client.on("error", (error: { level?: string }) => {
    level = error?.level ?? level;
  });
  // Small request-response packets: without TCP_NODELAY, Nagle and delayed ACKs add ~40 ms to each
  // call and several hundred to the handshake.
  const raw = (client as unknown as { client: { setNoDelay(on: boolean): void; destroy(): void } }).client;
  client.on("connect", () => raw.setNoDelay(true));
  const hostVerifier = (key: Buffer): boolean => {
    if (pinnedFingerprint === undefined) return true;
    const actual = hostKeyFingerprint(key);
    if (actual === pinnedFingerprint) return true;
    mismatch = { expected: pinnedFingerprint, actual };
    return false;
  };
  try {
    await client.connect({ ...config, hostVerifier });
  } catch (error) {
    await client.end().catch(() => undefined);
    throw classifySftpError(error, {
      connection,
      operation: "connect",
      hostKeyMismatch: mismatch,
      sshLevel: level,
    });
  }
  const session: SftpSession = {
    async list(dir) {
      const entries = await client.list(dir);
      return entries.map((e) => ({
        name: e.name,
        kind: KINDS[e.type] ?? "other",
        size: e.size,
        modifiedAt: e.modifyTime,
      }));
    },
    async stat(path) {
      try {
        const s = await client.stat(path);
        const kind = s.isFile ? "file" : s.isDirectory ? "directory" : s.isSymbolicLink ? "symlink" : "other";
        return { kind, size: s.size, modifiedAt: s.modifyTime };
      } catch (error) {
        if ((error as { code?: unknown }).code === "ENOENT") return undefined;
        throw error;
      }
    },
    openRead: (path) => client.createReadStream(path),
    write: async (path, bytes) => {
      await client.put(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
    },
    rename: async (from, to) => {
      await client.rename(from, to);
    },
    posixRename: async (from, to) => {
      await client.posixRename(from, to);
    },
    async mkdir(path) {
      if ((await session.stat(path))?.kind === "directory") return;
      await client.mkdir(path, true);
    },
    delete: async (path) => {
      await client.delete(path);
    },
    lastLevel: () => level,
    onClose(fn) {
      if (closed) fn();
      else closeHandlers.push(fn);
    },
    async end() {
      // A polite end waits for the server's close, which a hung server never sends: cut it short.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const patience = new Promise((resolve) => {
        timer = setTimeout(resolve, 1_000);
      });
      await Promise.race([client.end().catch(() => undefined), patience]);
      clearTimeout(timer);
      raw.destroy();
      markClosed();
    },
  };
  return session;
}

/** Reads a whole file into memory, giving up once more than `maxBytes` arrived. */
export function readBounded(session: SftpSession, path: string, maxBytes: number): Promise<SftpReadResult> {
  return new Promise((resolve, reject) => {
    const stream = session.openRead(path);
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
    };
    stream.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        finish(() => resolve({ ok: false, reason: "too-large", bytesRead: size }));
        (stream as NodeJS.ReadableStream & { destroy(): void }).destroy();
        return;
      }
      chunks.push(chunk);
    });
    stream.on("error", (error) => finish(() => reject(error)));
    stream.on("end", () => finish(() => resolve({ ok: true, bytes: Buffer.concat(chunks, size) })));
    stream.on("close", () => finish(() => reject(new Error(`read of ${path} closed before its end`))));
  });
}
