import { CrossdockError } from "../core/errors.ts";
import type { RetryPolicy } from "../store/retry-policy.ts";
import type { ClaimedJob, JobInput, JsonValue, Store, StoreTx } from "../store/store.ts";
import type { ConnectionSettings, InboundConnector } from "./connector.ts";

export interface InboxProcessorOptions {
  store: Store;
  /** Inbound connectors by type. */
  connectors: ReadonlyMap<string, InboundConnector>;
  /** Configured connections by name. */
  connections: Readonly<Record<string, ConnectionSettings>>;
  /** The configured retry policy of a target, applied to the deliveries created for it. */
  retryFor?: (target: string) => RetryPolicy | undefined;
}

/** What processing one message produced; `commit` runs in the transaction that completes the job. */
export interface InboxProcessResult {
  result: JsonValue;
  commit: (tx: StoreTx) => Promise<void>;
}

/**
 * Step 2-3 of a message's path: decode and check an inbox message with its connection's connector and
 * return the events and deliveries it causes, to be committed together with the processing job's
 * completion (transactional outbox). Bad input throws a business `CrossdockError` with the located
 * reason, so the job becomes an exception record that keeps the message id; the message itself stays
 * in the inbox untouched and can be replayed after a fix, or retried with a corrected body
 * (`bodyOverride` in the job's payload, set by `crossdock exceptions retry --body-file`).
 */
export function createInboxProcessor(options: InboxProcessorOptions) {
  return async function processInboxMessage(job: ClaimedJob): Promise<InboxProcessResult> {
    const messageId = (job.payload as { messageId?: unknown } | null)?.messageId;
    if (typeof messageId !== "string") {
      throw new CrossdockError("CDK_INBOX_INVALID_MESSAGE", `job ${job.id}: payload has no messageId`, {
        details: { jobId: job.id },
      });
    }
    const message = await options.store.inbox.get(messageId);
    if (!message) {
      throw new CrossdockError("CDK_INBOX_INVALID_MESSAGE", `inbox message ${messageId} does not exist`, {
        details: { messageId },
      });
    }
    const settings = options.connections[message.connection];
    const connector = settings ? options.connectors.get(settings.type) : undefined;
    if (!settings || !connector) {
      // Business, not config: one message on a removed connection must not pause all intake.
      throw new CrossdockError(
        "CDK_JOB_HANDLER_MISSING",
        `message ${messageId} arrived on connection "${message.connection}", which is ${
          settings ? `of type "${settings.type}" with no inbound connector` : "not configured"
        }`,
        { failureClass: "business", details: { messageId, connection: message.connection } },
      );
    }
    // Edit-and-replay of a message that failed to decode: the corrected body travels in the job's
    // payload, and the received bytes stay in the inbox exactly as they arrived.
    const bodyOverride = (job.payload as { bodyOverride?: unknown }).bodyOverride;
    const input =
      typeof bodyOverride === "string"
        ? { ...message, body: Buffer.from(bodyOverride, "utf8"), size: Buffer.byteLength(bodyOverride) }
        : message;
    const outcome = connector.decodeAsync
      ? await connector.decodeAsync(input, message.connection, settings)
      : connector.decode(input, message.connection, settings);
    if (!outcome.ok) throw outcome.error;
    const { events } = outcome;
    const jobs: JobInput[] = outcome.jobs.map((input) => {
      const retry = input.retry ?? options.retryFor?.(input.target);
      return retry ? { ...input, retry } : input;
    });
    return {
      result: { messageId, events: events.length, jobs: jobs.length },
      commit: async (tx) => {
        if (events.length > 0) await tx.appendEvents(events);
        if (jobs.length > 0) await tx.enqueueJobs(jobs);
      },
    };
  };
}
