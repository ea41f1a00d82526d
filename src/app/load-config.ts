/**
 * Loads `crossdock.yaml`: reads it (at most 1 MiB), parses it safely, validates it against
 * `ConfigFileSchema`, merges the active environment's overlay, resolves secret references and applies
 * defaults. The result is a deep-frozen `CrossdockConfig`.
 *
 * Every failure is a `CrossdockError` whose message lists *all* problems at once, each located as
 * `file:line:column path: what is wrong`, with `details.problems` holding them structured:
 * - `CDK_CONFIG_NOT_FOUND`: the file does not exist (or is not a file);
 * - `CDK_CONFIG_SYNTAX`: not YAML (or not UTF-8), duplicate keys, an alias bomb, nesting past the limit;
 * - `CDK_CONFIG_INVALID`: YAML, but not a valid configuration (including a literal secret outside
 *   `dev`/`test`);
 * - `CDK_SECRET_UNRESOLVED`: valid, but a referenced environment variable or secret file is missing.
 *
 * Only the composition root reads `process.env`; it passes it in as `env`.
 *
 * @example
 * const config = await loadConfig({ path: "crossdock.yaml", env: process.env, environment: "prod" });
 * logger.info({ store: config.store.displayUrl }, "configuration loaded");
 */
import { isUtf8 } from "node:buffer";
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { type Document, isScalar, LineCounter, type Node, parseDocument, visit } from "yaml";
import { CrossdockError } from "../core/errors.ts";
import {
  configError,
  describeValue,
  type PathLocator,
  type PathSegment,
  problem,
  problemsFromAjv,
  YamlLocator,
} from "./config-problems.ts";
import {
  ConfigFileSchema,
  type ConfigProblem,
  type ConfigSections,
  type CrossdockConfig,
  ENVIRONMENT_NAME_PATTERN,
  EnvironmentOverlaySchema,
} from "./config-schema.ts";
import { resolveConfig } from "./resolve-config.ts";

/** What `loadConfig` needs: the file, the environment variables, and optionally the environment. */
export interface LoadConfigOptions {
  /** Path of the YAML file; relative paths are taken from the working directory. */
  path: string;
  /** Environment variables for `env:` secret references (the composition root passes `process.env`). */
  env: Readonly<Record<string, string | undefined>>;
  /** The active environment, overriding the file's `environment` (the CLI's `--env`). */
  environment?: string;
}

/** `LoadConfigOptions` for text already read. */
export interface ParseConfigOptions {
  /** The file's name as it should appear in messages; its folder anchors relative paths. */
  file: string;
  env: Readonly<Record<string, string | undefined>>;
  environment?: string;
}

/** Larger files are refused before parsing: a configuration is a few kilobytes, anything else is a mistake or an attack. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** How many alias expansions the YAML parser allows before it calls the file an alias bomb. */
export const MAX_ALIAS_COUNT = 100;
/** The deepest nesting accepted; the schema itself needs 5 levels, connectors a few more. */
export const MAX_DEPTH = 32;

