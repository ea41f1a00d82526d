/**
 * Oversell detection: is an incoming order for more than the channel could sell when it was placed?
 *
 * For each line, two numbers at the order's time are compared with the ordered quantity (in the
 * channel's selling units, as published):
 * - `available`: what the engine computes for the channel at that moment, before this order's own
 *   soft reservation (so call it before reserving the order; the stock feed does);
 * - `told`: what the channel had last been told by then (the channel should not have accepted more).
 * Ordered above `available` is a real oversell (`exceeds-available`); above `told` only, the channel
 * accepted more than it was told, or sold from a number the hub had already lowered (`exceeds-told`).
 * A flagged line carries its trail: the told history and every term of the calculation.
 *
 * Limitation: the engine keeps current inputs, not their history, so "at that moment" is the inputs as
 * they stand when the check runs, with staleness judged at `at`. Run as the order event is applied
 * (events are applied in order), that is the state the order met.
 */
import type { AvailabilityExplanation } from "./availability.ts";
import type { Inventory } from "./inventory.ts";
import type { ToldEntry } from "./publication-planner.ts";
import { ONE, toUnits } from "./stock-quantity.ts";

export interface OrderLineInput {
  sku: string;
  /** Decimal string, in the channel's selling units. */
  quantity: string;
}

export type OversellVerdict = "ok" | "exceeds-available" | "exceeds-told";

export interface OversellLine {
  sku: string;
  ordered: string;
  available: number;
  told: number | undefined;
  verdict: OversellVerdict;
  /** Only on flagged lines. */
  trail?: { told: readonly ToldEntry[]; explanation: AvailabilityExplanation };
}

export type OversellCheck =
  | { status: "ok"; channel: string; at: number; lines: OversellLine[] }
  | { status: "oversold"; channel: string; at: number; lines: OversellLine[] };

/** Checks an order's lines against the channel's availability at `at`. Unknown channel: every line ok. */
export function checkOrder(
  inventory: Inventory,
  channel: string,
  lines: readonly OrderLineInput[],
  at: number,
): OversellCheck {
  const out: OversellLine[] = [];
  const ordered = new Map<string, bigint>();
  for (const line of lines)
    ordered.set(line.sku, (ordered.get(line.sku) ?? 0n) + (toUnits(line.quantity, "demand") ?? 0n));
  for (const [sku, units] of ordered) {
    const explanation = inventory.engine.explain(sku, channel, at);
    if (!explanation) continue;
    const told = inventory.planner.toldAt(channel, sku, at);
    const verdict: OversellVerdict =
      units > BigInt(explanation.quantity) * ONE
        ? "exceeds-available"
        : told !== undefined && units > BigInt(told.quantity) * ONE
          ? "exceeds-told"
          : "ok";
    const text = lines.find((l) => l.sku === sku)?.quantity ?? "0";
    out.push({
      sku,
      ordered: lines.filter((l) => l.sku === sku).length > 1 ? String(Number(units / ONE)) : text,
      available: explanation.quantity,
      told: told?.quantity,
      verdict,
      ...(verdict === "ok"
        ? {}
        : { trail: { told: inventory.planner.toldHistory(channel, sku), explanation } }),
    });
  }
  const oversold = out.some((l) => l.verdict !== "ok");
  return { status: oversold ? "oversold" : "ok", channel, at, lines: out };
}
