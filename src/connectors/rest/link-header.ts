/**
 * The `Link` header (RFC 8288), as GitHub, Shopify and many marketplace APIs use it for paging:
 * `<https://api.example.com/items?page=2>; rel="next", <...?page=9>; rel="last"`.
 */

/** One link: its target (as written, possibly relative) and its relation types, lower-cased. */
export interface WebLink {
  target: string;
  rels: string[];
}

const LINK = /<([^>]*)>\s*((?:;\s*[A-Za-z0-9!#$&+.^_`|~*-]+\s*(?:=\s*(?:"(?:[^"\\]|\\.)*"|[^;,\s]*))?\s*)*)/g;
const PARAM = /;\s*([A-Za-z0-9!#$&+.^_`|~*-]+)\s*(?:=\s*("(?:[^"\\]|\\.)*"|[^;,\s]*))?/g;

/** Parses one or several `Link` header values into links; what cannot be read is skipped. */
export function parseLinkHeader(value: string | string[] | undefined): WebLink[] {
  if (value === undefined) return [];
  const text = Array.isArray(value) ? value.join(", ") : value;
  const links: WebLink[] = [];
  for (const match of text.matchAll(LINK)) {
    const rels: string[] = [];
    for (const param of (match[2] ?? "").matchAll(PARAM)) {
      if (param[1]?.toLowerCase() !== "rel") continue;
      const raw = (param[2] ?? "").replace(/^"(.*)"$/s, "$1").replace(/\\(.)/g, "$1");
      rels.push(...raw.toLowerCase().split(/\s+/).filter(Boolean));
    }
    links.push({ target: match[1] ?? "", rels });
  }
  return links;
}

/** The `rel="next"` target resolved against the URL of the answer that carried it, or undefined. */
export function nextLink(value: string | string[] | undefined, base: string): URL | undefined {
  const link = parseLinkHeader(value).find((l) => l.rels.includes("next"));
  if (!link) return undefined;
  try {
    return new URL(link.target, base);
  } catch {
    return undefined;
  }
}
