/**
 * From a canonical order to what the Odoo actions take: the customer and its addresses to upsert, and
 * the sale order with every SKU already resolved to an Odoo product id from the master data cache, so
 * placing the order costs no lookup call. The plan is plain JSON (it travels in jobs and workflow
 * steps); partner ids are filled in by whoever runs it, after the upsert.
 *
 * What it decides, and what it leaves to Odoo:
 * - the order's key is `<channel>:<channelOrderId>` (its external id in Odoo derives from it);
 *   `client_order_ref` is the order number people see, `origin` the key;
 * - the customer is keyed by channel and email (else the channel's customer id, else the order), so a
 *   returning customer is the same Odoo partner; ship-to and bill-to become child addresses of it;
 * - line discounts become Odoo's discount percent (4 places, from the exact decimal amounts);
 * - shipping lines become lines of the configured delivery product;
 * - taxes are left to Odoo (product taxes and fiscal position): the channel's tax amounts are kept on
 *   the order for reconciliation, not sent;
 * - units of measure are not converted: a line whose unit is not the product's is refused.
 * Unknown or archived SKUs are refused with the line's path, never guessed.
 */
import type { Order } from "../../core/model/order.ts";
import type { PartnerInput } from "./actions/partners.ts";
import type { SaleOrderLineInput } from "./actions/sale-orders.ts";
import type { CountryEntry, ProductEntry } from "./master-data-cache.ts";

/** The lookups the plan needs (a `MasterDataCache` has them all). */
export interface OrderPlanLookups {
  productByCode(code: string): ProductEntry | undefined;
  productByBarcode(barcode: string): ProductEntry | undefined;
  countryByCode(code: string): CountryEntry | undefined;
}

export interface OrderPlanOptions {
  /** SKU (default_code) of the Odoo product used for shipping lines; without it shipping lines are refused. */
  shippingProductSku?: string;
  /** Units a line may use for a product sold by the unit. Default: `C62`, `EA`, `unit`, `units`, `pcs`. */
  unitCodes?: readonly string[];
}

export interface OdooOrderPlan {
  key: string;
  customer: PartnerInput;
  shipTo?: PartnerInput;
  billTo?: PartnerInput;
  clientOrderRef: string;
  origin: string;
  lines: SaleOrderLineInput[];
}

export interface PlanProblem {
  path: string;
  message: string;
}

export type OrderPlanOutcome = { ok: true; plan: OdooOrderPlan } | { ok: false; problems: PlanProblem[] };

const UNIT_CODES = ["c62", "ea", "unit", "units", "pcs", "piece", "pieces"];