/** Reads, validates and resolves a configuration file. See the module comment for the error codes. */
export async function loadConfig(options: LoadConfigOptions): Promise<CrossdockConfig> {
  let bytes: Buffer;
  try {
    bytes = await readFile(options.path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT" ? "does not exist" : code === "EISDIR" ? "is a folder" : `cannot be read (${code})`;
    throw new CrossdockError(
      "CDK_CONFIG_NOT_FOUND",
      `Configuration file ${options.path} ${reason}. Pass its path with --config, or copy crossdock.example.yaml to start one.`,
      { cause: error, details: { file: options.path } },
    );
  }
  const file = options.path;
  if (bytes.length > MAX_CONFIG_BYTES) throw tooLarge(file, bytes.length);
  const text = bytes.toString("utf8");
  if (!isUtf8(bytes)) {
    // The first replacement character is where decoding failed: point there, not at line 1.
    const bad = text.indexOf("\uFFFD");
    const before = text.slice(0, Math.max(0, bad));
    const line = before.split("\n").length;
    const column = before.length - before.lastIndexOf("\n");
    throw configError("CDK_CONFIG_SYNTAX", file, [
      { file, line, column, path: "", message: "the file is not UTF-8 text (is it a binary file?)" },
    ]);
  }
  return parseConfig(text, { file, env: options.env, environment: options.environment });
}

/** Validates and resolves configuration text; `loadConfig` without the file reading. */
export function parseConfig(text: string, options: ParseConfigOptions): CrossdockConfig {
  const { file } = options;
  const size = Buffer.byteLength(text);
  if (size > MAX_CONFIG_BYTES) throw tooLarge(file, size);

  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    // yaml's own duplicate check is quadratic in a mapping's keys; `syntaxProblems` has a linear one.
    uniqueKeys: false,
    version: "1.2",
  });
  const locator = new YamlLocator(doc, lines);
  const at = (path: readonly PathSegment[], key = false) => ({
    position: locator.locate(path, { key }).position,
    path,
  });

  const syntax = syntaxProblems(doc, locator, file);
  if (syntax.length > 0) throw configError("CDK_CONFIG_SYNTAX", file, syntax);

  const raw = toPlainValue(doc, locator, file);
  const structural = checkStructure(raw, [], file, at);
  if (structural.length > 0) throw configError("CDK_CONFIG_INVALID", file, structural);

  if (raw === null || raw === undefined) {
    throw configError("CDK_CONFIG_INVALID", file, [
      problem(file, at([]), "the file is empty (expected a mapping that starts with 'version: 1')"),
    ]);
  }
  if (!isPlainObject(raw)) {
    const got = describeValue(raw, []);
    throw configError("CDK_CONFIG_INVALID", file, [
      problem(file, at([]), `the top level must be a mapping (got ${got})`, "a mapping", got),
    ]);
  }
  if (raw.version !== 1) {
    // A newer file's other keys would only add noise: the version alone says what to do.
    const message =
      raw.version === undefined
        ? "missing required key 'version' (expected 1)"
        : `unsupported configuration version ${describeValue(raw.version, ["version"])} (expected 1)`;
    const where = raw.version === undefined ? at([]) : at(["version"]);
    throw configError("CDK_CONFIG_INVALID", file, [
      { ...problem(file, where, message, "1"), path: "version" },
    ]);
  }

  const fileProblems = validate(validateFile, raw, file, (path, options) => ({
    position: locator.locate(path, options).position,
    path,
  }));

  const environment = options.environment ?? (typeof raw.environment === "string" ? raw.environment : "dev");
  if (!new RegExp(ENVIRONMENT_NAME_PATTERN).test(environment)) {
    // The file's own value is among the located problems already; the caller's has no location.
    if (options.environment === undefined) throw configError("CDK_CONFIG_INVALID", file, fileProblems);
    throw new CrossdockError(
      "CDK_CONFIG_INVALID",
      `Environment name ${JSON.stringify(environment)} is not valid (expected lowercase letters, digits or '-', such as dev or prod).`,
      { details: { file, environment } },
    );
  }
  const overlays = isPlainObject(raw.environments) ? raw.environments : {};
  const overlay = Object.hasOwn(overlays, environment) ? overlays[environment] : undefined;
  const merged = mergeOverlay(raw, overlay);
  const locateMerged = overlayLocator(locator, environment);
  const mergedProblems = validate(validateFile, merged, file, locateMerged);
  if (fileProblems.length + mergedProblems.length > 0) {
    throw configError("CDK_CONFIG_INVALID", file, [...fileProblems, ...mergedProblems]);
  }

  const warnings: ConfigProblem[] = doc.warnings.map((warning) =>
    problem(file, { position: locator.positionOf(warning.pos[0]), path: [] }, yamlMessage(warning)),
  );
  // The base is usually the file's own environment; a caller's choice without overrides may be a typo.
  const chosen = options.environment !== undefined && options.environment !== raw.environment;
  if (chosen && overlay === undefined && Object.keys(overlays).length > 0) {
    warnings.push(
      problem(
        file,
        at(["environments"], true),
        `environment '${environment}' has no overrides here (defined: ${Object.keys(overlays).join(", ")})`,
      ),
    );
  }
  return resolveConfig(merged as ConfigSections, {
    file,
    absoluteFile: resolve(file),
    baseDir: dirname(resolve(file)),
    environment,
    env: options.env,
    locate: locateMerged,
    warnings,
  });
}

const ajv = new Ajv2020({ allErrors: true, coerceTypes: false, verbose: true, strict: true });
ajv.addKeyword({ keyword: "expected", schemaType: "string" });
const validateFile: ValidateFunction = ajv.compile(ConfigFileSchema);

function validate(
  check: ValidateFunction,
  value: unknown,
  file: string,
  locate: PathLocator,
): ConfigProblem[] {
  return check(value) ? [] : problemsFromAjv(check.errors ?? [], file, locate);
}

/**
 * Locates a path of the merged config where it was written: in the active overlay when the overlay
 * sets it (so an override's mistake points at the override), otherwise in the base file.
 */
function overlayLocator(locator: YamlLocator, environment: string): PathLocator {
  return (path, options) => {
    const overlayPath = ["environments", environment, ...path];
    const inOverlay = locator.locate(overlayPath, options);
    if (inOverlay.depth === overlayPath.length) return { position: inOverlay.position, path: overlayPath };
    const inBase = locator.locate(path, options);
    if (inBase.depth === path.length || inBase.depth >= inOverlay.depth - 2) {
      return { position: inBase.position, path };
    }
    return { position: inOverlay.position, path: overlayPath };
  };
}

/**
 * The base sections with the overlay deep-merged over them: mappings merge key by key, lists and
 * scalars replace. `environments` is dropped: the merged config is what the schema checks again.
 */
