/**
 * The schema of `crossdock.yaml` (version 1), as TypeBox types, and the resolved `CrossdockConfig`
 * that `loadConfig` returns.
 *
 * Two shapes live here on purpose:
 * - the **file** (`ConfigFile`): what a person writes; every key but `version` is optional and unknown
 *   keys are refused (except among a connection's own, connector-specific fields);
 * - the **resolved config** (`CrossdockConfig`): defaults applied, the environment overlay merged,
 *   secrets turned into `Secret` objects, the store URL split into its kind and path; deep-frozen.
 *
 * Each schema node may carry an `expected` annotation: the phrase that error messages use instead of a
 * generated one ("a store URL: sqlite:<path> or postgres://..."). Ajv treats it as an annotation only.
 * Defaults are in `CONFIG_DEFAULTS` rather than in the schema, so validation never mutates the input
 * and `docs/configuration.md` has one place to agree with.
 */
import Type from "typebox";
import type { Secret } from "../security/secret-ref.ts";
import type { RetryPolicy } from "../store/retry-policy.ts";
import type { StoreConfig } from "../store/store.ts";

/** Environment names (`environment`, the keys of `environments`): short, lowercase, shell- and log-safe. */
export const ENVIRONMENT_NAME_PATTERN = "^[a-z0-9][a-z0-9-]{0,31}$";
/** Connection names appear in URLs (`POST /hooks/<name>`), so no dots, spaces or capitals. */
export const CONNECTION_NAME_PATTERN = "^[a-z0-9][a-z0-9_-]{0,63}$";
/** Target names may contain dots, for built-in targets such as `crossdock.inbox`. */
export const TARGET_NAME_PATTERN = "^[a-z0-9][a-z0-9._-]{0,63}$";

const closed = { additionalProperties: false } as const;
const count = (minimum: number, maximum: number) => Type.Integer({ minimum, maximum });

/** `log.level`: the least severe level written. */
export const LogLevelSchema = Type.Enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);
export type LogLevel = Type.Static<typeof LogLevelSchema>;

/** `store.synchronous`: `full` survives a power loss, `normal` only a process crash. */
export const SqliteSynchronousSchema = Type.Enum(["full", "normal"]);
export type SqliteSynchronous = Type.Static<typeof SqliteSynchronousSchema>;

/** `store`: where everything is kept. Kind-specific keys are ignored (with a warning) for the other kind. */
export const StoreSectionSchema = Type.Object(
  {
    url: Type.Optional(
      Type.String({
        pattern: "^(sqlite:.|postgres://|postgresql://|env:|file:)",
        expected:
          "a store URL: sqlite:<path>, postgres://..., postgresql://... or a secret reference env:NAME",
      }),
    ),
    synchronous: Type.Optional(SqliteSynchronousSchema),
    poolSize: Type.Optional(count(1, 1_000)),
    schema: Type.Optional(
      Type.String({ pattern: "^[A-Za-z_][A-Za-z0-9_]{0,62}$", expected: "a PostgreSQL schema name" }),
    ),
    maxMessageBytes: Type.Optional(count(1_024, 1_073_741_824)),
    maxPendingAppends: Type.Optional(count(1, 10_000_000)),
    maxBatchSize: Type.Optional(count(1, 100_000)),
  },
  closed,
);

/** `server`: where the HTTP gateway listens. */
export const ServerSectionSchema = Type.Object(
  {
    host: Type.Optional(Type.String({ minLength: 1, maxLength: 253 })),
    port: Type.Optional(count(0, 65_535)),
  },
  closed,
);

/** `log`. */
export const LogSectionSchema = Type.Object({ level: Type.Optional(LogLevelSchema) }, closed);

/** `workers`: how one process claims and runs jobs. */
export const WorkersSectionSchema = Type.Object(
  {
    concurrency: Type.Optional(count(1, 1_024)),
    leaseMs: Type.Optional(count(100, 86_400_000)),
    pollIntervalMs: Type.Optional(count(1, 60_000)),
  },
  closed,
);

/** `webhooks`: outbound webhooks to partners. */
export const WebhooksSectionSchema = Type.Object(
  {
    allowPrivateNetworks: Type.Optional(
      Type.Boolean({ expected: "true or false (default false: loopback and private addresses refused)" }),
    ),
  },
  closed,
);

