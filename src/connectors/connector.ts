/**
 * The connector port. A connection in `crossdock.yaml` names a connector `type`; the connector knows
 * how to turn what arrives on that connection into canonical events and deliveries (inbound), and how
 * to call the system behind it (outbound). Later issues add Odoo, Shopify, EDI and SFTP connectors;
 * the core ships `webhook-json` (inbound) and `http` (outbound).
 */
import type { CrossdockError } from "../core/errors.ts";
import type { ClaimedJob, EventInput, InboxMessage, JobInput, JsonValue } from "../store/store.ts";

/** A connection's settings as written in `crossdock.yaml` (connector-specific keys besides `type`). */
export interface ConnectionSettings {
  readonly type: string;
  readonly [key: string]: unknown;
}

/**
 * What decoding one message produced. Rejection is an expected outcome, not an exception: the inbox
 * processor turns it into an exception record with the located reason and keeps the message.
 */
export type DecodeOutcome =
  | { ok: true; events: EventInput[]; jobs: JobInput[] }
  | { ok: false; error: CrossdockError };

export interface InboundConnector {
  readonly type: string;
  /** Decodes and checks one inbox message. Must not throw on bad input: return `{ ok: false }`. */
  decode(message: InboxMessage, connectionName: string, settings: ConnectionSettings): DecodeOutcome;
  /**
   * The same, asynchronously, for connectors whose decoding streams (flat files); the inbox processor
   * uses it when present. `decode` then answers what it can decode at once.
   */
  decodeAsync?(
    message: InboxMessage,
    connectionName: string,
    settings: ConnectionSettings,
  ): Promise<DecodeOutcome>;
}

export interface DeliveryContext {
  readonly signal: AbortSignal;
  readonly attempt: number;
}

/** Calls a target system for one job; throws a classified `CrossdockError` on failure. */
export interface DeliveryTarget {
  deliver(job: ClaimedJob, context: DeliveryContext): Promise<JsonValue | undefined>;
  close?(): Promise<void>;
}
