/**
 * The pure part of a return: which delivery each returned SKU came from, what the return is worth, how
 * late it is asked for, and later how the counted goods spread over the return pickings. No I/O, so the
 * workflow records its results in one step and replays them unchanged.
 */

import type { CustomerReturn } from "../../core/model/customer-return.ts";
import {
  addDecimals,
  compareDecimals,
  multiplyDecimals,
  roundHalfEven,
  subtractDecimals,
} from "../../core/model/decimal.ts";
import type { ReturnableOrder } from "./returns-ports.ts";

export interface ReturnAllocation {
  pickingId: number;
  deliveryName: string;
  lines: { sku: string; productId: number; quantity: string }[];
}

export interface ReturnPlan {
  allocations: ReturnAllocation[];
  /** Requested quantities at the order's prices with tax, in the order's currency. */
  value: string;
  /** Whole days from the (last used) delivery to the request; null when Odoo has no date. */
  daysSinceDelivery: number | null;
  /** Why a person must authorise it; empty = automatic. */
  approvalReasons: string[];
}

export type ReturnPlanOutcome = { ok: true; plan: ReturnPlan } | { ok: false; problems: string[] };

export interface ReturnPolicy {
  /** A return worth more than this (with tax) needs a person; absent = never for the value. */
  approvalOver?: string;
  /** A return asked for more than this many days after delivery needs a person; absent = never. */
  windowDays?: number;
}

const DAY_MS = 86_400_000;

export function planReturn(
  ret: CustomerReturn,
  order: ReturnableOrder,
  policy: ReturnPolicy,
): ReturnPlanOutcome {
  const problems: string[] = [];
  // What each delivery can still give back, per product, consumed as lines are allocated.
  const left = order.deliveries.map((d) => {
    const qty = new Map<number, string>();
    for (const move of d.moves)
      qty.set(move.productId, addDecimals(qty.get(move.productId) ?? "0", move.quantity));
    return { delivery: d, qty };
  });
  const byPicking = new Map<number, ReturnAllocation>();
  let value = "0";
  const used = new Set<number>();
  ret.lines.forEach((line, index) => {
    const productId = order.productBySku[line.sku];
    if (productId === undefined) {
      problems.push(`lines/${index}/sku ${line.sku} is not on order ${order.name}`);
      return;
    }
    let wanted = line.quantity;
    for (const entry of left) {
      if (compareDecimals(wanted, "0") <= 0) break;
      const available = entry.qty.get(productId) ?? "0";
      if (compareDecimals(available, "0") <= 0) continue;
      const take = compareDecimals(available, wanted) < 0 ? available : wanted;
      entry.qty.set(productId, subtractDecimals(available, take));
      wanted = subtractDecimals(wanted, take);
      used.add(entry.delivery.pickingId);
      const allocation = byPicking.get(entry.delivery.pickingId) ?? {
        pickingId: entry.delivery.pickingId,
        deliveryName: entry.delivery.name,
        lines: [],
      };
      const same = allocation.lines.find((l) => l.productId === productId);
      if (same) same.quantity = addDecimals(same.quantity, take);
      else allocation.lines.push({ sku: line.sku, productId, quantity: take });
      byPicking.set(entry.delivery.pickingId, allocation);
    }
    if (compareDecimals(wanted, "0") > 0) {
      problems.push(
        `lines/${index}/quantity ${line.quantity} of ${line.sku} is more than order ${order.name} delivered`,
      );
    }
    value = addDecimals(value, multiplyDecimals(line.quantity, order.unitPriceWithTax[line.sku] ?? "0"));
  });
  if (problems.length > 0) return { ok: false, problems };
  value = roundHalfEven(value, 2);
  const doneTimes = order.deliveries
    .filter((d) => used.has(d.pickingId) && d.doneAt)
    .map((d) => Date.parse(`${(d.doneAt as string).replace(" ", "T")}Z`));
  const requested = Date.parse(ret.requestedAt);
  const daysSinceDelivery =
    doneTimes.length > 0 && Number.isFinite(requested)
      ? Math.floor((requested - Math.max(...doneTimes)) / DAY_MS)
      : null;
  const approvalReasons: string[] = [];
  if (policy.approvalOver !== undefined && compareDecimals(value, policy.approvalOver) > 0) {
    approvalReasons.push(`worth ${value}, over ${policy.approvalOver}`);
  }
  if (
    policy.windowDays !== undefined &&
    daysSinceDelivery !== null &&
    daysSinceDelivery > policy.windowDays
  ) {
    approvalReasons.push(
      `asked ${daysSinceDelivery} days after delivery, past the ${policy.windowDays}-day window`,
    );
  }
  return {
    ok: true,
    plan: { allocations: [...byPicking.values()], value, daysSinceDelivery, approvalReasons },
  };
}

/** Counted goods per SKU spread over the return pickings in plan order, never above what each expects. */
export function spreadReceived(
  allocations: readonly ReturnAllocation[],
  received: readonly { sku: string; quantity: string }[],
): { perPicking: ReturnAllocation[]; excess: { sku: string; quantity: string }[] } {
  const counted = new Map<string, string>();
  for (const line of received)
    counted.set(line.sku, addDecimals(counted.get(line.sku) ?? "0", line.quantity));
  const perPicking = allocations.map((allocation) => ({
    ...allocation,
    lines: allocation.lines.map((line) => {
      const have = counted.get(line.sku) ?? "0";
      const take = compareDecimals(have, line.quantity) < 0 ? have : line.quantity;
      counted.set(line.sku, subtractDecimals(have, take));
      return { ...line, quantity: take };
    }),
  }));
  const excess = [...counted]
    .filter(([, quantity]) => compareDecimals(quantity, "0") > 0)
    .map(([sku, quantity]) => ({ sku, quantity }));
  return { perPicking, excess };
}
