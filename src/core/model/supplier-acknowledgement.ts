/**
 * A supplier's answer to a purchase order (EDI 855, EDIFACT ORDRSP, a portal's confirmation): per line,
 * accepted as ordered, changed (quantity, price or date) or rejected.
 *
 * The header `status` summarises the lines: `accepted` when every line is accepted, `rejected` when
 * every line is rejected, `accepted_with_changes` otherwise. The consistency check verifies that, and
 * that a `changed` line says what changed.
 */
import Type from "typebox";
import {
  CalendarDate,
  CurrencyCode,
  closed,
  Extensions,
  Id,
  MODEL_BASE_URI,
  Money,
  Quantity,
  Refs,
  SchemaVersion,
  Sku,
  Text,
  Timestamp,
} from "./model-primitives.ts";

export const AcknowledgedLine = Type.Object(
  {
    lineId: Id,
    sku: Type.Optional(Sku),
    status: Type.Enum(["accepted", "changed", "rejected"]),
    quantity: Type.Optional(Quantity),
    unitPrice: Type.Optional(Money),
    expectedOn: Type.Optional(CalendarDate),
    reason: Type.Optional(Text(512)),
  },
  { ...closed, description: "the supplier's answer for one purchase order line (by lineId)" },
);

export const SupplierAcknowledgement = Type.Object(
  {
    schemaVersion: SchemaVersion(1),
    poNumber: Id,
    acknowledgementId: Type.Optional(Id),
    status: Type.Enum(["accepted", "accepted_with_changes", "rejected"]),
    acknowledgedAt: Timestamp,
    currency: Type.Optional(CurrencyCode),
    lines: Type.Array(AcknowledgedLine, { minItems: 1, maxItems: 10_000 }),
    refs: Type.Optional(Refs),
    extensions: Type.Optional(Extensions),
  },
  {
    ...closed,
    $id: `${MODEL_BASE_URI}supplier-acknowledgement/v1`,
    title: "SupplierAcknowledgement",
    description: "a supplier's line-by-line answer to a purchase order",
  },
);
export type SupplierAcknowledgement = Type.Static<typeof SupplierAcknowledgement>;
