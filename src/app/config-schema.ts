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

/** `store.checkpoints`: who copies SQLite's WAL into the database file. */
export const SqliteCheckpointsSchema = Type.Enum(["background", "inline"]);
export type SqliteCheckpoints = Type.Static<typeof SqliteCheckpointsSchema>;

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
    checkpoints: Type.Optional(SqliteCheckpointsSchema),
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
          edi: Type.Optional(
            Type.Object(
              {
                connection: Type.String({
                  minLength: 1,
                  expected: "the name of an sftp connection with format x12, outbound and x12",
                }),
                documents: Type.Optional(
                  Type.Array(Type.Enum(["855", "856", "810"]), {
                    minItems: 1,
                    uniqueItems: true,
                    expected: 'a list of "855", "856", "810"',
                  }),
                ),
                ackDeadlineHours: Type.Optional(count(1, 720)),
              },
              { ...closed, expected: "{ connection, documents?, ackDeadlineHours? }" },
            ),
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
        expected: "channel names (as in the orders) mapped to { prepaid, tracking?, edi?, creditCheck? }",
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
    shipmentWarnHours: Type.Optional(count(1, 8_760)),
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
          connection: Type.Optional(
            Type.String({
              minLength: 1,
              expected: "an sftp connection with x12 and outbound (the 850s go there)",
            }),
          ),
          ackTimeoutHours: Type.Optional(count(1, 8_760)),
          match: Type.Optional(
            Type.Union([Type.Literal("two-way"), Type.Literal("three-way")], {
              expected: "two-way or three-way",
            }),
          ),
        },
        closed,
      ),
      {
        ...closed,
        expected: "supplier codes mapped to { partnerId?, connection?, ackTimeoutHours?, match? }",
      },
    ),
    ackTimeoutHours: Type.Optional(count(1, 8_760)),
    receiptTimeoutHours: Type.Optional(count(1, 8_760)),
    approvalTimeoutHours: Type.Optional(count(1, 8_760)),
    owner: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  },
  closed,
);

const CodeList = Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { minItems: 1, maxItems: 1_000 });

/** `flows.routes.<name>`: events of a type, filtered by rules, delivered to a target. */
export const RouteSchema = Type.Object(
  {
    on: Type.String({
      pattern: "^[a-z][a-z0-9_.-]{0,127}$",
      expected: "an event type such as order.received",
    }),
    when: Type.Optional(
      Type.Object(
        {
          channel: Type.Optional(CodeList),
          country: Type.Optional(Type.Array(Type.String({ pattern: "^[A-Z]{2}$" }), { minItems: 1 })),
          warehouse: Type.Optional(CodeList),
          sku: Type.Optional(CodeList),
          amountAtLeast: Type.Optional(DecimalAmount),
          amountBelow: Type.Optional(DecimalAmount),
        },
        { ...closed, expected: "channel, country, warehouse, sku, amountAtLeast, amountBelow" },
      ),
    ),
    deliver: Type.String({ minLength: 1, expected: "the name of an http connection" }),
    mode: Type.Optional(
      Type.Union([Type.Literal("real-time"), Type.Literal("batch")], { expected: "real-time or batch" }),
    ),
    batch: Type.Optional(
      Type.Object(
        { everyMinutes: count(1, 10_080), maxItems: Type.Optional(count(1, 1_000)) },
        { ...closed, expected: "{ everyMinutes, maxItems? }" },
      ),
    ),
    slaMinutes: Type.Optional(count(1, 525_600)),
    owner: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    criticality: Type.Optional(
      Type.Union([Type.Literal("low"), Type.Literal("medium"), Type.Literal("high")], {
        expected: "low, medium or high",
      }),
    ),
  },
  closed,
);

export const FlowsSectionSchema = Type.Object(
  {
    routes: Type.Optional(
      Type.Record(Type.String({ pattern: "^[a-z0-9][a-z0-9_-]{0,63}$" }), RouteSchema, {
        ...closed,
        expected: "route names: lowercase letters, digits, '-' or '_'",
      }),
    ),
    "order-to-cash": Type.Optional(OrderToCashFlowSchema),
    returns: Type.Optional(ReturnsFlowSchema),
    "procure-to-pay": Type.Optional(ProcureToPayFlowSchema),
  },
  { ...closed, expected: "routes, or a built-in flow: order-to-cash, returns, procure-to-pay" },
);

