/**
 * Signed Shopify-style order webhooks for the intake benchmark: a ~4 KB `orders/create` body shaped like
 * Shopify's (ids above 2^53 as numbers and strings, money as strings, addresses, line items), unique per
 * request, signed the way Shopify signs (`X-Shopify-Hmac-Sha256`: base64 HMAC-SHA256 of the raw body).
 */
import { createHmac } from "node:crypto";

export const BENCH_SECRET = "bench-shopify-secret";

const LINE = (n: number) => ({
  id: 466157049 + n,
  admin_graphql_api_id: `gid://shopify/LineItem/${466157049 + n}`,
  variant_id: 39072856,
  title: `IPod Nano - 8gb ${n}`,
  quantity: 1 + (n % 3),
  sku: `IPOD2008${["GREEN", "BLACK", "RED"][n % 3]}`,
  variant_title: "green",
  vendor: "Apple",
  fulfillment_service: "manual",
  product_id: 632910392,
  requires_shipping: true,
  taxable: true,
  gift_card: false,
  name: `IPod Nano - 8gb - green ${n}`,
  price: "199.00",
  total_discount: "0.00",
  fulfillment_status: null,
  tax_lines: [{ title: "State Tax", price: "3.98", rate: 0.06 }],
});

const ADDRESS = {
  first_name: "Bob",
  address1: "Chestnut Street 92",
  phone: "555-625-1199",
  city: "Louisville",
  zip: "40202",
  province: "Kentucky",
  country: "United States",
  last_name: "Norman",
  address2: "",
  company: null,
  latitude: 45.41634,
  longitude: -75.6868,
  name: "Bob Norman",
  country_code: "US",
  province_code: "KY",
};

/** The body with `__ID__` placeholders, so each request costs one string replace, not a JSON build. */
const TEMPLATE = JSON.stringify({
  id: "__ID__",
  admin_graphql_api_id: "gid://shopify/Order/__ID__",
  email: "bob.norman@mail.example.com",
  created_at: "2026-12-02T08:00:00-05:00",
  number: 1,
  note: null,
  token: "b1946ac92492d2347c6235b4d2611184",
  gateway: "bogus",
  test: false,
  total_price: "598.94",
  subtotal_price: "597.00",
  total_weight: 0,
  total_tax: "11.94",
  taxes_included: false,
  currency: "USD",
  financial_status: "paid",
  confirmed: true,
  total_discounts: "10.00",
  buyer_accepts_marketing: false,
  name: "#__ID__",
  order_number: 1001,
  billing_address: ADDRESS,
  shipping_address: ADDRESS,
  customer: {
    id: 207119551,
    email: "bob.norman@mail.example.com",
    first_name: "Bob",
    last_name: "Norman",
    orders_count: 1,
    state: "disabled",
    total_spent: "199.65",
    default_address: ADDRESS,
  },
  line_items: [0, 1, 2, 3, 4].map(LINE),
  shipping_lines: [
    { id: 369256396, title: "Free Shipping", price: "0.00", code: "Free Shipping", source: "shopify" },
  ],
}).replace('"id":"__ID__"', '"id":__ID__');

export function orderBody(id: number): string {
  return TEMPLATE.replaceAll("__ID__", String(5_500_000_000_000_000 + id));
}

export function shopifySignature(body: string, secret = BENCH_SECRET): string {
  return createHmac("sha256", secret).update(body).digest("base64");
}
