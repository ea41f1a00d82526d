/**
 * The last step of loading: a schema-valid, environment-merged file becomes the `CrossdockConfig` the
 * composition root uses. Defaults are applied, the store URL is split into its kind and path, retry
 * policies are merged (a target's over the top-level one), and secret references become `Secret`s.
 *
 * Problems found here are collected like the schema's, so one run reports every unresolved reference
 * and every refused literal secret at once. A literal secret is a warning in `dev` and `test` (a
 * developer's throwaway token) and an error elsewhere: a credential committed with the file is leaked.
 */
import { resolve } from "node:path";
import {
  isSecretFieldName,
  looksLikeSecretRef,
  parseSecretRef,
  redactUrl,
  resolveSecretRef,
  Secret,
} from "../security/secret-ref.ts";
import { DEFAULT_RETRY_POLICY, type RetryPolicy, resolveRetryPolicy } from "../store/retry-policy.ts";
import { configError, formatPath, type PathLocator, type PathSegment, problem } from "./config-problems.ts";
import {
  CONFIG_DEFAULTS,
  type ConfigProblem,
  type ConfigSections,
  type ConnectionConfig,
  type CrossdockConfig,
  type InventorySection,
  LENIENT_ENVIRONMENTS,
  type StoreSettings,
  type TargetConfig,
} from "./config-schema.ts";
import { CONNECTION_CHECKS } from "./connection-checks.ts";
import { inventoryConfigProblems } from "./inventory-config-problems.ts";

/** What resolution needs besides the merged sections; built by `parseConfig`. */
export interface ResolveContext {
  /** The file's name as printed in messages. */
  file: string;
  absoluteFile: string;
  /** Anchor for relative `file:` references and sqlite paths. */
  baseDir: string;
  environment: string;
  env: Readonly<Record<string, string | undefined>>;
  locate: PathLocator;
  /** Warnings found earlier; more are added here. */
  warnings: ConfigProblem[];
}

const REFERENCE_HINT = "a reference such as env:NAME or file:/path";

/** Resolves a validated file into the frozen config, or throws every problem it found. */
export function resolveConfig(sections: ConfigSections, ctx: ResolveContext): CrossdockConfig {
  const resolver = new Resolver(ctx);
  const retry = resolver.retry(sections.retry, DEFAULT_RETRY_POLICY, ["retry"]);
  const store = resolver.store(sections.store ?? {}, retry);
  const targets: Record<string, TargetConfig> = {};
  for (const [name, target] of Object.entries(sections.targets ?? {})) {
    targets[name] = {
      concurrency: target.concurrency ?? CONFIG_DEFAULTS.target.concurrency,
      timeoutMs: target.timeoutMs ?? CONFIG_DEFAULTS.target.timeoutMs,
      retry: resolver.retry(target.retry, retry, ["targets", name, "retry"]),
    };
  }
  const connections: Record<string, ConnectionConfig> = {};
  for (const [name, connection] of Object.entries(sections.connections ?? {})) {
    connections[name] = resolver.secrets(connection, ["connections", name], undefined) as ConnectionConfig;
    const check = CONNECTION_CHECKS[connection.type];
    if (check) resolver.connectionProblems(name, check(connections[name]));
  }
  resolver.flowReferences(sections.flows, connections);
  if (sections.inventory) resolver.inventoryReferences(sections.inventory, connections);
  resolver.throwIfProblems();
  return deepFreeze({
    file: ctx.absoluteFile,
    environment: ctx.environment,
    store: store as StoreSettings,
    server: { ...CONFIG_DEFAULTS.server, ...sections.server },
    log: { ...CONFIG_DEFAULTS.log, ...sections.log },
    workers: { ...CONFIG_DEFAULTS.workers, ...sections.workers },
    webhooks: { ...CONFIG_DEFAULTS.webhooks, ...sections.webhooks },
    retry,
    targets,
    connections,
    flows: sections.flows ?? {},
    ...(sections.inventory ? { inventory: sections.inventory } : {}),
    warnings: ctx.warnings,
  });
}

