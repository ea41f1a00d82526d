import { buildOrder, moneySet, type OrderDraft, type OrderJson } from "./order-builder.ts";
import type { ShopCatalog } from "./shop-catalog.ts";
import { money, parseMoney, shopTime } from "./shop-format.ts";

/** Webhook topics the sandbox shop emits. */
export const SHOP_TOPICS = [
  "orders/create",
  "orders/updated",
  "orders/cancelled",
  "orders/fulfilled",
  "orders/partially_fulfilled",
  "fulfillments/create",
  "refunds/create",
] as const;
export type ShopTopic = (typeof SHOP_TOPICS)[number];

/** Why an operation on an order was refused; the admin API turns these into 404 or 422. */
export type ShopRefusal = { refused: "not_found" } | { refused: "invalid"; field: string; message: string };

export interface FulfilInput {
  trackingNumber?: string | null;
  trackingCompany?: string | null;
  trackingUrl?: string | null;
  /** Lines and quantities; default everything still fulfillable. */
  lines?: { id: bigint; quantity?: number }[];
  locationId?: bigint;
}

export interface RefundInput {
  lines: { id: bigint; quantity: number }[];
  note?: string | null;
  restock?: boolean;
}

export interface ShopDeps {
  catalog: ShopCatalog;
  nextId: () => bigint;
  now: () => number;
  token: () => string;
  currency: string;
  tax: { title: string; rate: number };
  offsetMinutes: number;
  /** Called after each change with the topic and the webhook payload (the resource, unwrapped). */
  emit: (topic: ShopTopic, payload: Record<string, unknown>) => string[];
}

/**
 * The state of the sandbox shop and what changes it: orders placed (taking stock), cancelled (giving
 * it back on restock), fulfilled with tracking, refunded. Each change emits the webhook topics Shopify
 * would, with the same payload shapes. Refusals are return values; the admin API picks the status.
 */
export class SandboxShop {
  readonly orders = new Map<bigint, OrderJson>();
  readonly #deps: ShopDeps;
  #number = 0;

  constructor(deps: ShopDeps) {
    this.#deps = deps;
  }

  get catalog(): ShopCatalog {
    return this.#deps.catalog;
  }

  #stamp(): string {
    return shopTime(this.#deps.now(), this.#deps.offsetMinutes);
  }

  /** Builds an order with fresh ids without placing it (nothing stored, no stock taken, no webhook). */
  build(draft: OrderDraft): OrderJson {
    const { nextId } = this.#deps;
    return buildOrder(draft, {
      id: nextId(),
      number: ++this.#number,
      lineIds: draft.lines.map(() => nextId()),
      shippingLineId: nextId(),
      customerId: nextId(),
      now: this.#deps.now(),
      currency: this.#deps.currency,
      tax: this.#deps.tax,
      offsetMinutes: this.#deps.offsetMinutes,
      token: this.#deps.token(),
    });
  }

  /** Places an order, takes its stock and emits `orders/create`. */
  placeOrder(draft: OrderDraft): OrderJson {
    const order = this.build(draft);
    for (const line of draft.lines) {
      if (line.variant) this.catalog.adjust(line.variant.inventoryItemId, -line.quantity, this.#deps.now());
    }
    this.orders.set(order.id, order);
    this.#deps.emit("orders/create", order);
    return order;
  }

  /**
   * Stores an order exactly as given (the traffic generator's malformed one, no stock taken) and
   * emits `orders/create`; returns the webhook ids sent.
   */
  insertRaw(order: OrderJson): string[] {
    this.orders.set(order.id, order);
    return this.#deps.emit("orders/create", order);
  }

  /** Cancels an unfulfilled order; with `restock`, its stock comes back. */
  cancel(id: bigint, options: { reason?: string; restock?: boolean } = {}): OrderJson | ShopRefusal {
    const order = this.orders.get(id);
    if (!order) return { refused: "not_found" };
    if (order.cancelled_at)
      return { refused: "invalid", field: "base", message: "Order has already been cancelled" };
    if (order.fulfillments.some((f) => f.status === "success")) {
      return { refused: "invalid", field: "base", message: "Cannot cancel an order that has fulfillments" };
    }
    const at = this.#stamp();
    order.cancelled_at = at;
    order.closed_at = at;
    order.updated_at = at;
    order.cancel_reason = options.reason ?? "other";
    order.financial_status = order.financial_status === "paid" ? "refunded" : "voided";
    if (options.restock)
      this.#restock(
        order,
        order.line_items.map((l) => ({ id: l.id, quantity: l.fulfillable_quantity })),
      );
    for (const line of order.line_items) line.fulfillable_quantity = 0;
    this.#deps.emit("orders/cancelled", order);
    this.#deps.emit("orders/updated", order);
    return order;
  }