/** Every field optional: a target's `retry` is merged over the top-level `retry`. */
export const RetrySectionSchema = Type.Object(
  {
    initialIntervalMs: Type.Optional(count(0, 86_400_000)),
    backoffCoefficient: Type.Optional(Type.Number({ minimum: 1, maximum: 100 })),
    maximumIntervalMs: Type.Optional(count(0, 604_800_000)),
    maximumAttempts: Type.Optional(count(0, 1_000_000)),
    jitter: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    nonRetryableCodes: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 1_000 }),
    ),
  },
  closed,
);

/** `targets.<name>`: per-target budget, timeout and retry overrides. */
export const TargetSectionSchema = Type.Object(
  {
    concurrency: Type.Optional(count(1, 1_024)),
    timeoutMs: Type.Optional(count(1, 3_600_000)),
    retry: Type.Optional(RetrySectionSchema),
  },
  closed,
);

const connectionType = Type.String({
  pattern: "^[a-z0-9][a-z0-9._-]{0,63}$",
  expected: "a connector type such as webhook-json or http",
});

/** A connection's own fields belong to its connector, which checks them; only `type` is ours. */
export const ConnectionSectionSchema = Type.Object({ type: connectionType }, { additionalProperties: true });
/** In an environment overlay the connection is usually already typed by the base file. */
const ConnectionOverlaySchema = Type.Object(
  { type: Type.Optional(connectionType) },
  { additionalProperties: true },
);

/** `flows.order-to-cash`: which connections the built-in order-to-cash workflow uses. */
export const OrderToCashFlowSchema = Type.Object(
  {
    odoo: Type.String({ minLength: 1, expected: "the name of an odoo connection" }),
    warehouse: Type.String({ minLength: 1, expected: "the name of a warehouse-3pl connection" }),
    channels: Type.Record(
      Type.String({ pattern: "^[a-z0-9][a-z0-9_-]{0,63}$" }),
      Type.Object(
        {
          prepaid: Type.Boolean({ expected: "true when the channel collects payment at checkout" }),
          tracking: Type.Optional(
            Type.String({ minLength: 1, expected: "the name of a shopify connection" }),
          ),
          creditCheck: Type.Optional(
            Type.Object(
              {
                defaultLimit: Type.Optional(
                  Type.String({
                    pattern: "^[0-9]{1,15}(\\.[0-9]{1,6})?$",
                    expected: 'a decimal amount as a string, e.g. "5000.00"',
                  }),
                ),
                approvalTimeoutHours: Type.Optional(count(1, 8_760)),
              },
              { ...closed, expected: "{ defaultLimit?, approvalTimeoutHours? }" },
            ),
          ),
        },
        closed,
      ),
      {
        ...closed,
        expected: "channel names (as in the orders) mapped to { prepaid, tracking?, creditCheck? }",
      },
    ),
    shippingProduct: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        expected: "the internal reference of Odoo's shipping product",
      }),
    ),
    shipmentTimeoutHours: Type.Optional(count(1, 8_760)),
    owner: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    criticality: Type.Optional(
      Type.Union([Type.Literal("low"), Type.Literal("medium"), Type.Literal("high")], {
        expected: "low, medium or high",
      }),
    ),
  },
  closed,
);

const DecimalAmount = Type.String({
  pattern: "^[0-9]{1,15}(\\.[0-9]{1,6})?$",
  expected: 'a decimal amount as a string, e.g. "200.00"',
});

/** `flows.returns`: customer returns from request to refund (docs/flows-returns-p2p.md). */
export const ReturnsFlowSchema = Type.Object(
  {
    odoo: Type.String({ minLength: 1, expected: "the name of an odoo connection" }),
    channels: Type.Record(
      Type.String({ pattern: "^[a-z0-9][a-z0-9_-]{0,63}$" }),
      Type.Object(
        {
          prepaid: Type.Boolean({ expected: "true when the channel took the money (refund in Odoo)" }),
          approvalOver: Type.Optional(DecimalAmount),
          windowDays: Type.Optional(count(1, 3_650)),
        },
        closed,
      ),
      { ...closed, expected: "channel names mapped to { prepaid, approvalOver?, windowDays? }" },
    ),
    receiptTimeoutHours: Type.Optional(count(1, 8_760)),
    approvalTimeoutHours: Type.Optional(count(1, 8_760)),
    owner: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  },
  closed,
);

