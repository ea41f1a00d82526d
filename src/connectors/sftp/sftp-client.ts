/**
 * The few SFTP operations the poller and the publisher need, over ssh2-sftp-client, with every
 * failure classified (`CDK_SFTP_AUTH`, `CDK_SFTP_UNAVAILABLE`; see `sftp-errors.ts`), every call
 * bounded by a timeout, and the session opened lazily and opened again after it broke.
 *
 * The server's host key must match a pinned `SHA256:` fingerprint unless `acceptAnyHostKey` is set
 * (tests and first contact only). Paths are passed through as they are: relative paths start in the
 * login folder. Nothing here decides what a file means; that is the caller's.
 */
import type { ConnectOptions } from "ssh2-sftp-client";
import { CrossdockError } from "../../core/errors.ts";
import { systemTimers, type Timers } from "../../core/timers.ts";
import { classifySftpError, keepsSession, sftpFailureReason, sftpTimeout } from "./sftp-errors.ts";
import { parseHostKeyFingerprint } from "./sftp-host-key.ts";
import {
  openSftpSession,
  readBounded,
  type SftpEntry,
  type SftpReadResult,
  type SftpSession,
} from "./sftp-session.ts";

export type { SftpEntry, SftpReadResult } from "./sftp-session.ts";

/** The SFTP port of the file connectors; the smallest surface they use. */
export interface SftpClient {
  readonly connection: string;
  list(dir: string): Promise<SftpEntry[]>;
  /** Undefined when nothing is at `path`. */
  stat(path: string): Promise<Omit<SftpEntry, "name"> | undefined>;
  /** Reads a whole file, stopping (and saying so) once more than `maxBytes` came. */
  read(path: string, options: { maxBytes: number }): Promise<SftpReadResult>;
  /** Creates or truncates `path` and writes `bytes`. */
  write(path: string, bytes: Uint8Array): Promise<void>;
  /** SFTP rename: fails when `to` exists (OpenSSH), so it never overwrites. */
  rename(from: string, to: string): Promise<void>;
  /** `posix-rename@openssh.com`: atomically replaces `to` if it exists. */
  posixRename(from: string, to: string): Promise<void>;
  /** Creates a folder and its parents; nothing happens if it exists. */
  mkdir(path: string): Promise<void>;
  delete(path: string): Promise<void>;
  /** Ends the session; a later call opens a new one. */
  close(): Promise<void>;
}

export interface SftpClientOptions {
  /** Connection name, in errors and logs. */
  connection: string;
  host: string;
  /** Default 22. */
  port?: number;
  username: string;
  /** OpenSSH or PEM private key (resolve `file:` references before). */
  privateKey?: string | Buffer;
  passphrase?: string;
  password?: string;
  /** The server's `SHA256:...` host key fingerprint. Required unless `acceptAnyHostKey`. */
  hostKeyFingerprint?: string;
  /** Skips host key checking. Only for a sandbox: anyone on the path could pose as the server. */
  acceptAnyHostKey?: boolean;
  /** TCP connect plus SSH handshake and authentication. Default 10,000 ms. */
  connectTimeoutMs?: number;
  /** Each later call (a whole file read included). Default 60,000 ms. */
  operationTimeoutMs?: number;
  /** SSH keepalive, so a dead peer is noticed between calls. Default 10,000 ms. */
  keepaliveIntervalMs?: number;
  timers?: Timers;
}

export function createSftpClient(options: SftpClientOptions): SftpClient {
  const { connection } = options;
  const timers = options.timers ?? systemTimers;
  const operationTimeoutMs = options.operationTimeoutMs ?? 60_000;
  const pinned = options.hostKeyFingerprint && parseHostKeyFingerprint(options.hostKeyFingerprint);
  if (!pinned && !options.acceptAnyHostKey) {
    throw new CrossdockError(
      "CDK_SFTP_AUTH",
      `SFTP connection ${connection} needs hostKeyFingerprint ("SHA256:..."; ssh-keyscan -p PORT HOST | ssh-keygen -lf -)`,
      { details: { connection, reason: "host-key", given: options.hostKeyFingerprint ?? null } },
    );
  }
  const config: ConnectOptions = {
    host: options.host,
    port: options.port ?? 22,
    username: options.username,
    readyTimeout: options.connectTimeoutMs ?? 10_000,
    keepaliveInterval: options.keepaliveIntervalMs ?? 10_000,
    keepaliveCountMax: 3,
    ...(options.privateKey === undefined ? {} : { privateKey: options.privateKey }),
    ...(options.passphrase === undefined ? {} : { passphrase: options.passphrase }),
    ...(options.password === undefined ? {} : { password: options.password }),
  };
  let session: Promise<SftpSession> | undefined;

  function current(): Promise<SftpSession> {
    const live = session;
    if (live) return live;
    const opening = openSftpSession(connection, config, pinned || undefined);
    session = opening;
    const forget = () => {
      if (session === opening) session = undefined;
    };
    opening.then((opened) => opened.onClose(forget), forget);
    return opening;
  }

  /** Forgets the session at once (the next call opens a new one) and ends it. */
  function drop(): Promise<void> {
    const live = session;
    session = undefined;
    return live ? live.then((s) => s.end()).catch(() => undefined) : Promise.resolve();
  }

  async function op<T>(operation: string, path: string, fn: (s: SftpSession) => Promise<T>): Promise<T> {
    const context = { connection, operation, path };
    const opened = await current();
    let timer: unknown;
    const timeout = new Promise<never>((_, reject) => {
      timer = timers.setTimeout(() => reject(sftpTimeout(context, operationTimeoutMs)), operationTimeoutMs);
    });
    try {
      return await Promise.race([fn(opened), timeout]);
    } catch (error) {
      const classified = classifySftpError(error, { ...context, sshLevel: opened.lastLevel() });
      if (!keepsSession(sftpFailureReason(classified))) void drop();
      throw classified;
    } finally {
      timers.clearTimeout(timer);
    }
  }

  return {
    connection,
    list: (dir) => op("list", dir, (s) => s.list(dir)),
    stat: (path) => op("stat", path, (s) => s.stat(path)),
    read: (path, { maxBytes }) => op("read", path, (s) => readBounded(s, path, maxBytes)),
    write: (path, bytes) => op("write", path, (s) => s.write(path, bytes)),
    rename: (from, to) => op("rename", from, (s) => s.rename(from, to)),
    posixRename: (from, to) => op("posix-rename", from, (s) => s.posixRename(from, to)),
    mkdir: (path) => op("mkdir", path, (s) => s.mkdir(path)),
    delete: (path) => op("delete", path, (s) => s.delete(path)),
    close: drop,
  };
}
