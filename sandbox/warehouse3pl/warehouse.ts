import type { SimScheduler } from "../partner-kit/sim-scheduler.ts";
import type { FulfilmentRequest } from "./fulfilment-request.ts";

/**
 * How the warehouse ships one order. `full` (the default) ships everything it has stock for after the
 * ship delay. `partial` ships `ship` now (a quantity per SKU, or "half": half of each line, rounded
 * down, at least one unit of the first line), then the rest `restAfterMs` later or cancels it.
 * `hold` keeps the order received and unshipped (on hold for review, as 3PLs do) until `release()`.
 */
export type ShippingPlan =
  | { kind: "full" }
  | { kind: "hold" }
  | {
      kind: "partial";
      ship: Record<string, number> | "half";
      rest: "later" | "cancel";
      restAfterMs?: number;
    };

/** One line of a shipment confirmation. */
export interface ConfirmationLine {
  sku: string;
  ordered: number;
  /** Shipped in this shipment. */
  shipped: number;
  /** Shipped so far, this shipment included. */
  shipped_total: number;
  /** Cancelled so far (the rest of a partial shipment, or missing stock). */
  cancelled: number;
  /** Still to ship later. */
  remaining: number;
  /** Why some was cancelled: `"stock_discrepancy"` (not on hand) or `"cancelled_by_warehouse"`. */
  reason?: string;
}

/** The shipment confirmation the warehouse posts to its callback URL. */
export interface ShipmentConfirmation {
  event: "shipment.confirmed";
  shipment_id: string;
  order_id: string;
  reference: string;
  status: "partially_shipped" | "shipped" | "closed";
  /** True when nothing is left to ship on the order (all shipped or cancelled). */
  complete: boolean;
  shipped_at: string;
  carrier: string;
  service: string;
  tracking_number: string;
  packages: {
    package_id: string;
    tracking_number: string;
    weight_grams: number;
    lines: { sku: string; quantity: number }[];
  }[];
  lines: ConfirmationLine[];
}

export interface WarehouseOrder {
  id: string;
  reference: string;
  request: FulfilmentRequest;
  status: "received" | "partially_shipped" | "shipped" | "closed" | "cancelled";
  created_at: string;
  shipped: Record<string, number>;
  cancelled: Record<string, number>;
  reasons: Record<string, string>;
  shipments: ShipmentConfirmation[];
}

export interface WarehouseDeps {
  scheduler: SimScheduler;
  /** Delay from receipt to the first shipment, ms. */
  shipDelayMs: number;
  /** Units per package; a shipment is split into packages of at most this many units. */
  unitsPerPackage: number;
  gramsPerUnit: number;
  /** On-hand stock per SKU; a SKU absent from the map is unlimited. */
  stock: Map<string, number>;
  /** Called with each shipment confirmation (the sandbox posts it to the callback URL). */
  confirm: (confirmation: ShipmentConfirmation) => void;
}

/**
 * The warehouse's orders and stock. Orders ship on the sandbox clock following their plan; stock that
 * is short at ship time is cancelled with reason `stock_discrepancy`, the way a 3PL reports a
 * pick that found less than its system said.
 */
export class Warehouse {
  readonly orders = new Map<string, WarehouseOrder>();
  readonly #byReference = new Map<string, WarehouseOrder>();
  readonly #plans = new Map<string, ShippingPlan>();
  readonly #nextPlans: ShippingPlan[] = [];
  readonly #deps: WarehouseDeps;
  #orderSeq = 0;
  #shipmentSeq = 0;
  #packageSeq = 0;

  constructor(deps: WarehouseDeps) {
    this.#deps = deps;
  }

  get stock(): Map<string, number> {
    return this.#deps.stock;
  }

  byReference(reference: string): WarehouseOrder | undefined {
    return this.#byReference.get(reference);
  }

  /** Plan for the order with this reference (received or not yet). */
  plan(reference: string, plan: ShippingPlan): void {
    this.#plans.set(reference, plan);
  }

  /** Plans for the next orders received without a plan of their own, in order. */
  planNext(...plans: ShippingPlan[]): void {
    this.#nextPlans.push(...plans);
  }

  receive(request: FulfilmentRequest): WarehouseOrder {
    const now = this.#deps.scheduler.clock.now();
    const order: WarehouseOrder = {
      id: `FO-${String(++this.#orderSeq).padStart(6, "0")}`,
      reference: request.reference,
      request,
      status: "received",
      created_at: new Date(now).toISOString(),
      shipped: {},
      cancelled: {},
      reasons: {},
      shipments: [],
    };
    this.orders.set(order.id, order);
    this.#byReference.set(order.reference, order);
    if (!this.#plans.has(order.reference) && this.#nextPlans.length > 0) {
      this.#plans.set(order.reference, this.#nextPlans.shift() as ShippingPlan);
    }
    this.#deps.scheduler.at(this.#deps.shipDelayMs, () => this.#shipFirst(order));
    return order;
  }

  /** Cancels an order nothing of which has shipped (again: true, as 3PL APIs answer); false otherwise. */
  cancel(order: WarehouseOrder): boolean {
    if (order.status === "cancelled") return true;
    if (order.status !== "received") return false;
    order.status = "cancelled";
    for (const line of order.request.lines)
      order.cancelled[line.sku] = line.quantity - (order.shipped[line.sku] ?? 0);
    return true;
  }

