/**
 * Available to promise for one SKU on one channel, and why: the pure calculation of the engine.
 *
 *   stock     = sum of the supply (on hand - reserved, or the source's `available` when lower) of every
 *               reading at a warehouse the channel serves, from that warehouse's authoritative source
 *   pool      = stock - soft reservations (all channels; a line without a warehouse counts everywhere)
 *               - safety stock
 *   kit pool  = min over components of floor(component pool / quantity per kit), whole kits
 *   after share  = floor(pool x share%)        (only when the pool is positive)
 *   after buffer = after share - buffer
 *   selling   = floor(after buffer / pack size), never below 0
 *   capped    = min(selling, maxListed); 0 when below minListed (delisted)
 *
 * Freshness: a reading is stale when `now - max(observedAt, source heartbeat)` exceeds the SLA the
 * channel applies to its source. Then the channel's policy decides: `conservative` counts the stale
 * supply as 0 (a negative one stays), `zero` publishes 0, `hold` publishes min(last told, the figure
 * with the stale readings taken as they are) and, never told before, the conservative figure.
 *
 * `explain` costs allocations; the engine's hot path passes `undefined` and only gets the number.
 */
import type { ChannelConfig, FreshnessPolicy } from "./inventory-config.ts";
import { floorDiv, ONE, publishable, unitsToText } from "./stock-quantity.ts";
import type { StockState } from "./stock-state.ts";

/** Why a reading counts the way it does. */
export type LevelUse =
  | "counted"
  | "stale-as-zero"
  | "stale-as-is"
  | "not-authoritative"
  | "unit-unknown"
  | "not-served";

export interface LevelTerm {
  sku: string;
  source: string;
  warehouse: string;
  part: string;
  onHand: string;
  reserved: string;
  available?: string;
  uom?: string;
  incoming?: string;
  incomingDate?: string;
  /** Base units this reading adds (before staleness). */
  supply: string;
  observedAt: number;
  heartbeatAt?: number;
  ageMs: number;
  slaMs: number;
  stale: boolean;
  use: LevelUse;
  /** What it added to the stock. */
  counted: string;
}

export interface ReservationTerm {
  order: string;
  channel: string;
  sku: string;
  quantity: string;
  receivedAt: number;
  confirmedAt?: number;
}

/** One step of the calculation, in order: its name, result and what it was computed from. */
export interface StepTerm {
  term: string;
  value: string;
  detail?: string;
}

export interface AvailabilityExplanation {
  sku: string;
  channel: string;
  at: number;
  quantity: number;
  kit: boolean;
  freshness: { policy: FreshnessPolicy; stale: boolean; reason?: string; staleSources: string[] };
  levels: LevelTerm[];
  reservations: ReservationTerm[];
  steps: StepTerm[];
}

export interface Availability {
  quantity: number;
  /** A reading it depends on is past its SLA. */
  stale: boolean;
}

type Mode = "conservative" | "as-is";

