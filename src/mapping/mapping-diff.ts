/**
 * Diff before activation: replays recorded inbox messages of one connection through two versions of a
 * mapping and reports, per message, how the canonical records differ. It reads the inbox and nothing
 * else: it takes only the inbox's `list`, so it cannot write to the store by construction.
 */
import type { Inbox, InboxMessage, JsonValue } from "../store/store.ts";
import { type DecodedDocument, decodeJsonDocument } from "./decode-json.ts";
import { diffJson, type JsonChange } from "./json-diff.ts";
import { type Mapping, mappingId, type ValidateCanonical } from "./mapping.ts";
import { type MappingRun, runMapping } from "./run-mapping.ts";

export interface MappingDiffOptions {
  readonly inbox: Pick<Inbox, "list">;
  readonly connection: string;
  readonly before: Mapping;
  readonly after: Mapping;
  readonly validate: ValidateCanonical;
  /** Messages replayed, oldest first. Default 100, at most 10,000. */
  readonly limit?: number;
  /** Bytes to document; default JSON that keeps ids above 2^53 exact (`decodeJsonDocument`). */
  readonly decode?: (message: InboxMessage) => DecodedDocument;
}

/** How one side ended: the error code and message, and the first validation problems. */
export interface SideFailure {
  readonly code: string;
  readonly message: string;
  readonly problems: readonly { record: number; path: string; message: string }[];
}

export interface MessageDiff {
  readonly messageId: string;
  readonly dedupeKey: string;
  readonly receivedAt: number;
  /**
   * `same`: both versions give equal records; `changed`: both succeed with different records;
   * `failed`: either version fails (see `before`/`after`, a fix shows as a failure of the old one);
   * `skipped`: the message is a document type neither version maps (another webhook topic).
   */
  readonly status: "same" | "changed" | "failed" | "skipped";
  readonly changes: readonly JsonChange[];
  readonly before?: SideFailure;
  readonly after?: SideFailure;
}

export interface MappingDiffReport {
  readonly connection: string;
  readonly before: string;
  readonly after: string;
  readonly messages: readonly MessageDiff[];
  readonly summary: { same: number; changed: number; failed: number; skipped: number };
}

const PAGE = 100;

/** The document type a message declares in its headers (a webhook topic), when it declares one. */
export function documentTypeOf(message: InboxMessage): string | undefined {
  return message.headers["x-shopify-topic"] ?? message.headers["x-wc-webhook-topic"];
}

function failureOf(run: MappingRun): SideFailure | undefined {
  if (run.ok) return undefined;
  return { code: run.error.code, message: run.error.message, problems: run.problems.slice(0, 10) };
}

const comparable = (run: MappingRun): JsonValue => run.records.map((r) => ({ key: r.key, value: r.value }));

/** Replays up to `limit` messages of the connection through both mappings; never writes anything. */
export async function diffMappingsOverInbox(options: MappingDiffOptions): Promise<MappingDiffReport> {
  const { inbox, connection, before, after, validate } = options;
  const limit = Math.min(Math.max(1, Math.trunc(options.limit ?? 100)), 10_000);
  const decode =
    options.decode ??
    ((m: InboxMessage) => decodeJsonDocument(m.body, `message ${m.id} (connection ${m.connection})`));
  const types = new Set([before.source.documentType, after.source.documentType]);
  const messages: MessageDiff[] = [];
  const summary = { same: 0, changed: 0, failed: 0, skipped: 0 };
  let afterId: string | undefined;
  while (messages.length < limit) {
    const page = await inbox.list({
      connection,
      limit: Math.min(PAGE, limit - messages.length),
      ...(afterId ? { afterId } : {}),
    });
    if (page.length === 0) break;
    for (const message of page) {
      const entry = { messageId: message.id, dedupeKey: message.dedupeKey, receivedAt: message.receivedAt };
      const declared = documentTypeOf(message);
      let result: MessageDiff;
      if (declared !== undefined && !types.has(declared)) {
        result = { ...entry, status: "skipped", changes: [] };
      } else {
        const decoded = decode(message);
        if (!decoded.ok) {
          const failure = { code: decoded.error.code, message: decoded.error.message, problems: [] };
          result = { ...entry, status: "failed", changes: [], before: failure, after: failure };
        } else {
          const context = {
            connection,
            messageId: message.id,
            receivedAt: message.receivedAt,
            headers: message.headers,
          };
          const old = await runMapping(before, decoded.document, context, validate);
          const next = await runMapping(after, decoded.document, context, validate);
          const changes = diffJson(comparable(old), comparable(next));
          const status = !old.ok || !next.ok ? "failed" : changes.length === 0 ? "same" : "changed";
          const beforeFailure = failureOf(old);
          const afterFailure = failureOf(next);
          result = {
            ...entry,
            status,
            changes,
            ...(beforeFailure ? { before: beforeFailure } : {}),
            ...(afterFailure ? { after: afterFailure } : {}),
          };
        }
      }
      summary[result.status]++;
      messages.push(result);
    }
    afterId = page[page.length - 1]?.id;
  }
  return { connection, before: mappingId(before), after: mappingId(after), messages, summary };
}
