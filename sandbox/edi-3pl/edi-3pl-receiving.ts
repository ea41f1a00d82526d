/**
 * The sandbox 3PL's receiving dock: each accepted 943 is an expected shipment that arrives
 * `receiveDelayMs` after the 943 was read (or the plan's `afterMs`), is counted by its plan (some units
 * short, some damaged) and confirmed with a 944. Good units of a tracked SKU go into stock; damaged ones
 * do not. A repeated 943 (a reference already expected) is acknowledged but received once.
 */
import type { X12SetBody } from "../../src/connectors/edi-x12/x12-writer.ts";
import type { Clock } from "../../src/core/clock.ts";
import type { SimScheduler } from "../partner-kit/sim-scheduler.ts";
import type { TransferAdvice943 } from "./read-943.ts";
import { build944, type ReceivedLine } from "./x12-build-944.ts";

/** How one expected shipment is received. SKUs absent from `short` and `damaged` arrive in full. */
export interface ReceiptPlan {
  /** Units per SKU that never arrive (taken from its W04s in order). */
  readonly short?: Readonly<Record<string, number>>;
  /** Units per SKU that arrive damaged: in a W13, not in W07, not put into stock. */
  readonly damaged?: Readonly<Record<string, number>>;
  /** Read of the 943 to its receipt, ms; default the 3PL's `receiveDelayMs`. */
  readonly afterMs?: number;
}

/** An expected shipment and, once it arrived, what was counted. */
export interface ExpectedTransfer {
  readonly advice: TransferAdvice943;
  readonly readAt: number;
  status: "expected" | "received";
  receiptId?: string;
  receivedAt?: number;
  lines?: readonly ReceivedLine[];
}

export interface Edi3plReceivingDeps {
  readonly clock: Clock;
  readonly scheduler: SimScheduler;
  /** On-hand per tracked SKU (the warehouse model's); untracked SKUs stay unlimited. */
  readonly stock: Map<string, number>;
  readonly receiveDelayMs: number;
  readonly warehouse: { readonly code: string; readonly name: string };
  /** Queues a 944 for the hub. */
  readonly send: (set: X12SetBody) => void;
}

export class Edi3plReceiving {
  /** By reference (W06-02), in the order the 943s were read. */
  readonly transfers = new Map<string, ExpectedTransfer>();
  readonly #deps: Edi3plReceivingDeps;
  readonly #plans = new Map<string, ReceiptPlan>();
  #receipts = 0;

  constructor(deps: Edi3plReceivingDeps) {
    this.#deps = deps;
  }

  /** How the shipment with this reference will be received; set before (or after) its 943 is read. */
  plan(reference: string, plan: ReceiptPlan): void {
    this.#plans.set(reference, plan);
  }

  /** Takes an accepted 943; false when its reference is already expected or received. */
  expect(advice: TransferAdvice943): boolean {
    if (this.transfers.has(advice.reference)) return false;
    const transfer: ExpectedTransfer = { advice, readAt: this.#deps.clock.now(), status: "expected" };
    this.transfers.set(advice.reference, transfer);
    const delay = this.#plans.get(advice.reference)?.afterMs ?? this.#deps.receiveDelayMs;
    this.#deps.scheduler.at(delay, () => this.#receive(transfer));
    return true;
  }

  #receive(transfer: ExpectedTransfer): void {
    const { advice } = transfer;
    const plan = this.#plans.get(advice.reference) ?? {};
    const short = new Map(Object.entries(plan.short ?? {}));
    const damaged = new Map(Object.entries(plan.damaged ?? {}));
    const take = (left: Map<string, number>, sku: string, most: number) => {
      const n = Math.max(0, Math.min(most, left.get(sku) ?? 0));
      left.set(sku, (left.get(sku) ?? 0) - n);
      return n;
    };
    const lines: ReceivedLine[] = advice.lines.map((line) => {
      const missing = take(short, line.sku, line.quantity);
      const broken = take(damaged, line.sku, line.quantity - missing);
      return {
        sku: line.sku,
        expected: line.quantity,
        received: line.quantity - missing - broken,
        damaged: broken,
        lineId: line.lineId,
        lot: line.lot,
      };
    });
    const { stock, clock, warehouse } = this.#deps;
    for (const line of lines) {
      const onHand = stock.get(line.sku);
      if (onHand !== undefined) stock.set(line.sku, onHand + line.received);
    }
    const receiptId = `RCV-${String(++this.#receipts).padStart(6, "0")}`;
    transfer.status = "received";
    transfer.receiptId = receiptId;
    transfer.receivedAt = clock.now();
    transfer.lines = lines;
    this.#deps.send(
      build944({
        receiptId,
        receivedAt: new Date(clock.now()),
        reference: advice.reference,
        shipmentId: advice.shipmentId,
        purchaseOrder: advice.purchaseOrder,
        warehouse,
        lines,
      }),
    );
  }
}