function pool(
  state: StockState,
  channel: ChannelConfig,
  sku: string,
  now: number,
  mode: Mode,
  ex: AvailabilityExplanation | undefined,
) {
  const config = state.config;
  let stock = 0n;
  let stale = false;
  const staleSources: string[] = [];
  for (const level of state.levels.get(sku) ?? []) {
    const { input } = level;
    const served = channel.warehouses.has(input.warehouse);
    const authoritative = config.warehouseSource.get(input.warehouse) === input.source;
    const heartbeat = state.heartbeats.get(input.source);
    const ageMs = now - Math.max(input.observedAt, heartbeat ?? -Infinity);
    const slaMs = config.slaMs(channel, input.source);
    const isStale = ageMs > slaMs;
    let use: LevelUse = "counted";
    let counted = 0n;
    if (!served) use = "not-served";
    else if (!authoritative) use = "not-authoritative";
    else if (!level.usable) use = "unit-unknown";
    else if (isStale) {
      stale = true;
      if (!staleSources.includes(input.source)) staleSources.push(input.source);
      use = mode === "conservative" ? "stale-as-zero" : "stale-as-is";
      counted = mode === "conservative" && level.supply > 0n ? 0n : level.supply;
    } else counted = level.supply;
    stock += counted;
    if (ex) {
      ex.levels.push({
        sku,
        source: input.source,
        warehouse: input.warehouse,
        part: input.part ?? "",
        onHand: input.onHand,
        reserved: input.reserved ?? "0",
        ...(input.available === undefined ? {} : { available: input.available }),
        ...(input.uom === undefined ? {} : { uom: input.uom }),
        ...(input.incoming === undefined ? {} : { incoming: input.incoming }),
        ...(input.incomingDate === undefined ? {} : { incomingDate: input.incomingDate }),
        supply: unitsToText(level.supply),
        observedAt: input.observedAt,
        ...(heartbeat === undefined ? {} : { heartbeatAt: heartbeat }),
        ageMs,
        slaMs,
        stale: isStale,
        use,
        counted: unitsToText(counted),
      });
    }
  }
  let soft = 0n;
  for (const order of state.ordersBySku.get(sku) ?? []) {
    const reservation = state.reservations.get(order);
    for (const line of reservation?.lines ?? []) {
      if (line.sku !== sku || (line.warehouse !== undefined && !channel.warehouses.has(line.warehouse)))
        continue;
      soft += line.units;
      if (ex && reservation) {
        ex.reservations.push({
          order,
          channel: reservation.channel,
          sku,
          quantity: unitsToText(line.units),
          receivedAt: reservation.receivedAt,
          ...(reservation.confirmedAt === undefined ? {} : { confirmedAt: reservation.confirmedAt }),
        });
      }
    }
  }
  const safety = config.safetyUnits(sku);
  const units = stock - soft - safety;
  if (ex) {
    const p = sku === ex.sku ? "" : `${sku}: `;
    ex.steps.push({ term: `${p}stock`, value: unitsToText(stock), detail: "sum of counted readings" });
    ex.steps.push({
      term: `${p}soft reservations`,
      value: unitsToText(soft),
      detail: "orders not yet confirmed by Odoo",
    });
    ex.steps.push({ term: `${p}safety stock`, value: unitsToText(safety) });
    ex.steps.push({
      term: `${p}pool`,
      value: unitsToText(units),
      detail: "stock - soft reservations - safety stock",
    });
  }
  return { units, stale, staleSources };
}

function figure(
  state: StockState,
  channel: ChannelConfig,
  sku: string,
  now: number,
  mode: Mode,
  ex: AvailabilityExplanation | undefined,
) {
  const parts = state.config.kits.get(sku);
  let units: bigint;
  let stale = false;
  const staleSources: string[] = [];
  if (!parts) {
    const p = pool(state, channel, sku, now, mode, ex);
    ({ units, stale } = p);
    staleSources.push(...p.staleSources);
  } else {
    units = 0n;
    for (const [i, part] of parts.entries()) {
      const p = pool(state, channel, part.sku, now, mode, ex);
      stale ||= p.stale;
      staleSources.push(...p.staleSources);
      const kits = floorDiv(p.units, part.units) * ONE;
      if (i === 0 || kits < units) units = kits;
      ex?.steps.push({
        term: `${part.sku}: kits`,
        value: unitsToText(kits),
        detail: `floor(pool / ${unitsToText(part.units)})`,
      });
    }
    ex?.steps.push({ term: "kit pool", value: unitsToText(units), detail: "min over components" });
  }
  if (ex) ex.freshness.staleSources = [...new Set([...ex.freshness.staleSources, ...staleSources])];
  let after = units > 0n ? floorDiv(units * channel.shareBp, 10_000n) : units;
  ex?.steps.push({
    term: "after share",
    value: unitsToText(after),
    detail: `${Number(channel.shareBp) / 100}% of the pool`,
  });
  after -= channel.bufferUnits;
  ex?.steps.push({
    term: "after buffer",
    value: unitsToText(after),
    detail: `- ${unitsToText(channel.bufferUnits)}`,
  });
  const pack = channel.packUnits.get(sku) ?? ONE;
  let quantity = after <= 0n ? 0 : publishable((after * ONE) / pack);
  ex?.steps.push({
    term: "selling units",
    value: String(quantity),
    detail: `floor(/ pack of ${unitsToText(pack)}), never below 0`,
  });
  if (channel.maxListed !== undefined && quantity > channel.maxListed) {
    quantity = channel.maxListed;
    ex?.steps.push({ term: "max listed", value: String(quantity), detail: `capped at ${channel.maxListed}` });
  }
  if (quantity < channel.minListed && quantity > 0) {
    ex?.steps.push({
      term: "min to stay listed",
      value: "0",
      detail: `${quantity} is below ${channel.minListed}: delisted`,
    });
    quantity = 0;
  }
  return { quantity, stale };
}