  #left(order: WarehouseOrder, sku: string, ordered: number): number {
    return ordered - (order.shipped[sku] ?? 0) - (order.cancelled[sku] ?? 0);
  }

  /** Ships an order held with a `hold` plan, now and in full. */
  release(reference: string): void {
    const order = this.#byReference.get(reference);
    this.#plans.set(reference, { kind: "full" });
    if (order) this.#deps.scheduler.at(0, () => this.#shipFirst(order));
  }

  #shipFirst(order: WarehouseOrder): void {
    if (order.status !== "received") return;
    const plan = this.#plans.get(order.reference) ?? { kind: "full" };
    if (plan.kind === "hold") return;
    if (plan.kind === "full") {
      this.#ship(order, () => Number.POSITIVE_INFINITY, "cancel");
      return;
    }
    const first = order.request.lines[0]?.sku;
    const want = (sku: string, ordered: number) =>
      plan.ship === "half" ? Math.max(Math.floor(ordered / 2), sku === first ? 1 : 0) : (plan.ship[sku] ?? 0);
    this.#ship(
      order,
      (sku) => want(sku, order.request.lines.find((l) => l.sku === sku)?.quantity ?? 0),
      plan.rest,
    );
    if (plan.rest === "later" && (order.status as WarehouseOrder["status"]) === "partially_shipped") {
      this.#deps.scheduler.at(plan.restAfterMs ?? this.#deps.shipDelayMs, () =>
        this.#ship(order, () => Number.POSITIVE_INFINITY, "cancel"),
      );
    }
  }

  /** Ships up to `want(sku)` of each line (bounded by stock); what is left is kept or cancelled. */
  #ship(order: WarehouseOrder, want: (sku: string) => number, rest: "later" | "cancel"): void {
    if (order.status === "cancelled" || order.status === "shipped" || order.status === "closed") return;
    const lines: ConfirmationLine[] = [];
    const shippedNow: { sku: string; quantity: number }[] = [];
    for (const { sku, quantity } of order.request.lines) {
      const left = this.#left(order, sku, quantity);
      const onHand = this.#deps.stock.get(sku) ?? Number.POSITIVE_INFINITY;
      const asked = Math.min(left, want(sku));
      const ship = Math.max(0, Math.min(asked, onHand));
      if (ship > 0) {
        order.shipped[sku] = (order.shipped[sku] ?? 0) + ship;
        if (this.#deps.stock.has(sku)) this.#deps.stock.set(sku, onHand - ship);
        shippedNow.push({ sku, quantity: ship });
      }
      const short = asked - ship;
      if (short > 0) {
        order.cancelled[sku] = (order.cancelled[sku] ?? 0) + short;
        order.reasons[sku] = "stock_discrepancy";
      }
      const remaining = this.#left(order, sku, quantity);
      if (remaining > 0 && rest === "cancel") {
        order.cancelled[sku] = (order.cancelled[sku] ?? 0) + remaining;
        order.reasons[sku] ??= "cancelled_by_warehouse";
      }
      const line: ConfirmationLine = {
        sku,
        ordered: quantity,
        shipped: ship,
        shipped_total: order.shipped[sku] ?? 0,
        cancelled: order.cancelled[sku] ?? 0,
        remaining: this.#left(order, sku, quantity),
      };
      if (order.reasons[sku]) line.reason = order.reasons[sku];
      lines.push(line);
    }
    const complete = lines.every((l) => l.remaining === 0);
    const anyShipped = Object.values(order.shipped).some((q) => q > 0);
    // "closed": complete with nothing shipped at all (every unit was short or cancelled).
    order.status = !complete ? "partially_shipped" : anyShipped ? "shipped" : "closed";
    const packages = this.#pack(shippedNow);
    const confirmation: ShipmentConfirmation = {
      event: "shipment.confirmed",
      shipment_id: `SH-${String(++this.#shipmentSeq).padStart(6, "0")}`,
      order_id: order.id,
      reference: order.reference,
      status: order.status,
      complete,
      shipped_at: new Date(this.#deps.scheduler.clock.now()).toISOString(),
      carrier: order.request.carrier ?? "UPS",
      service: order.request.service ?? "Ground",
      tracking_number: packages[0]?.tracking_number ?? "",
      packages,
      lines,
    };
    order.shipments.push(confirmation);
    this.#deps.confirm(confirmation);
  }

  #pack(items: { sku: string; quantity: number }[]): ShipmentConfirmation["packages"] {
    const packages: ShipmentConfirmation["packages"] = [];
    let current: ShipmentConfirmation["packages"][number] | undefined;
    let units = 0;
    for (const item of items) {
      let left = item.quantity;
      while (left > 0) {
        if (!current || units >= this.#deps.unitsPerPackage) {
          const n = ++this.#packageSeq;
          current = {
            package_id: `PK-${String(n).padStart(6, "0")}`,
            tracking_number: `1ZSBX${String(n).padStart(11, "0")}`,
            weight_grams: 0,
            lines: [],
          };
          packages.push(current);
          units = 0;
        }
        const take = Math.min(left, this.#deps.unitsPerPackage - units);
        current.lines.push({ sku: item.sku, quantity: take });
        current.weight_grams += take * this.#deps.gramsPerUnit;
        units += take;
        left -= take;
      }
    }
    return packages;
  }
}
