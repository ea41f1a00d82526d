/**
 * Walking a paged list: fetch a page, take its items at `itemsPointer`, find the next page by the
 * pagination kind (`rest-pagination.ts`), stop at the end, at `maxPages`, or on a loop.
 */
import { CrossdockError } from "../../core/errors.ts";
import { redactUrl } from "../../security/secret-ref.ts";
import { resolvePointer } from "./json-pointer.ts";
import type { RestPaginationConfig } from "./rest-connection.ts";
import { firstPageUrl, nextPage } from "./rest-pagination.ts";

/** One page of a list. */
export interface RestPage {
  /** 0 for the first page of this walk. */
  index: number;
  url: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  items: unknown[];
  /** The list goes on after this page (true on the last page read when `maxPages` stopped the walk). */
  hasMore: boolean;
  /** The next page's URL when `hasMore`. */
  nextUrl?: string;
}

export interface WalkOptions {
  url: URL;
  /** Resume a walk at this page (a `nextUrl` given earlier) instead of the first page. */
  startUrl?: URL;
  pagination: RestPaginationConfig;
  itemsPointer: string;
  maxPages: number;
  fetch(url: URL): Promise<{ status: number; headers: RestPage["headers"]; body: unknown }>;
  /** `rest <connection>: <endpoint>`, in errors. */
  what: string;
}

/**
 * Yields pages in order. A page whose items are not a list at `itemsPointer` fails as a config
 * problem (`CDK_TARGET_REJECTED`, class config) naming where the walk of the pointer stopped; a next
 * page already visited in this walk (same cursor, same link) fails the same way as a loop.
 */
export async function* walkPages(options: WalkOptions): AsyncGenerator<RestPage, void> {
  let url = options.startUrl ?? firstPageUrl(options.pagination, options.url);
  if (url.origin !== options.url.origin) {
    throw new CrossdockError("CDK_CONFIG_INVALID", `${options.what}: cannot resume at another origin`, {
      details: { origin: url.origin, expected: options.url.origin },
    });
  }
  const seen = new Set<string>([url.href]);
  for (let index = 0; ; index++) {
    const answer = await options.fetch(url);
    const items = itemsOf(answer.body, options.itemsPointer, options.what, url);
    const next = nextPage(options.pagination, {
      url,
      body: answer.body,
      headers: answer.headers,
      itemCount: items.length,
    });
    if (next && seen.has(next.url.href)) {
      throw new CrossdockError(
        "CDK_TARGET_REJECTED",
        `${options.what}: page ${index + 1} leads back to a page already read (${options.pagination.kind} ${next.token}): a pagination loop`,
        {
          failureClass: "config",
          details: {
            url: redactUrl(url.href),
            next: redactUrl(next.url.href),
            token: next.token,
            page: index + 1,
          },
        },
      );
    }
    const hasMore = next !== undefined;
    yield {
      index,
      url: url.href,
      status: answer.status,
      headers: answer.headers,
      body: answer.body,
      items,
      hasMore,
      ...(next ? { nextUrl: next.url.href } : {}),
    };
    if (!next || index + 1 >= options.maxPages) return;
    seen.add(next.url.href);
    url = next.url;
  }
}

function itemsOf(body: unknown, pointer: string, what: string, url: URL): unknown[] {
  const found = resolvePointer(body, pointer);
  if (found.found && Array.isArray(found.value)) return found.value;
  const shown = pointer === "" ? "the answer" : pointer;
  const actual = found.found ? (found.value === null ? "null" : typeof found.value) : "nothing";
  throw new CrossdockError(
    "CDK_TARGET_REJECTED",
    `${what}: expected a list at ${shown}, found ${found.found ? actual : `nothing at ${found.missingAt}`}`,
    {
      failureClass: "config",
      details: {
        url: redactUrl(url.href),
        itemsPointer: pointer,
        found: actual,
        ...(found.found ? {} : { missingAt: found.missingAt }),
      },
    },
  );
}