/**
 * The number `channel` may be told for `sku` at `now`. `lastTold` is what the channel was last told
 * (the `hold` policy needs it); with `explain`, every term is appended to it.
 */
export function computeAvailability(
  state: StockState,
  channel: ChannelConfig,
  sku: string,
  now: number,
  lastTold: number | undefined,
  explain?: AvailabilityExplanation,
): Availability {
  const policy = channel.freshness;
  const first = figure(
    state,
    channel,
    sku,
    now,
    policy === "conservative" ? "conservative" : "as-is",
    explain,
  );
  let quantity = first.quantity;
  if (first.stale && policy === "zero") {
    quantity = 0;
    if (explain) explain.freshness.reason = "a source is past its SLA; policy zero publishes 0";
  } else if (first.stale && policy === "hold") {
    if (lastTold === undefined) {
      const safe = explain ? undefined : figure(state, channel, sku, now, "conservative", undefined);
      quantity = safe ? safe.quantity : conservativeForExplain(state, channel, sku, now, explain);
      if (explain)
        explain.freshness.reason =
          "a source is past its SLA and nothing was published yet: stale stock counted as 0";
    } else {
      quantity = Math.min(lastTold, first.quantity);
      if (explain)
        explain.freshness.reason = `a source is past its SLA; policy hold keeps the last published ${lastTold} unless lower now`;
    }
  } else if (first.stale && explain)
    explain.freshness.reason = "a source is past its SLA; its stock counts as 0";
  if (explain) {
    explain.quantity = quantity;
    explain.freshness.stale = first.stale;
    explain.steps.push({
      term: "published",
      value: String(quantity),
      detail: first.stale ? `stale, policy ${policy}` : "all sources fresh",
    });
  }
  return { quantity, stale: first.stale };
}

function conservativeForExplain(
  state: StockState,
  channel: ChannelConfig,
  sku: string,
  now: number,
  ex: AvailabilityExplanation | undefined,
): number {
  ex?.steps.push({
    term: "hold without a published figure",
    value: "",
    detail: "recomputed with stale stock as 0",
  });
  return figure(state, channel, sku, now, "conservative", ex).quantity;
}

/** The full explanation of `computeAvailability`. */
export function explainAvailability(
  state: StockState,
  channel: ChannelConfig,
  sku: string,
  now: number,
  lastTold: number | undefined,
): AvailabilityExplanation {
  const ex: AvailabilityExplanation = {
    sku,
    channel: channel.name,
    at: now,
    quantity: 0,
    kit: state.config.kits.has(sku),
    freshness: { policy: channel.freshness, stale: false, staleSources: [] },
    levels: [],
    reservations: [],
    steps: [],
  };
  computeAvailability(state, channel, sku, now, lastTold, ex);
  return ex;
}
