/**
 * Stock: how many units of a SKU a warehouse holds (`StockLevel`) and how many are promised to an
 * order (`Reservation`).
 *
 * A stock level is a reading, not a fact: `asOf` says when the source counted it and `source` which
 * system did, so the availability engine can refuse to publish figures older than their SLA.
 * `available` is what may still be sold; it is never more than `onHand - reserved` (the consistency
 * check enforces it), and it may be less (quarantine, safety stock). `onHand` may be negative: Odoo
 * allows it when a delivery is validated before its receipt.
 */
import Type from "typebox";
import {
  Code,
  ConnectionName,
  closed,
  Extensions,
  Id,
  MODEL_BASE_URI,
  OrderRef,
  Quantity,
  quantityAs,
  Refs,
  SchemaVersion,
  Sku,
  Timestamp,
  Uom,
} from "./model-primitives.ts";

export const StockLevel = Type.Object(
  {
    schemaVersion: SchemaVersion(1),
    sku: Sku,
    warehouse: Code,
    location: Type.Optional(Code),
    uom: Uom,
    onHand: quantityAs("physically in the warehouse; may be negative"),
    reserved: quantityAs("promised to orders, not yet shipped"),
    available: quantityAs("what may still be sold; at most onHand - reserved"),
    incoming: Type.Optional(quantityAs("expected from open receipts")),
    asOf: Timestamp,
    source: ConnectionName,
    extensions: Type.Optional(Extensions),
  },
  {
    ...closed,
    $id: `${MODEL_BASE_URI}stock-level/v1`,
    title: "StockLevel",
    description: "the stock of one SKU in one warehouse (or location) as counted by one source",
  },
);
export type StockLevel = Type.Static<typeof StockLevel>;

/** `active` holds stock; `released` gave it back (cancellation, expiry); `consumed` shipped it. */
export const RESERVATION_STATUSES = ["active", "released", "consumed"] as const;

export const Reservation = Type.Object(
  {
    schemaVersion: SchemaVersion(1),
    reservationId: Id,
    sku: Sku,
    warehouse: Code,
    location: Type.Optional(Code),
    quantity: Quantity,
    uom: Uom,
    order: OrderRef,
    status: Type.Enum(RESERVATION_STATUSES),
    createdAt: Timestamp,
    expiresAt: Type.Optional(Timestamp),
    refs: Type.Optional(Refs),
    extensions: Type.Optional(Extensions),
  },
  {
    ...closed,
    $id: `${MODEL_BASE_URI}reservation/v1`,
    title: "Reservation",
    description: "a quantity of one SKU held in one warehouse for one order",
  },
);
export type Reservation = Type.Static<typeof Reservation>;
