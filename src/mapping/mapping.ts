/**
 * The mapping port: a mapping turns one decoded document (a Shopify order webhook body, an X12 850 as
 * a tree, a CSV row) into canonical records such as `order/v1`, and the canonical events they cause.
 *
 * Two kinds implement it, with the same contract:
 * - **user mappings**, written in JSONata in `mappings/<name>.v<version>.jsonata`, compiled once and run
 *   under a time box, a depth limit and size limits (`jsonata-mapping.ts`);
 * - **built-in mappers**, plain typed functions for the built-in connectors (`builtin/`), fast and
 *   reviewed like the rest of the code.
 *
 * A mapping is identified by `name@version`; versions are integers and a published version never
 * changes meaning, because stored messages are replayed through it (`crossdock mapping diff`). Mapping
 * a document never throws for bad input: the outcome is a value (`MapOutcome`), and a rejected document
 * carries a located `CrossdockError` (`CDK_MAPPING_FAILED`, `CDK_MAPPING_LIMIT`) that the inbox
 * processor keeps in an exception record. Validation against the target schema is a separate step
 * (`runMapping`), so that the same validator serves both kinds and tests can inject their own.
 */
import type { CrossdockError } from "../core/errors.ts";
import type { JsonValue } from "../store/store.ts";

/** Where a mapping's input comes from: the connection type and the document type on it. */
export interface MappingSource {
  /** A connection `type` of `crossdock.yaml`, e.g. `shopify`, `webhook-json`, `edi-x12`. */
  readonly connectionType: string;
  /** The document on that connection, e.g. Shopify's topic `orders/create`, X12 `850`. */
  readonly documentType: string;
}

/** What the document came with; JSONata mappings see it as `$context`. */
export interface MappingContext {
  /** The connection name it arrived on; built-in mappers use it as the record's channel. */
  readonly connection: string;
  /** The inbox message id, when the document came from the inbox; the events' causation id. */
  readonly messageId?: string;
  /** Milliseconds since the epoch. */
  readonly receivedAt?: number;
  /** Header names lower-cased, secrets already stripped by the gateway. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** One canonical value a mapping produced, before validation. */
export interface MappedValue {
  /**
   * The business key of the record (for an order: `<channel>:<channel order id>`). It names the event
   * stream (`order:<key>`) and the ordering key of everything the record causes.
   */
  readonly key: string;
  readonly value: JsonValue;
}

/** The result of mapping one document: values, or a located reason why the document does not map. */
export type MapOutcome = { ok: true; values: MappedValue[] } | { ok: false; error: CrossdockError };

/** A located reason why a value does not match a schema: JSON pointer and message. */
export interface ValidationProblem {
  /** RFC 6901 pointer into the value, `""` for the value itself, e.g. `/lines/0/quantity`. */
  readonly path: string;
  readonly message: string;
}

/**
 * Validates a value against a canonical entity schema (`order/v1`). Returns problems, never throws on
 * bad input; an entity it does not know is itself one problem at path `""`.
 */
export type ValidateCanonical = (entity: string, value: unknown) => ValidationProblem[];

/** A mapping, whatever its kind. Instances are immutable and safe to share between concurrent calls. */
export interface Mapping {
  readonly name: string;
  /** A positive integer; `name@version` identifies the mapping everywhere. */
  readonly version: number;
  readonly kind: "jsonata" | "builtin";
  readonly source: MappingSource;
  /** The canonical entity and version every output value must match, e.g. `order/v1`. */
  readonly target: string;
  /** Event type emitted once per output record (e.g. `order.received`); none when undefined. */
  readonly emits: string | undefined;
  /** The file it was compiled from, or `built-in`; printed in messages. */
  readonly origin: string;
  /** Maps one decoded document. Must not throw for any input: return `{ ok: false }`. */
  map(document: unknown, context: MappingContext): Promise<MapOutcome>;
}

/** `name@version`, the one spelling of a mapping's identity in config, messages and the CLI. */
export function mappingId(mapping: Pick<Mapping, "name" | "version">): string {
  return `${mapping.name}@${mapping.version}`;
}

/** The entity name of a target (`order/v1` -> `order`), used as the event stream prefix. */
export function entityName(target: string): string {
  const slash = target.indexOf("/");
  return slash === -1 ? target : target.slice(0, slash);
}
