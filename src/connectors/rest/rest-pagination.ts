/**
 * How one page of a list leads to the next, for each pagination kind of a `rest` connection:
 *
 * - `cursor`: the answer holds the next cursor at `nextCursorPointer`; it is sent as `cursorParam`.
 *   No cursor (absent, null or empty) ends the list.
 * - `page`: `pageParam` counts up from `firstPage` with `sizeParam=size`; a page shorter than `size`
 *   ends the list.
 * - `offset`: `offsetParam` moves by the items received with `limitParam=limit`; a short page ends it.
 * - `link-header`: the `Link: <...>; rel="next"` URL is followed as given (RFC 8288); none ends it.
 * - `none`: one page.
 *
 * A repeated cursor or next link is a loop (a partner bug that would otherwise page forever); it is
 * reported by the caller, which keeps the tokens seen in one walk.
 */
import { CrossdockError } from "../../core/errors.ts";
import { resolvePointer, scalarText } from "./json-pointer.ts";
import { nextLink } from "./link-header.ts";
import type { RestPaginationConfig } from "./rest-connection.ts";

/** What the next page needs to know about the current one. */
export interface PageAnswer {
  url: URL;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  itemCount: number;
}

/** The next page: its URL and the token that identifies it for loop detection. */
export interface NextPage {
  url: URL;
  token: string;
}

/** The first page's URL: the endpoint URL with the page size (and first page or offset) set. */
export function firstPageUrl(pagination: RestPaginationConfig, url: URL): URL {
  const first = new URL(url);
  const q = first.searchParams;
  switch (pagination.kind) {
    case "page":
      q.set(pagination.pageParam, String(pagination.firstPage));
      q.set(pagination.sizeParam, String(pagination.size));
      break;
    case "offset":
      q.set(pagination.offsetParam, "0");
      q.set(pagination.limitParam, String(pagination.limit));
      break;
    case "cursor":
    case "link-header":
      if (pagination.sizeParam && pagination.size) q.set(pagination.sizeParam, String(pagination.size));
      break;
  }
  return first;
}

/**
 * The page after `answer`, or undefined at the end of the list. A `link-header` next URL must stay on
 * the connection's origin: credentials are never sent to a host the configuration does not name.
 */
export function nextPage(pagination: RestPaginationConfig, answer: PageAnswer): NextPage | undefined {
  const next = new URL(answer.url);
  const q = next.searchParams;
  switch (pagination.kind) {
    case "cursor": {
      const found = resolvePointer(answer.body, pagination.nextCursorPointer);
      const cursor = found.found ? scalarText(found.value) : undefined;
      if (cursor === undefined || cursor === "") return undefined;
      q.set(pagination.cursorParam, cursor);
      return { url: next, token: cursor };
    }
    case "page": {
      if (answer.itemCount < pagination.size) return undefined;
      const page = Number(q.get(pagination.pageParam) ?? pagination.firstPage) + 1;
      q.set(pagination.pageParam, String(page));
      return { url: next, token: String(page) };
    }
    case "offset": {
      if (answer.itemCount === 0 || answer.itemCount < pagination.limit) return undefined;
      const offset = Number(q.get(pagination.offsetParam) ?? 0) + answer.itemCount;
      q.set(pagination.offsetParam, String(offset));
      return { url: next, token: String(offset) };
    }
    case "link-header": {
      const link = nextLink(answer.headers.link, answer.url.href);
      if (!link) return undefined;
      if (link.origin !== answer.url.origin) {
        throw new CrossdockError(
          "CDK_TARGET_REJECTED",
          `the next-page link points to ${link.origin}, not to the connection's ${answer.url.origin}`,
          { failureClass: "config", details: { link: link.origin, origin: answer.url.origin } },
        );
      }
      return { url: link, token: link.href };
    }
    case "none":
      return undefined;
  }
}
