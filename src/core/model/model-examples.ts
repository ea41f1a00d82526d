/**
 * One valid, consistent example of every entity: the documentation's examples (a test checks that
 * `docs/model.md` shows exactly these), fixtures for mapping tests, and what `crossdock catalog` can
 * print. Typed with the model's own types, so a schema change that breaks them fails the type check.
 *
 * The order and the invoice tell one story: order #1001 from the `shopify-eu` channel, two lines with
 * a discount, shipping, German VAT at 19 % on top of net prices; shipped in one package, invoiced,
 * paid; one cushion returned.
 */

import type { OrderRef } from "./model-primitives.ts";
import type { ModelEntityName, ModelValue } from "./model-registry.ts";
import type { OrderLine } from "./order.ts";
import type { Address, PartyValue } from "./party.ts";
import type { ShippingLine, Totals } from "./priced-lines.ts";

const customer: PartyValue = {
  kind: "person",
  name: "Ana Berg",
  email: "ana@example.com",
  refs: [{ system: "shopify-eu", kind: "customer", id: "7712345678901234567" }],
};

const shipTo: Address = {
  name: "Ana Berg",
  street: "Hauptstrasse 5",
  city: "Berlin",
  postalCode: "10115",
  countryCode: "DE",
};

const lines: OrderLine[] = [
  {
    lineId: "13579246801357924680",
    sku: "CHAIR-OAK-01",
    name: "Oak chair",
    quantity: "2",
    uom: "C62",
    unitPrice: "129.00",
    discounts: [{ amount: "12.90", rate: "5", code: "SPRING5" }],
    taxes: [{ name: "MwSt 19%", rate: "19", amount: "46.57" }],
    total: "245.10",
  },
  {
    lineId: "13579246801357924681",
    sku: "CUSHION-GREY",
    name: "Seat cushion, grey",
    quantity: "4",
    uom: "C62",
    unitPrice: "19.90",
    taxes: [{ name: "MwSt 19%", rate: "19", amount: "15.12" }],
    total: "79.60",
  },
];

const shippingLines: ShippingLine[] = [
  {
    method: "Standard",
    carrier: "dhl",
    price: "9.90",
    taxes: [{ rate: "19", amount: "1.88" }],
    total: "9.90",
  },
];

const totals: Totals = {
  subtotal: "324.70",
  discountTotal: "12.90",
  shippingTotal: "9.90",
  taxTotal: "63.57",
  grandTotal: "398.17",
};

const order: OrderRef = {
  channel: "shopify-eu",
  channelOrderId: "5550934128715123456",
  orderNumber: "#1001",
};

