/**
 * A process that only polls one SFTP folder into a SQLite store, for the crash test
 * (`test/crash/sftp-crash.test.ts`), which kills it with SIGKILL at random moments and starts it again.
 * Not part of the product's command line: `crossdock start` wires the poller with everything else.
 *
 * Usage: `node sftp-poll-child.ts '<json>'` with the fields of `PollChildConfig`. Prints `ready` once
 * polling, then `{"taken": name, "duplicate": bool}` for each file moved to done/.
 */
import { readFileSync } from "node:fs";
import { systemClock } from "../../core/clock.ts";
import { createIdGenerator } from "../../core/ids.ts";
import { createSqliteStore } from "../../store/sqlite/sqlite-store.ts";
import { createSftpClient } from "./sftp-client.ts";
import { createSftpPoller } from "./sftp-poller.ts";

export interface PollChildConfig {
  storePath: string;
  host: string;
  port: number;
  username: string;
  privateKeyPath: string;
  hostKeyFingerprint: string;
  connection: string;
  inbound: string;
  settleMs: number;
  pollIntervalMs: number;
  maxFileBytes: number;
}

const config = JSON.parse(process.argv[2] ?? "{}") as PollChildConfig;
const store = await createSqliteStore({
  path: config.storePath,
  clock: systemClock,
  ids: createIdGenerator(systemClock),
  config: { maxMessageBytes: config.maxFileBytes },
});
await store.migrate();
const client = createSftpClient({
  connection: config.connection,
  host: config.host,
  port: config.port,
  username: config.username,
  privateKey: readFileSync(config.privateKeyPath),
  hostKeyFingerprint: config.hostKeyFingerprint,
  connectTimeoutMs: 5_000,
});
const poller = createSftpPoller({
  client,
  store,
  clock: systemClock,
  connection: config.connection,
  inbound: config.inbound,
  settleMs: config.settleMs,
  maxFileBytes: config.maxFileBytes,
  maxFilesPerPoll: 10,
  retry: { initialIntervalMs: 50, maximumIntervalMs: 200 },
  logger: {
    debug: () => undefined,
    info: (fields: { file?: string; duplicate?: boolean }, message?: string) => {
      if (message === "SFTP file taken in")
        process.stdout.write(`${JSON.stringify({ taken: fields.file, duplicate: fields.duplicate })}\n`);
    },
    warn: (fields, message) => process.stderr.write(`${message} ${JSON.stringify(fields)}\n`),
    error: (fields, message) => process.stderr.write(`${message} ${JSON.stringify(fields)}\n`),
  },
});
poller.start({ intervalMs: config.pollIntervalMs });
process.stdout.write("ready\n");
process.once("SIGTERM", () => {
  void poller
    .stop()
    .then(() => client.close())
    .then(() => store.close())
    .then(() => process.exit(0));
});
