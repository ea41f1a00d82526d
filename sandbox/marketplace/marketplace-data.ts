import type { Clock } from "../../src/core/clock.ts";
import { pick, randomInt } from "../partner-kit/sim-random.ts";

/** An order as the sandbox marketplace lists it (the common shape of marketplace order APIs). */
export interface MarketplaceOrder {
  id: string;
  status: "WAITING_ACCEPTANCE" | "SHIPPING" | "SHIPPED" | "CANCELED";
  created_at: string;
  updated_at: string;
  currency: string;
  customer: { name: string; email: string };
  shipping_address: { name: string; street1: string; city: string; zip_code: string; country_code: string };
  lines: { line_id: string; sku: string; quantity: number; unit_price: string }[];
  total_price: string;
}

/** An offer: a SKU this seller lists, with the quantity the marketplace may sell. */
export interface MarketplaceOffer {
  sku: string;
  title: string;
  price: string;
  quantity: number;
  updated_at: string;
}

export interface MarketplaceShipment {
  shipment_id: string;
  order_id: string;
  carrier_code: string;
  tracking_number: string;
  created_at: string;
}

const NAMES = ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra", "Barbara Liskov"];
const CITIES: [string, string, string][] = [
  ["Lyon", "69002", "FR"],
  ["Gent", "9000", "BE"],
  ["Leipzig", "04109", "DE"],
  ["Utrecht", "3511", "NL"],
];

/**
 * The marketplace's records: orders (kept in `(updated_at, id)` order for keyset paging), offers and
 * shipments. Times come from the sandbox clock; every change to an order moves its `updated_at`, as
 * on the real services, so a client polling `updated_since` sees it again.
 */
export class MarketplaceData {
  readonly orders = new Map<string, MarketplaceOrder>();
  readonly offers = new Map<string, MarketplaceOffer>();
  readonly shipments: MarketplaceShipment[] = [];
  readonly #clock: Clock;
  readonly #random: () => number;
  #nextOrder = 1_000_001;

  constructor(clock: Clock, random: () => number, skus: readonly string[]) {
    this.#clock = clock;
    this.#random = random;
    for (const [index, sku] of skus.entries()) {
      const price = (9.5 + index * 2.25).toFixed(2);
      this.offers.set(sku, { sku, title: `Item ${sku}`, price, quantity: 10, updated_at: this.#now() });
    }
  }

  #now(): string {
    return new Date(this.#clock.now()).toISOString();
  }

  /** Places `count` orders now (customers, addresses and lines drawn from the seed). */
  addOrders(count: number): MarketplaceOrder[] {
    const placed: MarketplaceOrder[] = [];
    const skus = [...this.offers.keys()];
    for (let n = 0; n < count; n++) {
      const id = `MP-${this.#nextOrder++}`;
      const name = pick(this.#random, NAMES);
      const [city, zip, country] = pick(this.#random, CITIES);
      const lines = Array.from({ length: randomInt(this.#random, 1, 3) }, (_, i) => {
        const sku = pick(this.#random, skus);
        return {
          line_id: `${id}-${i + 1}`,
          sku,
          quantity: randomInt(this.#random, 1, 4),
          unit_price: this.offers.get(sku)?.price ?? "1.00",
        };
      });
      const total = lines.reduce((sum, line) => sum + line.quantity * Number(line.unit_price), 0);
      const at = this.#now();
      const order: MarketplaceOrder = {
        id,
        status: "WAITING_ACCEPTANCE",
        created_at: at,
        updated_at: at,
        currency: "EUR",
        customer: { name, email: `${name.split(" ")[0]?.toLowerCase()}@example.com` },
        shipping_address: {
          name,
          street1: `${randomInt(this.#random, 1, 99)} Main Street`,
          city,
          zip_code: zip,
          country_code: country,
        },
        lines,
        total_price: total.toFixed(2),
      };
      this.orders.set(id, order);
      placed.push(order);
    }
    return placed;
  }

  /** Changes an order (status, lines...) and moves its `updated_at` to now. */
  updateOrder(
    id: string,
    patch: Partial<Omit<MarketplaceOrder, "id" | "created_at">> = {},
  ): MarketplaceOrder {
    const order = this.orders.get(id);
    if (!order) throw new Error(`no order ${id}`);
    Object.assign(order, patch, { updated_at: this.#now() });
    return order;
  }

  /**
   * Orders changed at or after `since`, after the keyset `after` (exclusive), in `(updated_at, id)`
   * order, at most `limit`; `more` when others follow.
   */
  listOrders(since: string | undefined, after: { u: string; i: string } | undefined, limit: number) {
    const sorted = [...this.orders.values()]
      .filter((o) => since === undefined || o.updated_at >= since)
      .filter((o) => !after || o.updated_at > after.u || (o.updated_at === after.u && o.id > after.i))
      .sort((a, b) =>
        a.updated_at < b.updated_at ? -1 : a.updated_at > b.updated_at ? 1 : a.id < b.id ? -1 : 1,
      );
    return { items: sorted.slice(0, limit), more: sorted.length > limit };
  }

  setStock(sku: string, quantity: number): MarketplaceOffer | undefined {
    const offer = this.offers.get(sku);
    if (!offer) return undefined;
    offer.quantity = quantity;
    offer.updated_at = this.#now();
    return offer;
  }

  ship(order: MarketplaceOrder, carrier: string, tracking: string): MarketplaceShipment {
    const shipment = {
      shipment_id: `SHP-${String(this.shipments.length + 1).padStart(6, "0")}`,
      order_id: order.id,
      carrier_code: carrier,
      tracking_number: tracking,
      created_at: this.#now(),
    };
    this.shipments.push(shipment);
    this.updateOrder(order.id, { status: "SHIPPED" });
    return shipment;
  }
}
