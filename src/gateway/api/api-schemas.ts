/**
 * The schemas of the canonical REST API v1, as TypeBox types: the same objects validate requests
 * (strictly: no coercion, no unknown fields) and generate `/api/v1/openapi.json`.
 *
 * The order submitted here is the API's v1 shape; the canonical distribution model (issue 5) maps it to
 * the canonical order. Money and quantities are decimal strings, never floats; ids are strings (a
 * channel's ids may exceed 2^53).
 */
import Type from "typebox";

export const DecimalString = Type.String({
  pattern: "^-?\\d{1,12}(\\.\\d{1,6})?$",
  description: 'a decimal number written as a string, e.g. "19.90"',
  examples: ["19.90"],
});
const Money = Type.String({
  pattern: "^-?\\d{1,12}(\\.\\d{1,4})?$",
  description: 'an amount as a decimal string, e.g. "129.00"',
});
const Text = (max: number, extra: object = {}) => Type.String({ minLength: 1, maxLength: max, ...extra });

export const Address = Type.Object(
  {
    name: Text(256),
    company: Type.Optional(Text(256)),
    street: Text(256),
    street2: Type.Optional(Text(256)),
    city: Text(128),
    zip: Type.Optional(Text(32)),
    region: Type.Optional(Text(64)),
    countryCode: Type.String({ pattern: "^[A-Z]{2}$", description: "ISO 3166-1 alpha-2" }),
    phone: Type.Optional(Text(64)),
  },
  { additionalProperties: false },
);

export const OrderLine = Type.Object(
  {
    sku: Text(128),
    quantity: DecimalString,
    unitPrice: Money,
    description: Type.Optional(Text(2_000)),
    discount: Type.Optional(Money),
  },
  { additionalProperties: false },
);

export const OrderSubmission = Type.Object(
  {
    channel: Type.String({
      pattern: "^[a-z0-9][a-z0-9_-]{0,63}$",
      description: "the sales channel, e.g. b2b-portal",
    }),
    externalId: Text(128, { description: "the channel's own order id (unique per channel)" }),
    orderNumber: Type.Optional(Text(128)),
    placedAt: Type.Optional(Type.String({ format: "date-time" })),
    currency: Type.String({ pattern: "^[A-Z]{3}$", description: "ISO 4217" }),
    customer: Type.Object(
      {
        name: Text(256),
        email: Type.Optional(Type.String({ format: "email", maxLength: 256 })),
        phone: Type.Optional(Text(64)),
        externalId: Type.Optional(Text(128)),
      },
      { additionalProperties: false },
    ),
    shipTo: Address,
    billTo: Type.Optional(Address),
    lines: Type.Array(OrderLine, { minItems: 1, maxItems: 1_000 }),
    shipping: Type.Optional(
      Type.Object({ method: Type.Optional(Text(128)), price: Money }, { additionalProperties: false }),
    ),
    notes: Type.Optional(Type.String({ maxLength: 4_000 })),
  },
  { additionalProperties: false, $id: "OrderSubmission" },
);
export type OrderSubmission = Type.Static<typeof OrderSubmission>;

export const OrderAccepted = Type.Object(
  {
    id: Type.String({ description: "the hub's id of the received order" }),
    orderKey: Type.String({ description: "<channel>:<externalId>" }),
    status: Type.Literal("received"),
    duplicate: Type.Boolean({ description: "true when this channel order was already received" }),
    receivedAt: Type.String({ format: "date-time" }),
    links: Type.Object({ self: Type.String() }),
  },
  { $id: "OrderAccepted" },
);

export const CancelAccepted = Type.Object(
  {
    id: Type.String({ description: "the hub's id of the cancellation request" }),
    orderKey: Type.String({ description: "<channel>:<externalId>" }),
    status: Type.Literal("cancel-requested"),
    duplicate: Type.Boolean({ description: "true when this order's cancellation was already requested" }),
    links: Type.Object({ order: Type.String() }),
  },
  { $id: "CancelAccepted" },
);

export const OrderStatusName = Type.Union(
  ["received", "rejected", "confirmed", "shipped", "invoiced", "paid", "cancelled"].map((s) =>
    Type.Literal(s),
  ),
);

export const TraceEntry = Type.Object({
  at: Type.String({ format: "date-time" }),
  kind: Type.Union([
    Type.Literal("message"),
    Type.Literal("event"),
    Type.Literal("job"),
    Type.Literal("exception"),
  ]),
  what: Type.String(),
  detail: Type.Optional(Type.Unknown()),
});

export const OrderStatus = Type.Object(
  {
    id: Type.String(),
    orderKey: Type.String(),
    channel: Type.String(),
    externalId: Type.String(),
    status: OrderStatusName,
    receivedAt: Type.String({ format: "date-time" }),
    trace: Type.Array(TraceEntry),
  },
  { $id: "OrderStatus" },
);

export const OrderSummary = Type.Object({
  id: Type.String(),
  orderKey: Type.String(),
  receivedAt: Type.String({ format: "date-time" }),
});

export const Page = <T extends Type.TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    nextCursor: Type.Optional(Type.String({ description: "pass as ?cursor= for the next page" })),
  });

export const PageQuery = Type.Object(
  {
    cursor: Type.Optional(Type.String({ maxLength: 512 })),
    limit: Type.Optional(
      Type.String({ pattern: "^(?:[1-9]\\d?|1\\d\\d|200)$", description: "1-200, default 50" }),
    ),
  },
  { additionalProperties: false },
);

export const StockLevel = Type.Object({
  sku: Type.String(),
  locationId: Type.Union([Type.Integer(), Type.Null()]),
  onHand: DecimalString,
  reserved: DecimalString,
  available: DecimalString,
  source: Type.String({ description: "where the number came from, e.g. odoo:erp" }),
  asOf: Type.String({ format: "date-time", description: "when the hub learned it" }),
});

export const StockAvailability = Type.Object(
  {
    sku: Type.String(),
    available: DecimalString,
    levels: Type.Array(StockLevel),
  },
  { $id: "StockAvailability" },
);

export const Shipment = Type.Object(
  {
    orderKey: Type.String(),
    pickingId: Type.Union([Type.Integer(), Type.Null()]),
    name: Type.Union([Type.String(), Type.Null()]),
    trackingRef: Type.Union([Type.String(), Type.Null()]),
    carrier: Type.Union([Type.String(), Type.Null()]),
    doneAt: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: "Shipment" },
);

export const ProblemDocument = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String({ description: "stable error code, see docs/errors.md" }),
    detail: Type.String(),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  },
  { $id: "Problem" },
);

export const IdempotencyHeaders = Type.Object(
  {
    "idempotency-key": Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: "^[\\x21-\\x7e]+$",
      description: "required on every POST; the same key with the same body gets the same answer",
    }),
  },
  { additionalProperties: true },
);