  /** Fulfils lines (all that are left by default) with tracking; emits fulfillment and order topics. */
  fulfil(id: bigint, input: FulfilInput): Record<string, unknown> | ShopRefusal {
    const order = this.orders.get(id);
    if (!order) return { refused: "not_found" };
    if (order.cancelled_at) return { refused: "invalid", field: "base", message: "Order is cancelled" };
    const wanted: { id: bigint; quantity?: number }[] =
      input.lines ?? order.line_items.filter((l) => l.fulfillable_quantity > 0).map((l) => ({ id: l.id }));
    const picked: { line: OrderJson["line_items"][number]; quantity: number }[] = [];
    for (const [i, want] of wanted.entries()) {
      const line = order.line_items.find((l) => l.id === want.id);
      if (!line)
        return { refused: "invalid", field: `line_items[${i}].id`, message: "does not belong to the order" };
      const quantity = want.quantity ?? line.fulfillable_quantity;
      if (quantity < 1 || quantity > line.fulfillable_quantity) {
        return {
          refused: "invalid",
          field: `line_items[${i}].quantity`,
          message: `must be between 1 and ${line.fulfillable_quantity}`,
        };
      }
      picked.push({ line, quantity });
    }
    if (picked.length === 0)
      return { refused: "invalid", field: "line_items", message: "nothing left to fulfill" };
    const at = this.#stamp();
    const fulfillmentId = this.#deps.nextId();
    for (const { line, quantity } of picked) {
      line.fulfillable_quantity -= quantity;
      line.fulfillment_status = line.fulfillable_quantity === 0 ? "fulfilled" : "partial";
    }
    const done = order.line_items.every((l) => l.fulfillable_quantity === 0);
    order.fulfillment_status = done ? "fulfilled" : "partial";
    order.updated_at = at;
    const tracking = input.trackingNumber ?? null;
    const fulfillment: Record<string, unknown> = {
      id: fulfillmentId,
      admin_graphql_api_id: `gid://shopify/Fulfillment/${fulfillmentId}`,
      order_id: order.id,
      name: `${order.name}.${order.fulfillments.length + 1}`,
      status: "success",
      service: "manual",
      shipment_status: null,
      location_id: input.locationId ?? this.catalog.locations[0]?.id ?? null,
      created_at: at,
      updated_at: at,
      tracking_company: input.trackingCompany ?? null,
      tracking_number: tracking,
      tracking_numbers: tracking ? [tracking] : [],
      tracking_url: input.trackingUrl ?? null,
      tracking_urls: input.trackingUrl ? [input.trackingUrl] : [],
      receipt: {},
      line_items: picked.map(({ line, quantity }) => ({ ...line, quantity })),
    };
    order.fulfillments.push(fulfillment);
    this.#deps.emit("fulfillments/create", fulfillment);
    this.#deps.emit(done ? "orders/fulfilled" : "orders/partially_fulfilled", order);
    this.#deps.emit("orders/updated", order);
    return fulfillment;
  }

  /** Refunds line quantities (price plus their share of tax); emits `refunds/create` and `orders/updated`. */
  refund(id: bigint, input: RefundInput): Record<string, unknown> | ShopRefusal {
    const order = this.orders.get(id);
    if (!order) return { refused: "not_found" };
    const refunded = new Map<bigint, number>();
    for (const r of order.refunds) {
      for (const rl of r.refund_line_items as { line_item_id: bigint; quantity: number }[]) {
        refunded.set(rl.line_item_id, (refunded.get(rl.line_item_id) ?? 0) + rl.quantity);
      }
    }
    let cents = 0;
    const rows: Record<string, unknown>[] = [];
    for (const [i, want] of input.lines.entries()) {
      const line = order.line_items.find((l) => l.id === want.id);
      if (!line)
        return {
          refused: "invalid",
          field: `refund_line_items[${i}].line_item_id`,
          message: "does not belong to the order",
        };
      const left = line.quantity - (refunded.get(line.id) ?? 0);
      if (want.quantity < 1 || want.quantity > left) {
        return {
          refused: "invalid",
          field: `refund_line_items[${i}].quantity`,
          message: `must be between 1 and ${left}`,
        };
      }
      const unit = parseMoney(line.price) ?? 0;
      const rate = (line.tax_lines as { rate: number }[])[0]?.rate ?? 0;
      const subtotal = unit * want.quantity;
      const tax = Math.round(subtotal * rate);
      cents += subtotal + tax;
      rows.push({
        id: this.#deps.nextId(),
        line_item_id: line.id,
        quantity: want.quantity,
        restock_type: input.restock ? "return" : "no_restock",
        subtotal: money(subtotal),
        total_tax: money(tax),
        line_item: line,
      });
    }
    if (rows.length === 0)
      return { refused: "invalid", field: "refund_line_items", message: "must not be empty" };
    if (input.restock) this.#restock(order, input.lines);
    const at = this.#stamp();
    const refundId = this.#deps.nextId();
    const refund: Record<string, unknown> = {
      id: refundId,
      admin_graphql_api_id: `gid://shopify/Refund/${refundId}`,
      order_id: order.id,
      created_at: at,
      processed_at: at,
      note: input.note ?? null,
      restock: input.restock ?? false,
      refund_line_items: rows,
      transactions: [
        {
          id: this.#deps.nextId(),
          order_id: order.id,
          kind: "refund",
          gateway: "bogus",
          status: "success",
          amount: money(cents),
          currency: this.#deps.currency,
          created_at: at,
        },
      ],
      order_adjustments: [],
      total_refunded_set: moneySet(cents, this.#deps.currency),
    };
    order.refunds.push(refund);
    const all = order.line_items.every((l) => {
      const done = (refunded.get(l.id) ?? 0) + (input.lines.find((x) => x.id === l.id)?.quantity ?? 0);
      return done >= l.quantity;
    });
    order.financial_status = all ? "refunded" : "partially_refunded";
    order.updated_at = at;
    this.#deps.emit("refunds/create", refund);
    this.#deps.emit("orders/updated", order);
    return refund;
  }

  #restock(order: OrderJson, lines: { id: bigint; quantity: number }[]): void {
    for (const want of lines) {
      const line = order.line_items.find((l) => l.id === want.id);
      const variant = line?.variant_id ? this.catalog.byVariantId(line.variant_id as bigint) : undefined;
      if (variant && want.quantity > 0)
        this.catalog.adjust(variant.inventoryItemId, want.quantity, this.#deps.now());
    }
  }
}
