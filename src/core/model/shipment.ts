/**
 * A shipment: goods that left a warehouse for one order, in one or more packages, with the carrier's
 * tracking. A partial shipment is simply a shipment whose lines cover less than the order; the
 * order-to-cash workflow compares them.
 *
 * `lines` is what shipped; each package optionally lists what it holds (a package's contents never
 * exceed the lines, which the consistency check verifies).
 */
import Type from "typebox";
import {
  CalendarDate,
  Code,
  CurrencyCode,
  closed,
  Extensions,
  HttpUrl,
  Id,
  Measure,
  MODEL_BASE_URI,
  moneyAs,
  OrderRef,
  Quantity,
  Refs,
  SchemaVersion,
  Sku,
  Text,
  Timestamp,
  Uom,
} from "./model-primitives.ts";
import { AddressValue } from "./party.ts";

export const Lot = Type.Object(
  { lot: Text(128), quantity: Quantity, expiresOn: Type.Optional(CalendarDate) },
  closed,
);

export const ShipmentLine = Type.Object(
  {
    orderLineId: Type.Optional(Id),
    sku: Sku,
    quantity: Quantity,
    uom: Uom,
    lots: Type.Optional(Type.Array(Lot, { maxItems: 100 })),
    serials: Type.Optional(Type.Array(Text(128), { maxItems: 1_000 })),
  },
  closed,
);

export const Package = Type.Object(
  {
    packageId: Type.Optional(Id),
    trackingNumber: Type.Optional(Text(128)),
    weight: Type.Optional(Measure(["g", "kg", "oz", "lb"])),
    dimensions: Type.Optional(
      Type.Object(
        { length: Quantity, width: Quantity, height: Quantity, unit: Type.Enum(["mm", "cm", "m", "in"]) },
        closed,
      ),
    ),
    contents: Type.Optional(
      Type.Array(Type.Object({ sku: Sku, quantity: Quantity }, closed), {
        maxItems: 1_000,
      }),
    ),
  },
  closed,
);

export const Shipment = Type.Object(
  {
    schemaVersion: SchemaVersion(1),
    shipmentId: Id,
    order: OrderRef,
    warehouse: Type.Optional(Code),
    status: Type.Enum(["shipped", "in_transit", "delivered", "returned", "cancelled"]),
    carrier: Type.Optional(Text(64, 'the carrier, preferably its SCAC or a short code, e.g. "ups"')),
    service: Type.Optional(Text(128, 'the carrier service, e.g. "UPS Ground"')),
    trackingNumber: Type.Optional(Text(128)),
    trackingUrl: Type.Optional(HttpUrl),
    shippedAt: Timestamp,
    shipTo: Type.Optional(AddressValue),
    lines: Type.Array(ShipmentLine, { minItems: 1, maxItems: 10_000 }),
    packages: Type.Optional(Type.Array(Package, { maxItems: 1_000 })),
    cost: Type.Optional(moneyAs("what the carrier charged, in `currency`")),
    currency: Type.Optional(CurrencyCode),
    refs: Type.Optional(Refs),
    extensions: Type.Optional(Extensions),
  },
  {
    ...closed,
    $id: `${MODEL_BASE_URI}shipment/v1`,
    title: "Shipment",
    description: "goods shipped for one order: lines, packages, carrier and tracking",
  },
);
export type Shipment = Type.Static<typeof Shipment>;