class Resolver {
  readonly #ctx: ResolveContext;
  readonly #invalid: ConfigProblem[] = [];
  readonly #unresolved: ConfigProblem[] = [];
  readonly #lenient: boolean;

  constructor(ctx: ResolveContext) {
    this.#ctx = ctx;
    this.#lenient = LENIENT_ENVIRONMENTS.includes(ctx.environment);
  }

  /** The `inventory` section's references to connections, warehouses and sources, each located. */
  inventoryReferences(
    section: InventorySection,
    connections: Readonly<Record<string, ConnectionConfig>>,
  ): void {
    for (const found of inventoryConfigProblems(section, connections)) {
      this.#invalid.push(
        problem(this.#ctx.file, this.#ctx.locate(["inventory", ...found.path]), found.message),
      );
    }
  }

  /** A flow's connection names must name connections of the right type. */
  flowReferences(
    flows: ConfigSections["flows"],
    connections: Readonly<Record<string, ConnectionConfig>>,
  ): void {
    for (const flow of ["returns", "procure-to-pay"] as const) {
      const odoo = flows?.[flow]?.odoo;
      const found = odoo === undefined ? undefined : connections[odoo];
      if (odoo !== undefined && found?.type !== "odoo") {
        this.#invalid.push(
          problem(
            this.#ctx.file,
            this.#ctx.locate(["flows", flow, "odoo"]),
            `${JSON.stringify(odoo)} ${found ? `is a connection of type ${found.type}` : "is not a configured connection"} (expected a connection of type odoo)`,
          ),
        );
      }
    }
    for (const [name, route] of Object.entries(flows?.routes ?? {})) {
      const found = connections[route.deliver];
      if (found?.type !== "http") {
        this.#invalid.push(
          problem(
            this.#ctx.file,
            this.#ctx.locate(["flows", "routes", name, "deliver"]),
            `${JSON.stringify(route.deliver)} ${found ? `is a connection of type ${found.type}` : "is not a configured connection"} (expected a connection of type http)`,
          ),
        );
      }
      if (route.mode === "batch" && route.batch === undefined) {
        this.#invalid.push(
          problem(
            this.#ctx.file,
            this.#ctx.locate(["flows", "routes", name, "mode"]),
            "a batch route needs batch: { everyMinutes }",
          ),
        );
      }
    }
    for (const [code, supplier] of Object.entries(flows?.["procure-to-pay"]?.suppliers ?? {})) {
      if (supplier.connection === undefined) continue;
      const found = connections[supplier.connection];
      const ok = found?.type === "sftp" && found.x12 !== undefined && found.outbound !== undefined;
      if (!ok) {
        this.#invalid.push(
          problem(
            this.#ctx.file,
            this.#ctx.locate(["flows", "procure-to-pay", "suppliers", code, "connection"]),
            `${JSON.stringify(supplier.connection)} ${found ? `is a connection of type ${found.type}${found.type === "sftp" ? " without x12 or outbound" : ""}` : "is not a configured connection"} (expected an sftp connection with x12 and outbound)`,
          ),
        );
      }
    }
    const o2c = flows?.["order-to-cash"];
    if (!o2c) return;
    const expect = (
      path: PathSegment[],
      name: string | undefined,
      type: string,
      also?: (c: ConnectionConfig) => boolean,
    ) => {
      if (name === undefined) return;
      const found = connections[name];
      if (found?.type === type || (found && also?.(found))) return;
      const why = found ? `is a connection of type ${found.type}` : "is not a configured connection";
      this.#invalid.push(
        problem(
          this.#ctx.file,
          this.#ctx.locate(path),
          `${JSON.stringify(name)} ${why} (expected a connection of type ${type})`,
        ),
      );
    };
    expect(["flows", "order-to-cash", "odoo"], o2c.odoo, "odoo");
    // A 3PL over HTTP, or an EDI 3PL: an sftp connection with role warehouse.
    expect(
      ["flows", "order-to-cash", "warehouse"],
      o2c.warehouse,
      "warehouse-3pl",
      (c) => c.type === "sftp" && c.role === "warehouse",
    );
    for (const [channel, policy] of Object.entries(o2c.channels)) {
      expect(["flows", "order-to-cash", "channels", channel, "tracking"], policy.tracking, "shopify");
      const edi = policy.edi?.connection;
      if (edi === undefined) continue;
      const found = connections[edi];
      const ok =
        found?.type === "sftp" &&
        found.outbound !== undefined &&
        ((found.format === "x12" && found.x12 !== undefined) ||
          (found.format === "edifact" && found.edifact !== undefined));
      if (!ok) {
        this.#invalid.push(
          problem(
            this.#ctx.file,
            this.#ctx.locate(["flows", "order-to-cash", "channels", channel, "edi", "connection"]),
            `${JSON.stringify(edi)} ${found ? `is a connection of type ${found.type}${found.type === "sftp" ? " without outbound and a format with its envelope" : ""}` : "is not a configured connection"} (expected an sftp connection with outbound and format x12 with x12, or format edifact with edifact)`,
          ),
        );
      }
    }
  }

  /**
   * Problems a connector found in its connection's settings, located at each field (or at `path`, for
   * a problem inside a nested mapping such as `signature.secrets[1]`).
   */
  connectionProblems(
    name: string,
    found: readonly { field: string; path?: readonly PathSegment[]; message: string }[],
  ): void {
    for (const { field, path, message } of found) {
      const full: PathSegment[] = ["connections", name, ...(path ?? [field])];
      // A secret that failed to resolve is already reported; do not report it twice.
      // (It may be located in an environment's overlay: `environments.prod.connections...`.)
      const dotted = formatPath(full);
      if (this.#unresolved.some((p) => p.path === dotted || p.path.endsWith(`.${dotted}`))) continue;
      this.#invalid.push(problem(this.#ctx.file, this.#ctx.locate(full), message));
    }
  }

  throwIfProblems(): void {
    const { file } = this.#ctx;
    if (this.#invalid.length > 0)
      throw configError("CDK_CONFIG_INVALID", file, [...this.#invalid, ...this.#unresolved]);
    if (this.#unresolved.length > 0) throw configError("CDK_SECRET_UNRESOLVED", file, this.#unresolved);
  }

  retry(partial: Partial<RetryPolicy> | undefined, base: RetryPolicy, path: PathSegment[]): RetryPolicy {
    const initial = partial?.initialIntervalMs ?? base.initialIntervalMs;
    const maximum = partial?.maximumIntervalMs ?? base.maximumIntervalMs;
    if (maximum < initial) {
      const field = partial?.maximumIntervalMs === undefined ? "initialIntervalMs" : "maximumIntervalMs";
      const message = `maximumIntervalMs (${maximum}) must be >= initialIntervalMs (${initial})`;
      this.#invalid.push(problem(this.#ctx.file, this.#ctx.locate([...path, field]), message));
      return base;
    }
    try {
      return resolveRetryPolicy(partial, base);
    } catch (error) {
      this.#invalid.push(problem(this.#ctx.file, this.#ctx.locate(path), (error as Error).message));
      return base;
    }
  }

  store(section: NonNullable<ConfigSections["store"]>, defaultRetry: RetryPolicy): StoreSettings | undefined {
    const settings = { ...CONFIG_DEFAULTS.store, ...section };
    const path = ["store", "url"];
    const url = looksLikeSecretRef(settings.url)
      ? this.#reference(settings.url, path)
      : this.#storeLiteral(settings.url, path);
    if (url === undefined) return undefined;
    const value = url.reveal();
    const limits = {
      url,
      displayUrl: redactUrl(value),
      maxMessageBytes: settings.maxMessageBytes,
      maxPendingAppends: settings.maxPendingAppends,
      maxBatchSize: settings.maxBatchSize,
      defaultRetry,
    };
    if (value.startsWith("sqlite:")) {
      // `sqlite:///abs/path` is the URL form of `sqlite:/abs/path`.
      const written = value.slice("sqlite:".length).replace(/^\/\/(?=.)/, "");
      if (written === "" || written === "//") {
        this.#invalid.push(
          problem(
            this.#ctx.file,
            this.#ctx.locate(path),
            "sqlite: needs a file path (expected sqlite:<path>)",
          ),
        );
        return undefined;
      }
      this.#ignored(section, ["poolSize", "schema"], "a postgres store");
      const file = written === ":memory:" ? written : resolve(this.#ctx.baseDir, written);
      return {
        kind: "sqlite",
        path: file,
        synchronous: settings.synchronous,
        checkpoints: settings.checkpoints,
        ...limits,
      };
    }
    if (/^postgres(ql)?:\/\//.test(value)) {
      this.#ignored(section, ["synchronous", "checkpoints"], "a sqlite store");
      return { kind: "postgres", poolSize: settings.poolSize, schema: settings.schema, ...limits };
    }
    this.#invalid.push(
      problem(
        this.#ctx.file,
        this.#ctx.locate(path),
        `${url.source} does not hold a store URL (expected sqlite:<path> or postgres://...)`,
      ),
    );
    return undefined;
  }

  /**
   * Copies a connection's fields, turning references into `Secret`s and refusing (or, in dev/test,
   * wrapping with a warning) literal values of secret fields. `field` is the nearest key name.
   */
  secrets(value: unknown, path: PathSegment[], field: string | undefined): unknown {
    const secretField = field !== undefined && isSecretFieldName(field);
    if (typeof value === "string") {
      if (looksLikeSecretRef(value)) return this.#reference(value, path);
      return secretField ? this.#literal(value, path) : value;
    }
    if ((typeof value === "number" || typeof value === "boolean") && secretField) {
      return this.#literal(String(value), path);
    }
    if (Array.isArray(value)) return value.map((item, index) => this.secrets(item, [...path, index], field));
    if (typeof value === "object" && value !== null) {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(value)) {
        out[key] = this.secrets(child, [...path, key], key);
      }
      return out;
    }
    return value;
  }

  #reference(text: string, path: PathSegment[]): Secret | undefined {
    const at = this.#ctx.locate(path);
    const ref = parseSecretRef(text);
    if ("invalid" in ref) {
      this.#invalid.push(
        problem(this.#ctx.file, at, `invalid secret reference: ${ref.invalid}`, REFERENCE_HINT),
      );
      return undefined;
    }
    const result = resolveSecretRef(ref, { env: this.#ctx.env, baseDir: this.#ctx.baseDir });
    if (result.ok) return result.secret;
    this.#unresolved.push(problem(this.#ctx.file, at, `cannot resolve ${text}: ${result.reason}`));
    return undefined;
  }

  #literal(value: string, path: PathSegment[]): Secret | undefined {
    const at = this.#ctx.locate(path);
    const { environment, file } = this.#ctx;
    if (this.#lenient) {
      const message = `literal secret, tolerated in '${environment}' only (use ${REFERENCE_HINT})`;
      this.#ctx.warnings.push(problem(file, at, message, REFERENCE_HINT));
      return new Secret(value, "literal");
    }
    const message = `a literal secret is not allowed in environment '${environment}' (expected ${REFERENCE_HINT})`;
    this.#invalid.push(problem(file, at, message, REFERENCE_HINT));
    return undefined;
  }

  /** A store URL written out is fine unless it carries a password: then it is a literal secret. */
  #storeLiteral(value: string, path: PathSegment[]): Secret | undefined {
    const hasPassword = /^[a-z][a-z0-9+.-]*:\/\/[^/?#@]*:[^@?#]*@/i.test(value);
    if (!hasPassword) return new Secret(value, "literal");
    return this.#literal(value, path);
  }

  #ignored(section: Record<string, unknown>, keys: string[], appliesTo: string): void {
    for (const key of keys) {
      if (section[key] === undefined) continue;
      const at = this.#ctx.locate(["store", key], { key: true });
      this.#ctx.warnings.push(problem(this.#ctx.file, at, `applies only to ${appliesTo}; ignored`));
    }
  }
}

/** Freezes plain objects and arrays all the way down; a `Secret` is frozen already. */
function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || value instanceof Secret || Object.isFrozen(value)) {
    return value;
  }
  for (const child of Object.values(value)) deepFreeze(child);
  return Object.freeze(value);
}
