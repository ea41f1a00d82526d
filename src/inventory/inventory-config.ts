/**
 * What the availability engine is told about the world: its stock sources and their freshness SLA,
 * which source is the authority for each warehouse, each channel's policy, kits and per-SKU settings.
 *
 * `InventoryOptions` is plain JSON (it is stored beside the state, so `crossdock stock explain` can
 * read it without the running hub); `createInventoryConfig` checks it and resolves it into engine
 * units. Conventions: quantities in SKU base units are decimal strings; `maxListed` and `minListed`
 * are in the units the channel sells (packs when a pack size is set), whole numbers.
 */
import { CrossdockError } from "../core/errors.ts";
import { ONE, toUnits } from "./stock-quantity.ts";

/**
 * What a channel is told while a source it depends on is past its SLA:
 * - `hold`: keep the last published number; it may go down (orders, fresher sources) but never up;
 * - `conservative`: the stale source's stock counts as 0 (default);
 * - `zero`: publish 0 for every SKU that has stock at a stale source (delists it).
 */
export type FreshnessPolicy = "hold" | "conservative" | "zero";
export const FRESHNESS_POLICIES: readonly FreshnessPolicy[] = ["hold", "conservative", "zero"];

export interface ChannelOptions {
  /** Warehouses whose stock this channel may sell. */
  warehouses: string[];
  /** Share of the pool offered to this channel, 0-100 (2 decimals). Default 100. */
  sharePercent?: number;
  /** Base units kept back from this channel after the share. Default "0". */
  buffer?: string;
  /** Never list more than this (selling units). Default: no cap. */
  maxListed?: number;
  /** Below this (selling units) publish 0, i.e. delist. Default 0 (never delisted early). */
  minListed?: number;
  /** Default `conservative`. */
  freshness?: FreshnessPolicy;
  /** SLA per source for this channel, ms; overrides the source's own. */
  slaMs?: Record<string, number>;
  /** Base units per selling unit, per SKU (a channel that sells cases of 12: `"12"`). */
  packSizes?: Record<string, string>;
  /** Most SKUs per call of the channel's batch API. Default 100. */
  batchSize?: number;
}

export interface SkuOptions {
  /** Units kept back from every channel. Default `InventoryOptions.defaultSafetyStock`. */
  safetyStock?: string;
  /** Base units per unit of measure a source may report in (`{ CA: "12" }`); base unit = 1. */
  uomFactors?: Record<string, string>;
  /** The unit the SKU is counted in. Default `EA`; only checked when `uomFactors` is set. */
  baseUom?: string;
}

export interface KitOptions {
  /** Base units of each component per kit. */
  components: { sku: string; quantity: string }[];
}

export interface InventoryOptions {
  /** Every stock source (a connection name) and how old its figures may get, ms. */
  sources: Record<string, { slaMs: number }>;
  /** Each warehouse's authoritative source; readings of it from other sources are shown, not counted. */
  warehouses: Record<string, { source: string }>;
  channels: Record<string, ChannelOptions>;
  kits?: Record<string, KitOptions>;
  skus?: Record<string, SkuOptions>;
  /** Default "0". */
  defaultSafetyStock?: string;
}

/** A channel's resolved policy. */
export interface ChannelConfig {
  readonly name: string;
  readonly warehouses: ReadonlySet<string>;
  /** Share in basis points (10,000 = 100%). */
  readonly shareBp: bigint;
  readonly bufferUnits: bigint;
  readonly maxListed: number | undefined;
  readonly minListed: number;
  readonly freshness: FreshnessPolicy;
  readonly batchSize: number;
  readonly slaOverrides: Readonly<Record<string, number>>;
  readonly packUnits: ReadonlyMap<string, bigint>;
}

export interface KitComponent {
  readonly sku: string;
  readonly units: bigint;
}

export interface InventoryConfig {
  /** What it was made from (stored for the CLI). */
  readonly options: InventoryOptions;
  readonly channels: ReadonlyMap<string, ChannelConfig>;
  readonly warehouseSource: ReadonlyMap<string, string>;
  readonly sourceSla: ReadonlyMap<string, number>;
  readonly kits: ReadonlyMap<string, readonly KitComponent[]>;
  /** Component SKU -> the kits that use it. */
  readonly kitsOf: ReadonlyMap<string, readonly string[]>;
  safetyUnits(sku: string): bigint;
  /** Base units per `uom` of `sku`; `undefined` when the unit is unknown for a SKU with factors. */
  uomFactor(sku: string, uom: string | undefined): bigint | undefined;
  /** The SLA of `source` as `channel` sees it, ms. */
  slaMs(channel: ChannelConfig, source: string): number;
}

