/**
 * A goods receipt: what a warehouse received, usually against a purchase order (or a return's RMA),
 * line by line with lots and condition. Quantities are what was counted, which may differ from what
 * was ordered; the procure-to-pay workflow compares them.
 */
import Type from "typebox";
import {
  Code,
  closed,
  Extensions,
  Id,
  MODEL_BASE_URI,
  Quantity,
  Refs,
  SchemaVersion,
  Sku,
  Timestamp,
  Uom,
} from "./model-primitives.ts";
import { Lot } from "./shipment.ts";

export const ReceiptLine = Type.Object(
  {
    lineId: Type.Optional(Id),
    sku: Sku,
    quantity: Quantity,
    uom: Uom,
    condition: Type.Optional(Type.Enum(["good", "damaged"])),
    lots: Type.Optional(Type.Array(Lot, { maxItems: 100 })),
  },
  { ...closed, description: "what was counted for one SKU; lineId is the purchase order's line" },
);

export const Receipt = Type.Object(
  {
    schemaVersion: SchemaVersion(1),
    receiptId: Id,
    poNumber: Type.Optional(Id),
    rmaNumber: Type.Optional(Id),
    warehouse: Code,
    receivedAt: Timestamp,
    lines: Type.Array(ReceiptLine, { minItems: 1, maxItems: 10_000 }),
    refs: Type.Optional(Refs),
    extensions: Type.Optional(Extensions),
  },
  {
    ...closed,
    $id: `${MODEL_BASE_URI}receipt/v1`,
    title: "Receipt",
    description: "goods received into a warehouse, against a purchase order or a return",
  },
);
export type Receipt = Type.Static<typeof Receipt>;
