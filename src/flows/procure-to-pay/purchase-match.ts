/**
 * The pure decisions of procure-to-pay: what a supplier's acknowledgement changes on the order's
 * lines, and whether the vendor bill matches the order and the receipts (2-way: billed = ordered;
 * 3-way: billed = received = ordered, and the billed price is the ordered one). No I/O, so the workflow
 * records each result in a step and replays it unchanged.
 */
import type {
  PurchaseLineChange,
  PurchaseState,
  VendorBill,
} from "../../connectors/odoo/actions/purchase-lifecycle.ts";
import type { SupplierAcknowledgement } from "../../core/model/supplier-acknowledgement.ts";

/** A canonical purchase line and the Odoo line it became. */
export interface LinkedLine {
  lineId: string;
  sku: string;
  odooLineId: number;
  productId: number;
}

export interface AcknowledgementPlan {
  changes: PurchaseLineChange[];
  /** Canonical line ids the supplier rejected (set to zero in Odoo). */
  rejected: string[];
  /** Line ids in the acknowledgement that are not on the order (left for a person to see). */
  unknown: string[];
  /** Nothing is left to deliver: the order is cancelled. */
  nothingLeft: boolean;
}

export function planAcknowledgement(
  ack: SupplierAcknowledgement,
  lines: readonly LinkedLine[],
  ordered: ReadonlyMap<number, number>,
): AcknowledgementPlan {
  const changes: PurchaseLineChange[] = [];
  const rejected: string[] = [];
  const unknown: string[] = [];
  const after = new Map(ordered);
  for (const answer of ack.lines) {
    const line = lines.find((l) => l.lineId === answer.lineId);
    if (!line) {
      unknown.push(answer.lineId);
      continue;
    }
    if (answer.status === "rejected" || ack.status === "rejected") {
      rejected.push(line.lineId);
      changes.push({ lineId: line.odooLineId, quantity: "0" });
      after.set(line.odooLineId, 0);
      continue;
    }
    if (answer.status !== "changed") continue;
    const change: PurchaseLineChange = { lineId: line.odooLineId };
    if (answer.quantity !== undefined) {
      change.quantity = answer.quantity;
      after.set(line.odooLineId, Number(answer.quantity));
    }
    if (answer.unitPrice !== undefined) change.priceUnit = answer.unitPrice;
    if (answer.expectedOn !== undefined) change.datePlanned = answer.expectedOn;
    changes.push(change);
  }
  if (ack.status === "rejected") {
    for (const line of lines) {
      if (!rejected.includes(line.lineId)) {
        rejected.push(line.lineId);
        after.set(line.odooLineId, 0);
      }
    }
  }
  const nothingLeft = [...after.values()].every((quantity) => quantity <= 0);
  return { changes, rejected, unknown, nothingLeft };
}

export interface BillMismatch {
  lineId: string;
  sku: string;
  ordered: number;
  received: number;
  billed: number;
  problem: string;
}

/** Per order line, what is wrong between order, receipts and bills; empty = the bill may be posted. */
export function matchBill(
  mode: "two-way" | "three-way",
  lines: readonly LinkedLine[],
  order: PurchaseState,
  bills: readonly VendorBill[],
): BillMismatch[] {
  const mismatches: BillMismatch[] = [];
  for (const line of lines) {
    const state = order.lines.find((l) => l.lineId === line.odooLineId);
    if (!state) continue;
    const billLines = bills.flatMap((b) => b.lines).filter((l) => l.purchaseLineId === line.odooLineId);
    const billed = round(billLines.reduce((sum, l) => sum + l.quantity, 0));
    const base = {
      lineId: line.lineId,
      sku: line.sku,
      ordered: state.ordered,
      received: state.received,
      billed,
    };
    if (mode === "three-way" && state.received !== state.ordered) {
      mismatches.push({ ...base, problem: `received ${state.received} of ${state.ordered} ordered` });
    }
    const expected = mode === "three-way" ? state.received : state.ordered;
    if (billed !== expected) {
      mismatches.push({
        ...base,
        problem: `billed ${billed}, ${mode === "three-way" ? "received" : "ordered"} ${expected}`,
      });
    }
    const price = billLines.find((l) => Number(l.priceUnit) !== Number(state.priceUnit));
    if (price) {
      mismatches.push({ ...base, problem: `billed at ${price.priceUnit}, ordered at ${state.priceUnit}` });
    }
  }
  return mismatches;
}

const round = (n: number) => Math.round(n * 1e6) / 1e6;
