import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import type { Clock } from "../core/clock.ts";
import { CrossdockError } from "../core/errors.ts";
import { BUILTIN_MAPPINGS } from "./builtin/builtin-mappings.ts";
import type { JsonataLimits } from "./jsonata-guard.ts";
import { compileJsonataMapping } from "./jsonata-mapping.ts";
import { type Mapping, mappingId } from "./mapping.ts";
import { mappingFileName, parseMappingFileName, parseMappingRef } from "./mapping-ref.ts";

export interface MappingCatalogOptions {
  /** The folder of user mappings (`mappings/` beside `crossdock.yaml`); a missing folder holds none. */
  readonly dir: string | undefined;
  /** Default: every built-in mapping. */
  readonly builtins?: readonly Mapping[];
  readonly clock: Clock;
  readonly limits?: Partial<JsonataLimits>;
}

/** What `crossdock mapping ls` shows; listing does not compile files. */
export interface MappingListing {
  readonly name: string;
  readonly version: number;
  readonly kind: Mapping["kind"];
  readonly origin: string;
}

/**
 * Where mappings are found by `name@version`: the built-ins, then the files
 * `<dir>/<name>.v<version>.jsonata`. A user file may add versions to a built-in's name (write
 * `shopify-order.v2.jsonata` to replace `shopify-order@1` after a diff) but not take an existing one.
 * `resolve` lists the folder on every call: resolve a connection's mapping once when the hub starts
 * (`resolveConnectionMappings`), not per message.
 */
export interface MappingCatalog {
  /**
   * The mapping for `name@version`, or the highest version for a bare `name`. A file is compiled once
   * and reused until it changes on disk (size or modification time). Throws `CDK_MAPPING_NOT_FOUND`
   * (listing the versions that exist) or `CDK_MAPPING_SYNTAX` (located).
   */
  resolve(ref: string): Promise<Mapping>;
  list(): Promise<MappingListing[]>;
}

export function createMappingCatalog(options: MappingCatalogOptions): MappingCatalog {
  const builtins = options.builtins ?? BUILTIN_MAPPINGS;
  const compiled = new Map<string, { stamp: string; mapping: Mapping }>();

  async function files(): Promise<MappingListing[]> {
    if (options.dir === undefined) return [];
    let names: string[];
    try {
      names = await readdir(options.dir);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw new CrossdockError("CDK_MAPPING_NOT_FOUND", `cannot read the mappings folder ${options.dir}`, {
        cause,
      });
    }
    return names.flatMap((file) => {
      const parsed = parseMappingFileName(file);
      return parsed
        ? [{ ...parsed, kind: "jsonata" as const, origin: join(options.dir as string, file) }]
        : [];
    });
  }

  async function list(): Promise<MappingListing[]> {
    const all: MappingListing[] = [
      ...builtins.map((m) => ({ name: m.name, version: m.version, kind: m.kind, origin: m.origin })),
      ...(await files()),
    ];
    return all.sort((a, b) => a.name.localeCompare(b.name) || a.version - b.version);
  }

  async function resolve(ref: string): Promise<Mapping> {
    const { name, version } = parseMappingRef(ref);
    const candidates = (await list()).filter((m) => m.name === name);
    const wanted = version ?? Math.max(0, ...candidates.map((m) => m.version));
    const matches = candidates.filter((m) => m.version === wanted);
    if (matches.length === 0) {
      const known = [...new Set(candidates.map((m) => mappingId(m)))].join(", ");
      throw new CrossdockError(
        "CDK_MAPPING_NOT_FOUND",
        `no mapping ${version === undefined ? name : `${name}@${version}`}: ${known ? `known versions: ${known}` : `no built-in mapping of that name and no ${join(options.dir ?? "mappings", mappingFileName(name, version ?? 1))}`}`,
        { details: { ref, known: candidates.map((m) => mappingId(m)) } },
      );
    }
    if (matches.length > 1) {
      throw new CrossdockError(
        "CDK_MAPPING_SYNTAX",
        `${matches.find((m) => m.kind === "jsonata")?.origin}: ${name}@${wanted} is a built-in mapping; give the file another version`,
        { details: { ref } },
      );
    }
    const match = matches[0] as MappingListing;
    const builtin = builtins.find((m) => m.name === name && m.version === wanted);
    return builtin ?? loadFile(match.origin, name, wanted);
  }

  async function loadFile(file: string, name: string, version: number): Promise<Mapping> {
    const info = await stat(file).catch((cause: unknown) => {
      throw new CrossdockError(
        "CDK_MAPPING_NOT_FOUND",
        `${file}: cannot be read (${(cause as Error).message})`,
        {
          cause,
        },
      );
    });
    const stamp = `${info.size}:${info.mtimeMs}`;
    const cached = compiled.get(file);
    if (cached?.stamp === stamp) return cached.mapping;
    const mapping = await loadMappingFile(file, options, { name, version });
    compiled.set(file, { stamp, mapping });
    return mapping;
  }

  return { resolve, list };
}

/** Largest mapping file read; a mapping is a page of JSONata, not a data file. */
const MAX_FILE_BYTES = 1_000_000;

/**
 * Compiles one mapping file given by path (for `crossdock mapping test ./draft.v2.jsonata`). The file
 * name must follow `<name>.v<version>.jsonata`, unless `identity` says otherwise.
 */
export async function loadMappingFile(
  file: string,
  options: Pick<MappingCatalogOptions, "clock" | "limits">,
  identity?: { name: string; version: number },
): Promise<Mapping> {
  const parsed = identity ?? parseMappingFileName(basename(file));
  if (!parsed) {
    throw new CrossdockError(
      "CDK_MAPPING_NOT_FOUND",
      `${file}: a mapping file is named <name>.v<version>.jsonata, e.g. shopify-order.v2.jsonata`,
      { details: { file } },
    );
  }
  let text: string;
  try {
    const bytes = await readFile(file);
    if (bytes.length > MAX_FILE_BYTES) throw new RangeError(`${bytes.length} bytes exceed ${MAX_FILE_BYTES}`);
    text = bytes.toString("utf8");
  } catch (cause) {
    throw new CrossdockError(
      "CDK_MAPPING_NOT_FOUND",
      `${file}: cannot be read (${(cause as Error).message})`,
      {
        cause,
        details: { file },
      },
    );
  }
  return compileJsonataMapping(text, {
    ...parsed,
    file,
    clock: options.clock,
    ...(options.limits ? { limits: options.limits } : {}),
  });
}
