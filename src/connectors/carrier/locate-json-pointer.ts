/**
 * Where a JSON pointer's value is in the document's text: 1-based line and column, so a located
 * problem (`/result/tracking_details/3/datetime`) also says where to look in a 40 KB body. Falls back
 * to the deepest existing parent, then to line 1, column 1: a location is always given.
 */
import { findNodeAtLocation, type Node, parseTree } from "jsonc-parser";

export interface TextLocation {
  readonly line: number;
  readonly column: number;
}

function tokens(pointer: string): (string | number)[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((raw) => raw.replaceAll("~1", "/").replaceAll("~0", "~"))
    .map((token) => (/^(0|[1-9][0-9]*)$/.test(token) ? Number(token) : token));
}

function position(text: string, offset: number): TextLocation {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

/** The line and column of `pointer` in `text` (a JSON document), or of its deepest existing parent. */
export function locateJsonPointer(text: string, pointer: string): TextLocation {
  const root = parseTree(text, [], { disallowComments: true });
  if (root === undefined) return { line: 1, column: 1 };
  const path = tokens(pointer);
  for (let depth = path.length; depth >= 0; depth--) {
    const node: Node | undefined = findNodeAtLocation(root, path.slice(0, depth));
    if (node !== undefined) return position(text, node.offset);
  }
  return position(text, root.offset);
}