export const MODEL_EXAMPLES: { readonly [N in ModelEntityName]: ModelValue<N> } = {
  product: {
    schemaVersion: 1,
    sku: "CHAIR-OAK-01",
    name: "Oak chair",
    barcodes: [{ value: "4006381333931", kind: "gtin" }],
    uom: "C62",
    packSize: "2",
    storable: true,
    prices: [
      { currency: "EUR", amount: "129.00", includesTax: false },
      { priceList: "B2B", currency: "EUR", amount: "99.00", includesTax: false, minQuantity: "10" },
    ],
    refs: [{ system: "odoo", kind: "product.product", id: "42" }],
  },
  party: {
    schemaVersion: 1,
    ...customer,
    roles: ["customer"],
    addresses: [{ use: "shipping", ...shipTo }],
  },
  address: shipTo,
  order: {
    schemaVersion: 1,
    ...order,
    status: "confirmed",
    placedAt: "2026-03-01T09:30:00+01:00",
    customer,
    billTo: shipTo,
    shipTo,
    currency: "EUR",
    pricesIncludeTax: false,
    lines,
    shippingLines,
    paymentTerms: { code: "PREPAID", dueDays: 0 },
    totals,
    refs: [{ system: "odoo", kind: "sale.order", id: "S00042" }],
    extensions: { "shopify-eu": { tags: ["vip"], sourceName: "web" } },
  },
  "stock-level": {
    schemaVersion: 1,
    sku: "CHAIR-OAK-01",
    warehouse: "WH",
    location: "WH/Stock",
    uom: "C62",
    onHand: "40",
    reserved: "2",
    available: "36",
    incoming: "24",
    asOf: "2026-03-01T09:31:12.250Z",
    source: "odoo",
  },
  reservation: {
    schemaVersion: 1,
    reservationId: "res-0001",
    sku: "CHAIR-OAK-01",
    warehouse: "WH",
    quantity: "2",
    uom: "C62",
    order,
    status: "active",
    createdAt: "2026-03-01T09:30:05Z",
    expiresAt: "2026-03-03T09:30:05Z",
  },
  shipment: {
    schemaVersion: 1,
    shipmentId: "WH/OUT/00017",
    order,
    warehouse: "WH",
    status: "shipped",
    carrier: "dhl",
    service: "DHL Paket",
    trackingNumber: "00340434161094042557",
    trackingUrl: "https://www.dhl.de/track?piececode=00340434161094042557",
    shippedAt: "2026-03-02T14:05:00+01:00",
    shipTo,
    lines: [
      { orderLineId: "13579246801357924680", sku: "CHAIR-OAK-01", quantity: "2", uom: "C62" },
      { orderLineId: "13579246801357924681", sku: "CUSHION-GREY", quantity: "4", uom: "C62" },
    ],
    packages: [
      {
        trackingNumber: "00340434161094042557",
        weight: { value: "14.2", unit: "kg" },
        dimensions: { length: "80", width: "60", height: "50", unit: "cm" },
        contents: [
          { sku: "CHAIR-OAK-01", quantity: "2" },
          { sku: "CUSHION-GREY", quantity: "4" },
        ],
      },
    ],
    cost: "6.49",
    currency: "EUR",
  },
  invoice: {
    schemaVersion: 1,
    invoiceNumber: "INV/2026/00031",
    kind: "invoice",
    status: "paid",
    issuedAt: "2026-03-02T15:00:00+01:00",
    dueDate: "2026-03-02",
    orders: [order],
    customer,
    billTo: shipTo,
    currency: "EUR",
    pricesIncludeTax: false,
    lines,
    shippingLines,
    totals,
    amountDue: "0.00",
  },
  payment: {
    schemaVersion: 1,
    paymentId: "pi_3OqZ2x2eZvKYlo2C1a2b3c4d",
    kind: "payment",
    status: "captured",
    amount: "398.17",
    currency: "EUR",
    receivedAt: "2026-03-01T09:30:02+01:00",
    method: "card",
    provider: "shopify_payments",
    allocations: [{ invoiceNumber: "INV/2026/00031", amount: "398.17" }],
  },
  return: {
    schemaVersion: 1,
    rmaNumber: "RMA-2026-0007",
    order,
    status: "received",
    requestedAt: "2026-03-09T11:00:00Z",
    lines: [
      {
        orderLineId: "13579246801357924681",
        sku: "CUSHION-GREY",
        quantity: "1",
        uom: "C62",
        reason: "damaged",
        reasonNote: "seam torn on arrival",
        disposition: "scrap",
      },
    ],
    refundAmount: "23.68",
    currency: "EUR",
  },
  "purchase-order": {
    schemaVersion: 1,
    poNumber: "P00012",
    status: "sent",
    orderedAt: "2026-03-02T08:00:00Z",
    expectedOn: "2026-03-16",
    supplier: { kind: "company", name: "Nordic Oak AB", taxId: "SE556677889901" },
    warehouse: "WH",
    currency: "SEK",
    pricesIncludeTax: false,
    lines: [
      {
        lineId: "1",
        sku: "CHAIR-OAK-01",
        supplierSku: "NO-CH-01",
        quantity: "24",
        uom: "C62",
        unitPrice: "610.00",
        total: "14640.00",
      },
      {
        lineId: "2",
        sku: "TABLE-OAK-02",
        quantity: "6",
        uom: "C62",
        unitPrice: "2450.50",
        total: "14703.00",
      },
    ],
    paymentTerms: { code: "NET30", name: "30 days net", dueDays: 30 },
    totals: {
      subtotal: "29343.00",
      discountTotal: "0",
      shippingTotal: "0",
      taxTotal: "0",
      grandTotal: "29343.00",
    },
  },
  "supplier-acknowledgement": {
    schemaVersion: 1,
    poNumber: "P00012",
    acknowledgementId: "855-000000123",
    status: "accepted_with_changes",
    acknowledgedAt: "2026-03-02T16:20:00+01:00",
    currency: "SEK",
    lines: [
      { lineId: "1", sku: "CHAIR-OAK-01", status: "accepted", quantity: "24" },
      {
        lineId: "2",
        sku: "TABLE-OAK-02",
        status: "changed",
        quantity: "4",
        expectedOn: "2026-03-23",
        reason: "backorder",
      },
    ],
  },
  receipt: {
    schemaVersion: 1,
    receiptId: "WH/IN/00009",
    poNumber: "P00012",
    warehouse: "WH",
    receivedAt: "2026-03-16T10:12:00+01:00",
    lines: [
      {
        lineId: "1",
        sku: "CHAIR-OAK-01",
        quantity: "24",
        uom: "C62",
        condition: "good",
        lots: [{ lot: "L2603-A", quantity: "24" }],
      },
      { lineId: "2", sku: "TABLE-OAK-02", quantity: "4", uom: "C62", condition: "good" },
    ],
  },
};