const problemsOf = (options: InventoryOptions): string[] => {
  const problems: string[] = [];
  const units = (text: unknown, path: string, positive = false) => {
    const value = typeof text === "string" ? toUnits(text, "demand") : undefined;
    if (value === undefined || value < 0n || (positive && value === 0n))
      problems.push(`${path}: expected a ${positive ? "positive" : "non-negative"} decimal string`);
  };
  const whole = (n: unknown, path: string) => {
    if (n !== undefined && !(Number.isSafeInteger(n) && (n as number) >= 0))
      problems.push(`${path}: expected a whole number >= 0`);
  };
  for (const [name, source] of Object.entries(options.sources ?? {}))
    if (!(Number.isSafeInteger(source?.slaMs) && source.slaMs > 0))
      problems.push(`sources.${name}.slaMs: expected ms > 0`);
  for (const [name, warehouse] of Object.entries(options.warehouses ?? {}))
    if (!options.sources?.[warehouse?.source])
      problems.push(`warehouses.${name}.source: unknown source "${warehouse?.source}"`);
  for (const [name, c] of Object.entries(options.channels ?? {})) {
    const at = `channels.${name}`;
    if (!Array.isArray(c?.warehouses) || c.warehouses.length === 0)
      problems.push(`${at}.warehouses: at least one`);
    for (const w of c?.warehouses ?? [])
      if (!options.warehouses?.[w]) problems.push(`${at}.warehouses: unknown "${w}"`);
    const share = c?.sharePercent;
    if (
      share !== undefined &&
      !(
        share >= 0 &&
        share <= 100 &&
        Number.isInteger(Math.round(share * 100)) &&
        Math.abs(share * 100 - Math.round(share * 100)) < 1e-9
      )
    )
      problems.push(`${at}.sharePercent: expected 0-100 with at most 2 decimals`);
    if (c?.buffer !== undefined) units(c.buffer, `${at}.buffer`);
    whole(c?.maxListed, `${at}.maxListed`);
    whole(c?.minListed, `${at}.minListed`);
    if (c?.batchSize !== undefined && !(Number.isSafeInteger(c.batchSize) && c.batchSize > 0))
      problems.push(`${at}.batchSize: expected > 0`);
    if (c?.freshness !== undefined && !FRESHNESS_POLICIES.includes(c.freshness))
      problems.push(`${at}.freshness: expected ${FRESHNESS_POLICIES.join(" | ")}`);
    for (const [s, ms] of Object.entries(c?.slaMs ?? {}))
      if (!options.sources?.[s] || !(Number.isSafeInteger(ms) && ms > 0))
        problems.push(`${at}.slaMs.${s}: unknown source or not ms > 0`);
    for (const [sku, size] of Object.entries(c?.packSizes ?? {})) units(size, `${at}.packSizes.${sku}`, true);
  }
  for (const [kit, k] of Object.entries(options.kits ?? {})) {
    if (!Array.isArray(k?.components) || k.components.length === 0)
      problems.push(`kits.${kit}.components: at least one`);
    for (const [i, part] of (k?.components ?? []).entries()) {
      units(part?.quantity, `kits.${kit}.components[${i}].quantity`, true);
      if (part?.sku === kit || options.kits?.[part?.sku])
        problems.push(`kits.${kit}.components[${i}]: a kit cannot contain a kit`);
    }
  }
  for (const [sku, s] of Object.entries(options.skus ?? {})) {
    if (s?.safetyStock !== undefined) units(s.safetyStock, `skus.${sku}.safetyStock`);
    for (const [uom, f] of Object.entries(s?.uomFactors ?? {}))
      units(f, `skus.${sku}.uomFactors.${uom}`, true);
  }
  if (options.defaultSafetyStock !== undefined) units(options.defaultSafetyStock, "defaultSafetyStock");
  return problems;
};

/** Checks and resolves the options; `CDK_CONFIG_INVALID` lists every problem with its path. */
export function createInventoryConfig(options: InventoryOptions): InventoryConfig {
  const problems = problemsOf(options);
  if (problems.length > 0) {
    throw new CrossdockError("CDK_CONFIG_INVALID", `inventory configuration: ${problems[0]}`, {
      details: { problems },
    });
  }
  const u = (text: string) => toUnits(text, "demand") as bigint;
  const channels = new Map<string, ChannelConfig>();
  for (const [name, c] of Object.entries(options.channels)) {
    channels.set(
      name,
      Object.freeze({
        name,
        warehouses: new Set(c.warehouses),
        shareBp: BigInt(Math.round((c.sharePercent ?? 100) * 100)),
        bufferUnits: c.buffer === undefined ? 0n : u(c.buffer),
        maxListed: c.maxListed,
        minListed: c.minListed ?? 0,
        freshness: c.freshness ?? "conservative",
        batchSize: c.batchSize ?? 100,
        slaOverrides: { ...c.slaMs },
        packUnits: new Map(Object.entries(c.packSizes ?? {}).map(([sku, size]) => [sku, u(size)])),
      }),
    );
  }
  const kits = new Map<string, KitComponent[]>();
  const kitsOf = new Map<string, string[]>();
  for (const [kit, k] of Object.entries(options.kits ?? {})) {
    kits.set(
      kit,
      k.components.map((part) => ({ sku: part.sku, units: u(part.quantity) })),
    );
    for (const part of k.components) kitsOf.set(part.sku, [...(kitsOf.get(part.sku) ?? []), kit]);
  }
  const defaultSafety = u(options.defaultSafetyStock ?? "0");
  const safety = new Map(
    Object.entries(options.skus ?? {}).flatMap(([sku, s]) =>
      s.safetyStock === undefined ? [] : [[sku, u(s.safetyStock)] as const],
    ),
  );
  const sourceSla = new Map(Object.entries(options.sources).map(([name, s]) => [name, s.slaMs]));
  return Object.freeze({
    options,
    channels,
    warehouseSource: new Map(Object.entries(options.warehouses).map(([w, x]) => [w, x.source])),
    sourceSla,
    kits,
    kitsOf,
    safetyUnits: (sku: string) => safety.get(sku) ?? defaultSafety,
    uomFactor(sku: string, uom: string | undefined) {
      const s = options.skus?.[sku];
      if (!s?.uomFactors || uom === undefined || uom === (s.baseUom ?? "EA")) return ONE;
      const factor = s.uomFactors[uom];
      return factor === undefined ? undefined : u(factor);
    },
    slaMs: (channel: ChannelConfig, source: string) =>
      channel.slaOverrides[source] ?? sourceSla.get(source) ?? 0,
  });
}
