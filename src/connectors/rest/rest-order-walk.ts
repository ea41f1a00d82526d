/**
 * One walk of a poll of `rest-order-poller.ts`: page the orders endpoint from the stored next page or
 * from the watermark, append each order to the inbox, then store the new watermark and next page.
 */
import { CrossdockError } from "../../core/errors.ts";
import type { JsonValue, Store } from "../../store/store.ts";
import { pointerText } from "./json-pointer.ts";
import type { RestClient } from "./rest-client.ts";
import type { RestEndpointConfig } from "./rest-connection.ts";

/** What the poller keeps between polls (in a store record), plus the record's version. */
export interface OrderWalkState {
  version: number;
  watermark?: string;
  resumeUrl?: string;
}

export interface OrderWalk {
  client: RestClient;
  store: Pick<Store, "inbox" | "transaction">;
  connection: string;
  endpoint: string;
  spec: RestEndpointConfig;
  kind: string;
  key: string;
  overlapMs: number;
  maxPages: number;
  /** Updated in place as pages commit. */
  state: OrderWalkState;
  counts: { pages: number; received: number; duplicates: number; more: boolean };
}

/** The later of two `updated_at` values: as times when both parse, else as text. */
export function laterOf(a: string | undefined, b: string): string {
  if (a === undefined) return b;
  const [ta, tb] = [Date.parse(a), Date.parse(b)];
  if (!Number.isNaN(ta) && !Number.isNaN(tb)) return tb > ta ? b : a;
  return b > a ? b : a;
}

/** The `since` to ask for: the watermark moved back by `overlapMs` when it is a time. */
export function sinceOf(watermark: string, overlapMs: number): string {
  const at = Date.parse(watermark);
  return Number.isNaN(at) || overlapMs === 0 ? watermark : new Date(at - overlapMs).toISOString();
}

export async function walkOrders(walk: OrderWalk): Promise<void> {
  const { client, store, connection, spec, state, counts } = walk;
  const idPointer = spec.idPointer ?? "/id";
  const updatedPointer = spec.updatedAtPointer ?? "/updated_at";
  const query =
    spec.sinceParam && state.watermark ? { [spec.sinceParam]: sinceOf(state.watermark, walk.overlapMs) } : {};
  const resumed = state.resumeUrl;
  const pages = client.pages(walk.endpoint, {
    query,
    maxPages: walk.maxPages,
    ...(resumed ? { startUrl: resumed } : {}),
  });
  try {
    for await (const page of pages) {
      let watermark = state.watermark;
      for (const [index, item] of page.items.entries()) {
        const id = pointerText(item, idPointer);
        const updatedAt = pointerText(item, updatedPointer);
        if (!id || !updatedAt) {
          const missing = id ? updatedPointer : idPointer;
          throw new CrossdockError(
            "CDK_TARGET_REJECTED",
            `rest ${connection}: item ${index} of page ${page.index + 1} has no value at ${missing}`,
            { failureClass: "config", details: { url: page.url, item: index, pointer: missing } },
          );
        }
        const receipt = await store.inbox.append({
          source: "rest",
          connection,
          dedupeKey: `${id}@${updatedAt}`,
          body: Buffer.from(JSON.stringify(item)),
          contentType: "application/json",
          orderingKey: `${connection}:${id}`,
        });
        if (receipt.duplicate) counts.duplicates++;
        else counts.received++;
        watermark = laterOf(watermark, updatedAt);
      }
      counts.pages++;
      counts.more = page.hasMore && counts.pages >= walk.maxPages;
      await save(walk, spec.sinceParam ? watermark : undefined, page.hasMore ? page.nextUrl : undefined);
    }
  } catch (error) {
    // A stored next page the API refuses (an expired cursor) is dropped: the next walk starts afresh.
    if (resumed && counts.pages === 0 && error instanceof CrossdockError && error.failureClass === "business")
      await save(walk, state.watermark, undefined);
    throw error;
  }
}

/** Writes the state if it changed; a concurrent writer (a second poller) makes it `CDK_STORE_CONFLICT`. */
async function save(walk: OrderWalk, watermark: string | undefined, resumeUrl: string | undefined) {
  const { state } = walk;
  if (watermark === state.watermark && resumeUrl === state.resumeUrl) return;
  const data: Record<string, JsonValue> = {};
  if (watermark !== undefined) data.watermark = watermark;
  if (resumeUrl !== undefined) data.resumeUrl = resumeUrl;
  const record = await walk.store.transaction((tx) =>
    tx.putRecord(walk.kind, walk.key, data, { expectedVersion: state.version }),
  );
  state.version = record.version;
  state.watermark = watermark;
  state.resumeUrl = resumeUrl;
}
