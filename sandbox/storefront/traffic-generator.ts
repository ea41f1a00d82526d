import { stringifyJson } from "../partner-kit/http-kit.ts";
import { pick, randomInt } from "../partner-kit/sim-random.ts";
import type { SimScheduler } from "../partner-kit/sim-scheduler.ts";
import type { DraftLine, OrderDraft, OrderJson } from "./order-builder.ts";
import type { SandboxShop } from "./sandbox-shop.ts";
import type { ShopWebhooks } from "./shop-webhooks.ts";

/** What `placeOrders` produces; every field optional. */
export interface PlaceOrdersOptions {
  /** SKUs to order; default the whole catalogue. A SKU not in the catalogue becomes a custom line at 10.00. */
  skus?: readonly string[];
  /** Share of the orders (0..1) cancelled afterwards, chosen at random; default 0. */
  cancelShare?: number;
  /** When the cancellations happen, ms after placing (on the sandbox clock); default 0. */
  cancelAfterMs?: number;
  /** Lines per order, inclusive range; default [1, 3]. */
  lines?: [number, number];
  /** Largest quantity of a line; default 3. */
  maxQuantity?: number;
  /**
   * Adds one malformed order after the others: `"missing-sku"` (default for `true`) is stored and sent
   * with `line_items[0].sku` and `variant_id` null; `"truncated-json"` sends a correctly signed
   * `orders/create` whose body is cut off mid-JSON (nothing stored).
   */
  malformed?: boolean | "missing-sku" | "truncated-json";
}

/** What was generated, so a test knows what to expect downstream. */
export interface PlacedOrders {
  /** Valid orders, in placing order (the cancelled ones included). */
  orders: OrderJson[];
  /** Ids of the orders that are (or will be, after `cancelAfterMs`) cancelled. */
  cancelled: bigint[];
  /** The malformed order, when asked for: its id ("missing-sku") and the webhook ids that carry it. */
  malformed?: { kind: "missing-sku" | "truncated-json"; id?: bigint; webhookIds: string[] };
}

const FIRST = [
  "Ada",
  "Bruno",
  "Chloé",
  "Dmitri",
  "Eva",
  "Farid",
  "Greta",
  "Hiro",
  "Inès",
  "Jonas",
  "Kofi",
  "Lena",
];
const LAST = [
  "Lovelace",
  "Keller",
  "Dubois",
  "Ivanov",
  "Novak",
  "Haddad",
  "Berg",
  "Tanaka",
  "Moreau",
  "Schmidt",
  "Mensah",
  "Rossi",
];
const PLACES = [
  { city: "Lyon", zip: "69002", country: "France", country_code: "FR", province: null, province_code: null },
  {
    city: "München",
    zip: "80331",
    country: "Germany",
    country_code: "DE",
    province: "Bavaria",
    province_code: "BY",
  },
  {
    city: "Louisville",
    zip: "40202",
    country: "United States",
    country_code: "US",
    province: "Kentucky",
    province_code: "KY",
  },
  {
    city: "Rotterdam",
    zip: "3011 AD",
    country: "Netherlands",
    country_code: "NL",
    province: null,
    province_code: null,
  },
  {
    city: "Leeds",
    zip: "LS1 4AP",
    country: "United Kingdom",
    country_code: "GB",
    province: "England",
    province_code: "ENG",
  },
];
const SHIPPING = [
  { title: "Standard", priceCents: 495 },
  { title: "Express", priceCents: 1295 },
  { title: "Free Shipping", priceCents: 0 },
];

export interface TrafficDeps {
  shop: SandboxShop;
  webhooks: ShopWebhooks;
  scheduler: SimScheduler;
  random: () => number;
}

function draftOrder(deps: TrafficDeps, skus: readonly string[], options: PlaceOrdersOptions): OrderDraft {
  const { random, shop } = deps;
  const [minLines, maxLines] = options.lines ?? [1, 3];
  const first = pick(random, FIRST);
  const last = pick(random, LAST);
  const place = pick(random, PLACES);
  const email = `${first}.${last}@example.com`
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^\x20-\x7e]/g, "");
  const lines: DraftLine[] = [];
  const count = Math.min(randomInt(random, minLines, maxLines), skus.length);
  const chosen = new Set<string>();
  while (chosen.size < count) chosen.add(pick(random, skus));
  for (const sku of chosen) {
    const variant = shop.catalog.bySku(sku);
    const quantity = randomInt(random, 1, options.maxQuantity ?? 3);
    lines.push(
      variant
        ? {
            variant,
            sku,
            title: variant.title,
            priceCents: variant.priceCents,
            quantity,
            grams: variant.grams,
          }
        : { sku, title: sku, priceCents: 1000, quantity, grams: 500 },
    );
  }
  const address = {
    first_name: first,
    last_name: last,
    name: `${first} ${last}`,
    address1: `${randomInt(random, 1, 199)} Harbour Street`,
    address2: "",
    company: null,
    phone: `+1 555-01${String(randomInt(random, 0, 99)).padStart(2, "0")}`,
    ...place,
  };
  return {
    lines,
    email,
    customer: { first_name: first, last_name: last, email },
    shippingAddress: address,
    billingAddress: address,
    shipping: pick(random, SHIPPING),
    financialStatus: "paid",
  };
}

/**
 * Realistic storefront traffic: `n` orders from random customers over the given SKUs, each sent as
 * `orders/create`; a share cancelled (now or later on the sandbox clock: `orders/cancelled` and
 * `orders/updated`); and, on request, one malformed order. Repeatable with a seeded `random`.
 */
export function placeOrders(deps: TrafficDeps, n: number, options: PlaceOrdersOptions = {}): PlacedOrders {
  const skus = options.skus ?? deps.shop.catalog.variants.map((v) => v.sku);
  if (!Number.isInteger(n) || n < 0 || n > 100_000) throw new RangeError("n must be an integer in 0..100000");
  if (skus.length === 0) throw new RangeError("placeOrders needs at least one SKU");
  const orders = Array.from({ length: n }, () => deps.shop.placeOrder(draftOrder(deps, skus, options)));
  const toCancel = Math.round(n * Math.min(1, Math.max(0, options.cancelShare ?? 0)));
  const pool = [...orders];
  const cancelled: bigint[] = [];
  while (cancelled.length < toCancel) {
    const [order] = pool.splice(Math.floor(deps.random() * pool.length), 1) as [OrderJson];
    cancelled.push(order.id);
    const cancel = () => void deps.shop.cancel(order.id, { reason: "customer", restock: true });
    if ((options.cancelAfterMs ?? 0) > 0) deps.scheduler.at(options.cancelAfterMs as number, cancel);
    else cancel();
  }
  const result: PlacedOrders = { orders, cancelled };
  if (options.malformed) {
    const kind = options.malformed === true ? "missing-sku" : options.malformed;
    const order = deps.shop.build(draftOrder(deps, skus, { ...options, lines: [1, 1] }));
    if (kind === "missing-sku") {
      const line = order.line_items[0] as Record<string, unknown>;
      line.sku = null;
      line.variant_id = null;
      line.product_id = null;
      line.product_exists = false;
      result.malformed = { kind, id: order.id, webhookIds: deps.shop.insertRaw(order) };
    } else {
      const text = stringifyJson(order);
      const webhookIds = deps.webhooks.emitRaw(
        "orders/create",
        Buffer.from(text.slice(0, Math.floor(text.length / 2))),
      );
      result.malformed = { kind, webhookIds };
    }
  }
  return result;
}
