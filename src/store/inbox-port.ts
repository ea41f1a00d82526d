/** The inbox: received messages, deduplicated by the sender's own id. Part of the Store port (`store.ts`). */
import type { TraceContext } from "./store.ts";

/** The job target that processes inbox messages. Every new inbox message gets one job on it (see `Inbox.append`). */
export const INBOX_TARGET = "crossdock.inbox";
/** The job kind of the processing job that `Inbox.append` enqueues. */
export const INBOX_PROCESS_KIND = "inbox.process";

export interface InboxMessageInput {
  /** How it arrived: `webhook`, `api`, `sftp`, `poll`, `broker`, `schedule`. */
  source: string;
  /** The configured connection name it arrived on. */
  connection: string;
  /**
   * The source's own id for this message (Shopify's webhook id, the `Idempotency-Key` header, the EDI
   * control number, the file hash). Unique per connection: a second append with the same
   * (connection, dedupeKey) stores nothing and returns the first receipt.
   */
  dedupeKey: string;
  body: Uint8Array;
  /** Header names lower-cased. Secrets (authorization, signatures) are the caller's to strip. */
  headers?: Record<string, string>;
  contentType?: string;
  /** Default: the store's clock. */
  receivedAt?: number;
  trace?: TraceContext;
  /** Ordering key for the processing job, when the source already knows the business key. */
  orderingKey?: string;
}

export interface InboxReceipt {
  id: string;
  connection: string;
  dedupeKey: string;
  receivedAt: number;
  /** True when this append found an earlier message with the same key; `id` is that message's. */
  duplicate: boolean;
}

export interface InboxMessage {
  id: string;
  source: string;
  connection: string;
  dedupeKey: string;
  body: Uint8Array;
  headers: Record<string, string>;
  contentType: string | undefined;
  receivedAt: number;
  trace: TraceContext | undefined;
  size: number;
}

export interface InboxListFilter {
  connection?: string;
  /** Only messages received at or after this time. */
  since?: number;
  /** Keyset paging: messages with an id greater than this one. */
  afterId?: string;
  limit?: number;
}

export interface Inbox {
  /**
   * Appends a received message durably and answers only after its commit. Concurrent appends are
   * group-committed: they share one transaction, and each caller is answered after that commit. A new
   * message gets one processing job (`INBOX_TARGET`, `INBOX_PROCESS_KIND`, idempotency key
   * `inbox:<id>`, payload `{ messageId }`, the message's `orderingKey`). The committed message is the
   * promise of that job: PostgreSQL writes the job in the append's transaction; SQLite writes only the
   * message and makes the jobs later, in bulk and in arrival order, at the next `JobQueue.claim` or
   * `createPendingJobs` (until then `JobQueue.depth` counts them as ready, but `jobs.get*`/`list` do
   * not show them). Either way no message is left without a job and none gets two.
   *
   * Throws `CDK_INBOX_MESSAGE_TOO_LARGE` over `maxMessageBytes`, `CDK_INBOX_INVALID_MESSAGE` when a
   * field is missing, `CDK_INBOX_OVERLOADED` (with `retryAfterMs`) when more appends are waiting than
   * `maxPendingAppends`: memory stays bounded and the sender is told to come back.
   */
  append(message: InboxMessageInput): Promise<InboxReceipt>;
  /**
   * Makes the processing jobs of up to `limit` (default 512) appended messages that have none yet,
   * oldest first; returns how many. Claims do this themselves; call it to see the jobs at once (a
   * replay, a test). Always 0 on PostgreSQL, whose appends write their jobs.
   */
  createPendingJobs(limit?: number): Promise<number>;
  get(id: string): Promise<InboxMessage | undefined>;
  /** Messages in id order (which is arrival order), bodies included. */
  list(filter?: InboxListFilter): Promise<InboxMessage[]>;
}