/** `flows.procure-to-pay`: purchases from RFQ to the matched vendor bill. */
export const ProcureToPayFlowSchema = Type.Object(
  {
    odoo: Type.String({ minLength: 1, expected: "the name of an odoo connection" }),
    suppliers: Type.Record(
      Type.String({ pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$" }),
      Type.Object(
        {
          partnerId: Type.Optional(count(1, 2_147_483_647)),
          ackTimeoutHours: Type.Optional(count(1, 8_760)),
          match: Type.Optional(
            Type.Union([Type.Literal("two-way"), Type.Literal("three-way")], {
              expected: "two-way or three-way",
            }),
          ),
        },
        closed,
      ),
      { ...closed, expected: "supplier codes mapped to { partnerId?, ackTimeoutHours?, match? }" },
    ),
    ackTimeoutHours: Type.Optional(count(1, 8_760)),
    receiptTimeoutHours: Type.Optional(count(1, 8_760)),
    approvalTimeoutHours: Type.Optional(count(1, 8_760)),
    owner: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  },
  closed,
);

export const FlowsSectionSchema = Type.Object(
  {
    "order-to-cash": Type.Optional(OrderToCashFlowSchema),
    returns: Type.Optional(ReturnsFlowSchema),
    "procure-to-pay": Type.Optional(ProcureToPayFlowSchema),
  },
  { ...closed, expected: "a built-in flow: order-to-cash, returns, procure-to-pay" },
);

const targetsRecord = Type.Record(Type.String({ pattern: TARGET_NAME_PATTERN }), TargetSectionSchema, {
  ...closed,
  expected: "a target name: lowercase letters, digits, '.', '-' or '_'",
});
const namedRecord = <T extends Type.TSchema>(value: T) =>
  Type.Record(Type.String({ pattern: CONNECTION_NAME_PATTERN }), value, {
    ...closed,
    expected: "a connection name: lowercase letters, digits, '-' or '_'",
  });

/** The sections an environment may override: everything but `version`, `environment(s)`. */
const overridableSections = {
  store: Type.Optional(StoreSectionSchema),
  server: Type.Optional(ServerSectionSchema),
  log: Type.Optional(LogSectionSchema),
  workers: Type.Optional(WorkersSectionSchema),
  webhooks: Type.Optional(WebhooksSectionSchema),
  retry: Type.Optional(RetrySectionSchema),
  targets: Type.Optional(targetsRecord),
  connections: Type.Optional(namedRecord(ConnectionSectionSchema)),
  flows: Type.Optional(FlowsSectionSchema),
};

/** `environments.<name>`: any section, every key optional, deep-merged over the base when active. */
export const EnvironmentOverlaySchema = Type.Object(
  { ...overridableSections, connections: Type.Optional(namedRecord(ConnectionOverlaySchema)) },
  closed,
);

/** The whole file, version 1. */
export const ConfigFileSchema = Type.Object(
  {
    version: Type.Literal(1),
    environment: Type.Optional(
      Type.String({ pattern: ENVIRONMENT_NAME_PATTERN, expected: "an environment name such as dev or prod" }),
    ),
    environments: Type.Optional(
      Type.Record(Type.String({ pattern: ENVIRONMENT_NAME_PATTERN }), EnvironmentOverlaySchema, {
        ...closed,
        expected: "an environment name: lowercase letters, digits or '-'",
      }),
    ),
    ...overridableSections,
  },
  closed,
);

/** `crossdock.yaml` as written. */
export type ConfigFile = Type.Static<typeof ConfigFileSchema>;
/** The file once the active environment's overlay is merged in; validated against the same schema. */
export type ConfigSections = Omit<ConfigFile, "environments">;

/** Defaults for everything the file may leave out. Documented in `docs/configuration.md`. */
export const CONFIG_DEFAULTS = Object.freeze({
  environment: "dev",
  store: Object.freeze({
    url: "sqlite:.crossdock/crossdock.db",
    synchronous: "full" as SqliteSynchronous,
    poolSize: 10,
    schema: "public",
    maxMessageBytes: 5 * 1024 * 1024,
    maxPendingAppends: 10_000,
    maxBatchSize: 512,
  }),
  server: Object.freeze({ host: "127.0.0.1", port: 8080 }),
  log: Object.freeze({ level: "info" as LogLevel }),
  workers: Object.freeze({ concurrency: 8, leaseMs: 30_000, pollIntervalMs: 50 }),
  webhooks: Object.freeze({ allowPrivateNetworks: false }),
  target: Object.freeze({ concurrency: 3, timeoutMs: 30_000 }),
});

/** Environments where a literal secret in the file is tolerated (with a warning). */
export const LENIENT_ENVIRONMENTS: readonly string[] = Object.freeze(["dev", "test"]);

// ---------------------------------------------------------------------------------------------------
// The resolved configuration
// ---------------------------------------------------------------------------------------------------

interface StoreCommon extends StoreConfig {
  /**
   * The store URL as a `Secret`, because a PostgreSQL URL often carries a password (and may come from
   * `env:DATABASE_URL`). `reveal()` it only to hand it to the driver; print `displayUrl` instead.
   */
  readonly url: Secret;
  /** The URL with any password or credential parameter masked (`redactUrl`): safe to log. */
  readonly displayUrl: string;
}

/** The embedded store: one process, one SQLite file in WAL mode. */
export interface SqliteStoreSettings extends StoreCommon {
  readonly kind: "sqlite";
  /** Absolute path of the database file (relative paths are taken from the config file's folder), or `:memory:`. */
  readonly path: string;
  readonly synchronous: SqliteSynchronous;
}

/** The scale-out store: many processes on one PostgreSQL database. */
export interface PostgresStoreSettings extends StoreCommon {
  readonly kind: "postgres";
  readonly poolSize: number;
  readonly schema: string;
}

/** The resolved `store`, discriminated by `kind`; also a `StoreConfig` for the adapters. */
export type StoreSettings = SqliteStoreSettings | PostgresStoreSettings;

/** The resolved `server`, defaults applied. */
export type ServerConfig = Readonly<Required<Type.Static<typeof ServerSectionSchema>>>;
/** The resolved `workers`, defaults applied. */
export type WorkersConfig = Readonly<Required<Type.Static<typeof WorkersSectionSchema>>>;

/** The resolved `targets.<name>`. Targets not listed in the file use `CONFIG_DEFAULTS.target`. */
export interface TargetConfig {
  readonly concurrency: number;
  readonly timeoutMs: number;
  /** The target's own `retry` merged over the top-level `retry`. */
  readonly retry: Readonly<RetryPolicy>;
}

/**
 * A connection's fields as written, with every secret field (and every `env:`/`file:` reference) turned
 * into a `Secret`. The connector validates the rest of its fields itself.
 */
export interface ConnectionConfig {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** One located finding in the file: an error (in `CrossdockError.details.problems`) or a warning. */
export interface ConfigProblem {
  readonly file: string;
  /** 1-based; the problem's YAML node, its key for an unknown key, its parent mapping for a missing one. */
  readonly line: number;
  readonly column: number;
  /** Dotted path of the offending value, e.g. `environments.prod.store.poolSize`; `""` for the whole file. */
  readonly path: string;
  /** What is wrong, as printed after the path (includes the expected/got hints). */
  readonly message: string;
  readonly expected?: string;
  /** The offending value, shortened; never set for a secret field. */
  readonly got?: string;
}

/** The resolved, deep-frozen configuration: what the composition root wires into ports and adapters. */
export interface CrossdockConfig {
  /** Absolute path of the file it was loaded from. */
  readonly file: string;
  /** The active environment: the caller's choice, else the file's `environment`, else `dev`. */
  readonly environment: string;
  readonly store: StoreSettings;
  readonly server: ServerConfig;
  readonly log: { readonly level: LogLevel };
  readonly workers: WorkersConfig;
  readonly webhooks: Readonly<Required<Type.Static<typeof WebhooksSectionSchema>>>;
  readonly retry: Readonly<RetryPolicy>;
  readonly targets: Readonly<Record<string, TargetConfig>>;
  readonly connections: Readonly<Record<string, ConnectionConfig>>;
  /** The built-in flows that are on, as written (connection names checked to exist). */
  readonly flows: Readonly<Type.Static<typeof FlowsSectionSchema>>;
  /** Things that loaded but deserve attention, e.g. a literal secret tolerated in `dev`. */
  readonly warnings: readonly ConfigProblem[];
}
