import { CrossdockError } from "../core/errors.ts";

/** A mapping reference as written in `crossdock.yaml` or on the command line. */
export interface MappingRef {
  readonly name: string;
  /** Undefined for a bare name: the highest version found. */
  readonly version: number | undefined;
}

/** Lower-case letters, digits and dashes; no dots, because the file name separates the version by one. */
const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
const VERSION = /^[1-9][0-9]{0,5}$/;
const FILE = /^([a-z0-9][a-z0-9-]{0,63})\.v([1-9][0-9]{0,5})\.jsonata$/;

/** The file name of a user mapping: `<name>.v<version>.jsonata`. */
export function mappingFileName(name: string, version: number): string {
  return `${name}.v${version}.jsonata`;
}

/** Parses `name@version` or a bare `name`; a malformed reference throws `CDK_MAPPING_NOT_FOUND` naming the form expected. */
export function parseMappingRef(text: string): MappingRef {
  const at = text.lastIndexOf("@");
  const name = at === -1 ? text : text.slice(0, at);
  const version = at === -1 ? undefined : text.slice(at + 1);
  if (!NAME.test(name) || (version !== undefined && !VERSION.test(version))) {
    throw new CrossdockError(
      "CDK_MAPPING_NOT_FOUND",
      `"${text.slice(0, 80)}" is not a mapping reference: expected <name>@<version>, a name of lower-case letters, digits and dashes and a positive integer version (e.g. shopify-order@1)`,
      { details: { ref: text.slice(0, 200), expected: "<name>@<version>" } },
    );
  }
  return { name, version: version === undefined ? undefined : Number(version) };
}

/** Reads `<name>.v<version>.jsonata`; undefined for any other file name (those are ignored). */
export function parseMappingFileName(fileName: string): { name: string; version: number } | undefined {
  const match = FILE.exec(fileName);
  if (!match) return undefined;
  return { name: match[1] as string, version: Number(match[2]) };
}