function mergeOverlay(raw: Record<string, unknown>, overlay: unknown): Record<string, unknown> {
  const { environments: _, ...base } = raw;
  return isPlainObject(overlay) ? (deepMerge(base, overlay) as Record<string, unknown>) : base;
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    Object.defineProperty(out, key, {
      value: deepMerge(base[key], value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The document as plain data; alias bombs and runaway nesting are refused rather than expanded. */
function toPlainValue(doc: Document, locator: YamlLocator, file: string): unknown {
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const bomb = error instanceof Error && /alias count/i.test(error.message);
    // Point at the first alias (bomb) or at the first alias whose anchor does not exist.
    let offset = 0;
    visit(doc, {
      Alias(_, node) {
        if (!bomb && node.resolve(doc) !== undefined) return undefined;
        offset = node.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    const message = bomb
      ? `aliases expand to too much data (more than ${MAX_ALIAS_COUNT} expansions; is this an alias bomb?)`
      : `the document cannot be expanded (${error instanceof Error ? error.message : String(error)})`;
    throw configError("CDK_CONFIG_SYNTAX", file, [
      problem(file, { position: locator.positionOf(offset), path: [] }, message),
    ]);
  }
  // A section left empty (`targets:` with every entry commented out) means "not set". Only known
  // sections: an unknown key must still be reported, empty or not.
  if (isPlainObject(value)) {
    dropEmptySections(value, Object.keys(ConfigFileSchema.properties));
    if (isPlainObject(value.environments)) {
      for (const overlay of Object.values(value.environments)) {
        if (isPlainObject(overlay))
          dropEmptySections(overlay, Object.keys(EnvironmentOverlaySchema.properties));
      }
    }
  }
  return value;
}

function dropEmptySections(mapping: Record<string, unknown>, sections: readonly string[]): void {
  for (const key of sections) if (key !== "version" && mapping[key] === null) delete mapping[key];
}

/**
 * Refuses what JSON Schema cannot see or YAML should not carry into a config: nesting deeper than
 * `MAX_DEPTH`, `.nan`/`.inf` (they pass every range check), tagged non-JSON values such as `!!binary`,
 * and `__proto__` keys.
 */
function checkStructure(
  value: unknown,
  path: PathSegment[],
  file: string,
  at: (path: readonly PathSegment[], key?: boolean) => ReturnType<PathLocator>,
): ConfigProblem[] {
  if (path.length > MAX_DEPTH) {
    return [problem(file, at(path), `nested deeper than ${MAX_DEPTH} levels`, `at most ${MAX_DEPTH} levels`)];
  }
  if (typeof value === "number" && !Number.isFinite(value)) {
    const got = describeValue(value, path);
    return [problem(file, at(path), `must be a finite number (got ${got})`, "a finite number", got)];
  }
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => checkStructure(item, [...path, index], file, at));
  }
  if (typeof value === "object" && value !== null) {
    if (!isPlainObject(value)) {
      const got = describeValue(value, path);
      return [
        problem(file, at(path), `must be plain YAML data (got ${got})`, "a mapping, list or scalar", got),
      ];
    }
    return Object.entries(value).flatMap(([key, child]) =>
      key === "__proto__"
        ? [problem(file, at([...path, key], true), "the key '__proto__' is not allowed")]
        : checkStructure(child, [...path, key], file, at),
    );
  }
  return [];
}

/** yaml's errors, plus duplicate keys; one line for a parser that ran out of stack. */
function syntaxProblems(doc: Document, locator: YamlLocator, file: string): ConfigProblem[] {
  const at = (offset: number) => ({ position: locator.positionOf(offset), path: [] });
  // Deep nesting makes the parser report a stack overflow once per level; once is enough.
  const exhausted = doc.errors.find((error) => error.code === "RESOURCE_EXHAUSTION");
  if (exhausted)
    return [problem(file, at(exhausted.pos[0]), `nested too deeply (at most ${MAX_DEPTH} levels)`)];
  const problems = doc.errors.map((error) => problem(file, at(error.pos[0]), yamlMessage(error)));
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (!seen.has(key)) {
          seen.add(key);
          continue;
        }
        const offset = (pair.key as Node | null)?.range?.[0] ?? map.range?.[0] ?? 0;
        problems.push(
          problem(file, at(offset), `duplicate key '${String(key)}' (a key may appear once in a mapping)`),
        );
      }
    },
  });
  return problems;
}

/** yaml's message without its " at line L, column C" suffix: the location is printed our way. */
function yamlMessage(error: { message: string }): string {
  return error.message.replace(/ at line \d+, column \d+[\s\S]*$/, "");
}

function tooLarge(file: string, bytes: number): CrossdockError {
  return configError("CDK_CONFIG_INVALID", file, [
    {
      file,
      line: 1,
      column: 1,
      path: "",
      message: `the file is ${bytes} bytes, larger than the ${MAX_CONFIG_BYTES} bytes (1 MiB) a configuration may have`,
      expected: `at most ${MAX_CONFIG_BYTES} bytes`,
    },
  ]);
}