/** A decimal quantity as a string (`"2"`, `"0.5"`): inventory quantities are exact, never floats. */
const DecimalQuantity = Type.String({
  pattern: "^[0-9]{1,15}(\\.[0-9]{1,6})?$",
  expected: 'a decimal quantity as a string, e.g. "2" or "0.5"',
});
const inventoryName = Type.String({ pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$" });
const skuRecord = <T extends Type.TSchema>(value: T) =>
  Type.Record(Type.String({ minLength: 1, maxLength: 255 }), value, closed);

/**
 * `inventory`: stock availability published to channels (docs/stock.md). The `InventoryOptions` of
 * `src/inventory/` plus what wires them: each channel's `connection` (shopify or woocommerce) and
 * Shopify `location`, each Odoo source's `connection` and location ids -> warehouse codes.
 * References between names are checked by `inventoryConfigProblems` (`build-inventory.ts`).
 */
export const InventorySectionSchema = Type.Object(
  {
    publishIntervalMs: Type.Optional(count(100, 3_600_000)),
    fullEveryHours: Type.Optional(count(0, 8_760)),
    sources: Type.Record(
      inventoryName,
      Type.Object(
        {
          slaMs: count(1_000, 604_800_000),
          connection: Type.Optional(
            Type.String({ minLength: 1, expected: "the name of an odoo connection" }),
          ),
          locations: Type.Optional(
            Type.Record(Type.String({ pattern: "^[1-9][0-9]{0,9}$" }), inventoryName, {
              ...closed,
              expected: 'Odoo internal location ids mapped to warehouse codes, e.g. { "8": WH }',
            }),
          ),
        },
        closed,
      ),
      { ...closed, expected: "source names mapped to { slaMs, connection?, locations? }" },
    ),
    warehouses: Type.Record(inventoryName, Type.Object({ source: inventoryName }, closed), closed),
    channels: Type.Record(
      Type.String({ pattern: CONNECTION_NAME_PATTERN }),
      Type.Object(
        {
          connection: Type.String({
            minLength: 1,
            expected: "the name of a shopify or woocommerce connection",
          }),
          location: Type.Optional(
            Type.String({ pattern: "^[1-9][0-9]{0,19}$", expected: "a Shopify location id, as a string" }),
          ),
          warehouses: Type.Array(inventoryName, { minItems: 1, maxItems: 100 }),
          sharePercent: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
          buffer: Type.Optional(DecimalQuantity),
          maxListed: Type.Optional(count(0, 1_000_000_000)),
          minListed: Type.Optional(count(0, 1_000_000_000)),
          freshness: Type.Optional(
            Type.Union([Type.Literal("conservative"), Type.Literal("hold"), Type.Literal("zero")], {
              expected: "conservative, hold or zero",
            }),
          ),
          slaMs: Type.Optional(Type.Record(inventoryName, count(1_000, 604_800_000), closed)),
          packSizes: Type.Optional(skuRecord(DecimalQuantity)),
          batchSize: Type.Optional(count(1, 250)),
          api: Type.Optional(
            Type.Union([Type.Literal("graphql"), Type.Literal("rest")], {
              expected: "graphql (a batch a call) or rest (a SKU a call)",
            }),
          ),
        },
        closed,
      ),
      { ...closed, expected: "channel names (as in the orders) mapped to { connection, warehouses, ... }" },
    ),
    kits: Type.Optional(
      skuRecord(
        Type.Object(
          {
            components: Type.Array(
              Type.Object({ sku: Type.String({ minLength: 1 }), quantity: DecimalQuantity }, closed),
              {
                minItems: 1,
                maxItems: 100,
              },
            ),
          },
          closed,
        ),
      ),
    ),
    skus: Type.Optional(
      skuRecord(
        Type.Object(
          {
            safetyStock: Type.Optional(DecimalQuantity),
            uomFactors: Type.Optional(
              Type.Record(Type.String({ minLength: 1, maxLength: 16 }), DecimalQuantity, closed),
            ),
            baseUom: Type.Optional(Type.String({ minLength: 1, maxLength: 16 })),
          },
          closed,
        ),
      ),
    ),
    defaultSafetyStock: Type.Optional(DecimalQuantity),
  },
  closed,
);
export type InventorySection = Type.Static<typeof InventorySectionSchema>;

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
  inventory: Type.Optional(InventorySectionSchema),
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
    checkpoints: "background" as SqliteCheckpoints,
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
  readonly checkpoints: SqliteCheckpoints;
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
  /** Stock availability publication, as written (references checked by `inventoryConfigProblems`). */
  readonly inventory?: Readonly<InventorySection>;
  /** Things that loaded but deserve attention, e.g. a literal secret tolerated in `dev`. */
  readonly warnings: readonly ConfigProblem[];
}
