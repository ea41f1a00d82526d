/** The event log: canonical events per stream, with durable subscriptions. Part of the Store port (`store.ts`). */
import type { JsonValue, TraceContext } from "./store.ts";

export interface EventInput {
  /** The stream the event belongs to, e.g. `order:SO123`; events of one stream are totally ordered. */
  stream: string;
  /** A stable event name, e.g. `order.received`. */
  type: string;
  data: JsonValue;
  trace?: TraceContext;
  /** Id of the message, job or event that caused this one. */
  causationId?: string;
}

export interface StoredEvent {
  id: string;
  stream: string;
  type: string;
  data: JsonValue;
  trace: TraceContext | undefined;
  causationId: string | undefined;
  /** 1-based position inside its stream, without gaps. */
  streamSeq: number;
  /**
   * Opaque, totally ordered position in the whole log; subscriptions store it as their cursor. A reader
   * never sees position P before every event with a smaller position is committed (on PostgreSQL the
   * adapter reads only below the oldest open transaction, so a late commit is never skipped).
   */
  position: string;
  createdAt: number;
}

export interface SubscriptionOptions {
  /** Only these event types (default: all). */
  types?: string[];
  /** Only streams that start with this prefix, e.g. `order:` (default: all). */
  streamPrefix?: string;
  /** Where a new subscription starts: `beginning` (default) or `end` (only events appended later). */
  from?: "beginning" | "end";
}

export interface SubscriptionInfo {
  name: string;
  types: string[] | undefined;
  streamPrefix: string | undefined;
  cursor: string | undefined;
  updatedAt: number;
}

export interface EventLog {
  /** Appends in one transaction of its own; see `StoreTx.appendEvents` to append with other writes. */
  append(events: EventInput[]): Promise<StoredEvent[]>;
  /** A stream's events in order, starting after `afterSeq` (default 0). */
  readStream(stream: string, options?: { afterSeq?: number; limit?: number }): Promise<StoredEvent[]>;
  /** Creates the subscription if it does not exist; an existing one keeps its cursor and filter. */
  subscribe(name: string, options?: SubscriptionOptions): Promise<void>;
  /** The next events after the subscription's cursor that match its filter. Does not move the cursor. */
  poll(name: string, limit?: number): Promise<StoredEvent[]>;
  /** Moves the durable cursor to `position` (an event's `position`). Never moves it backwards. */
  ack(name: string, position: string): Promise<void>;
  subscriptions(): Promise<SubscriptionInfo[]>;
}