export function planOdooOrder(
  order: Order,
  lookups: OrderPlanLookups,
  options: OrderPlanOptions = {},
): OrderPlanOutcome {
  const problems: PlanProblem[] = [];
  const key = `${order.channel}:${order.channelOrderId}`;
  const units = (options.unitCodes ?? UNIT_CODES).map((u) => u.toLowerCase());
  const customerKey = `${order.channel}:customer:${
    order.customer.email?.trim().toLowerCase() ??
    order.customer.refs?.find((r) => r.system === order.channel)?.id ??
    `order-${order.channelOrderId}`
  }`;
  const customer: PartnerInput = {
    key: customerKey,
    name:
      order.customer.company && order.customer.kind === "company"
        ? order.customer.company
        : order.customer.name,
    isCompany: order.customer.kind === "company",
    ...(order.customer.email === undefined ? {} : { email: order.customer.email }),
    ...(order.customer.phone === undefined ? {} : { phone: order.customer.phone }),
  };
  const address = (which: "shipTo" | "billTo", type: "delivery" | "invoice"): PartnerInput | undefined => {
    const a = order[which];
    if (!a) return undefined;
    const country = lookups.countryByCode(a.countryCode);
    if (!country)
      problems.push({ path: `${which}.countryCode`, message: `country ${a.countryCode} is not in Odoo` });
    return {
      key: `${key}:${type}`,
      parentKey: customerKey,
      type,
      name: a.name ?? a.company ?? order.customer.name,
      street: a.street,
      city: a.city,
      ...(a.street2 === undefined ? {} : { street2: a.street2 }),
      ...(a.postalCode === undefined ? {} : { zip: a.postalCode }),
      ...(a.phone === undefined ? {} : { phone: a.phone }),
      ...(a.email === undefined ? {} : { email: a.email }),
      ...(country ? { countryId: country.id } : {}),
    };
  };
  const shipTo = address("shipTo", "delivery");
  const billTo = address("billTo", "invoice");

  const lines: SaleOrderLineInput[] = [];
  for (const [i, line] of order.lines.entries()) {
    const product = lookups.productByCode(line.sku) ?? lookups.productByBarcode(line.sku);
    if (!product) {
      problems.push({
        path: `lines/${i}/sku`,
        message: `unknown product ${JSON.stringify(line.sku)} (no Odoo product has it as internal reference or barcode)`,
      });
      continue;
    }
    if (!product.active) {
      problems.push({ path: `lines/${i}/sku`, message: `product ${line.sku} is archived in Odoo` });
      continue;
    }
    if (!units.includes(line.uom.toLowerCase())) {
      problems.push({
        path: `lines/${i}/uom`,
        message: `unit ${line.uom} is not converted; ${line.sku} is sold by the unit in Odoo`,
      });
      continue;
    }
    const discount = discountPercent(
      line.quantity,
      line.unitPrice,
      (line.discounts ?? []).map((d) => d.amount),
    );
    lines.push({
      productId: product.id,
      quantity: line.quantity,
      priceUnit: line.unitPrice,
      ...(discount === "0" ? {} : { discount }),
      ...(line.name === undefined ? {} : { description: line.name }),
    });
  }
  for (const [i, shipping] of (order.shippingLines ?? []).entries()) {
    const sku = options.shippingProductSku;
    const product = sku === undefined ? undefined : lookups.productByCode(sku);
    if (!product) {
      problems.push({
        path: `shippingLines/${i}`,
        message:
          sku === undefined
            ? "no shipping product configured for Odoo (shippingProductSku)"
            : `shipping product ${sku} is not in Odoo`,
      });
      continue;
    }
    const discount = discountPercent(
      "1",
      shipping.price,
      (shipping.discounts ?? []).map((d) => d.amount),
    );
    lines.push({
      productId: product.id,
      quantity: "1",
      priceUnit: shipping.price,
      ...(discount === "0" ? {} : { discount }),
      description: shipping.method ?? shipping.service ?? "Shipping",
    });
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    plan: {
      key,
      customer,
      ...(shipTo ? { shipTo } : {}),
      ...(billTo ? { billTo } : {}),
      clientOrderRef: order.orderNumber ?? order.channelOrderId,
      origin: key,
      lines,
    },
  };
}

/**
 * Discount amounts as Odoo's percent of quantity x unit price, rounded half-even to 4 places, computed
 * on scaled integers (the amounts are exact decimal strings).
 */
export function discountPercent(quantity: string, unitPrice: string, amounts: readonly string[]): string {
  const scale = 10n ** 12n;
  const toUnits = (text: string) => {
    const [whole = "0", fraction = ""] = text.replace(/^-/, "").split(".");
    const units = BigInt(whole) * scale + BigInt((fraction + "0".repeat(12)).slice(0, 12) || "0");
    return text.startsWith("-") ? -units : units;
  };
  const gross = (toUnits(quantity) * toUnits(unitPrice)) / scale;
  const discount = amounts.reduce((sum, a) => sum + toUnits(a), 0n);
  if (gross === 0n || discount === 0n) return "0";
  // percent x 10^4, rounded half-even
  const numerator = discount * 1_000_000n;
  let q = numerator / gross;
  const r = numerator % gross;
  if (r * 2n > gross || (r * 2n === gross && q % 2n === 1n)) q += 1n;
  const whole = q / 10_000n;
  const fraction = (q % 10_000n).toString().padStart(4, "0").replace(/0+$/, "");
  return fraction === "" ? whole.toString() : `${whole}.${fraction}`;
}
