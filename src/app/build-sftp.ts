/**
 * The SFTP connections of the configuration, running: one client and one inbound poller per `sftp`
 * connection with an `inbound` folder. Files land in the inbox; the `sftp` inbound connector decodes
 * them by the connection's `format` when the inbox processor takes them.
 */

import { createEdi997Sender } from "../connectors/sftp/edi-997-sender.ts";
import { createEdiAckTracker } from "../connectors/sftp/edi-ack-tracker.ts";
import { createEdiDepositorRouter } from "../connectors/sftp/edi-depositor-router.ts";
import { createEdifactContrlSender } from "../connectors/sftp/edifact-contrl-sender.ts";
import { createSftpClient, type SftpClient } from "../connectors/sftp/sftp-client.ts";
import {
  parseSftpConnection,
  SFTP_CONNECTION_TYPE,
  type SftpConnectionConfig,
} from "../connectors/sftp/sftp-connection.ts";
import { createSftpPoller, type SftpPoller } from "../connectors/sftp/sftp-poller.ts";
import type { Clock } from "../core/clock.ts";
import type { JobHandler } from "../delivery/job-handler.ts";
import type { StructuredLogger } from "../delivery/structured-logger.ts";
import type { Store } from "../store/store.ts";
import type { CrossdockConfig } from "./config-schema.ts";

export interface SftpRuntime {
  readonly name: string;
  readonly settings: SftpConnectionConfig;
  readonly client: SftpClient;
  readonly poller: SftpPoller | undefined;
}

/** The client of one `sftp` connection (also used to publish outbound files). */
export function sftpClientFor(name: string, settings: SftpConnectionConfig): SftpClient {
  return createSftpClient({
    connection: name,
    host: settings.host,
    port: settings.port,
    username: settings.username,
    ...(settings.privateKey ? { privateKey: settings.privateKey.reveal() } : {}),
    ...(settings.passphrase ? { passphrase: settings.passphrase.reveal() } : {}),
    ...(settings.password ? { password: settings.password.reveal() } : {}),
    ...(settings.hostKeyFingerprint ? { hostKeyFingerprint: settings.hostKeyFingerprint } : {}),
    acceptAnyHostKey: settings.acceptAnyHostKey,
  });
}

export function buildSftp(options: {
  config: CrossdockConfig;
  store: Store;
  clock: Clock;
  logger: StructuredLogger;
}): {
  runtimes: Map<string, SftpRuntime>;
  /** Job handlers of the sftp connections that answer with 997s (`edi.send-997`) or CONTRLs. */
  handlers: Map<string, JobHandler>;
  start(): void;
  startRouting(): void;
  stop(): Promise<void>;
} {
  const runtimes = new Map<string, SftpRuntime>();
  for (const [name, connection] of Object.entries(options.config.connections)) {
    if (connection.type !== SFTP_CONNECTION_TYPE) continue;
    const settings = parseSftpConnection(connection);
    const client = sftpClientFor(name, settings);
    const inbound = settings.inbound;
    const poller = inbound
      ? createSftpPoller({
          client,
          store: options.store,
          clock: options.clock,
          connection: name,
          inbound: inbound.folder,
          ...(inbound.done ? { doneFolder: inbound.done } : {}),
          ...(inbound.error ? { errorFolder: inbound.error } : {}),
          ...(inbound.settleMs === undefined ? {} : { settleMs: inbound.settleMs }),
          ...(inbound.tempPatterns ? { tempPatterns: inbound.tempPatterns } : {}),
          ...(inbound.maxFileBytes === undefined ? {} : { maxFileBytes: inbound.maxFileBytes }),
          ...(inbound.maxFilesPerPoll === undefined ? {} : { maxFilesPerPoll: inbound.maxFilesPerPoll }),
          logger: options.logger,
        })
      : undefined;
    runtimes.set(name, { name, settings, client, poller });
  }
  // 945s of EDI 3PLs go to their orders' streams through the depositor router.
  const warehouses = [...runtimes.values()].some((r) => r.settings.role === "warehouse");
  const router = warehouses
    ? createEdiDepositorRouter({ store: options.store, logger: options.logger })
    : undefined;
  // What the hub sends by X12 (EDIFACT) is tracked until the partner's 997 (CONTRL) answers it.
  const sendsEdi = [...runtimes.values()].some((r) => r.settings.format === "x12" || r.settings.edifact);
  const acks = sendsEdi
    ? createEdiAckTracker({ store: options.store, clock: options.clock, logger: options.logger })
    : undefined;
  // Partners we write X12 to (our envelope, their folder) get a 997 for each interchange they send.
  const handlers = new Map<string, JobHandler>();
  for (const runtime of runtimes.values()) {
    const { x12: envelope, edifact, outbound, format } = runtime.settings;
    if (format === "edifact" && edifact && outbound) {
      handlers.set(
        runtime.name,
        createEdifactContrlSender({
          name: runtime.name,
          store: options.store,
          clock: options.clock,
          client: runtime.client,
          outbound: outbound.folder,
          envelope: edifact,
        }),
      );
      continue;
    }
    if (format !== "x12" || !envelope || !outbound) continue;
    handlers.set(
      runtime.name,
      createEdi997Sender({
        name: runtime.name,
        store: options.store,
        clock: options.clock,
        client: runtime.client,
        outbound: outbound.folder,
        envelope,
      }),
    );
  }
  return {
    runtimes,
    handlers,
    startRouting() {
      router?.start(500);
      acks?.start(1_000);
    },
    start() {
      for (const runtime of runtimes.values()) {
        runtime.poller?.start({ intervalMs: runtime.settings.inbound?.pollIntervalMs ?? 10_000 });
      }
    },
    async stop() {
      await router?.stop();
      await acks?.stop();
      await Promise.all([...runtimes.values()].map((r) => r.poller?.stop()));
      await Promise.all([...runtimes.values()].map((r) => r.client.close()));
    },
  };
}
