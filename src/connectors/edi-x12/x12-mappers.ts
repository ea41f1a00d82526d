/**
 * The built-in inbound mappers, by transaction set type: 850 (order), 855 (supplier acknowledgement),
 * 810 (supplier invoice), 846 (stock levels), 944 (receipt), 945 (shipment), 997 (functional
 * acknowledgement). A set of another type is read and envelope-checked but not mapped: the set runner reports it as such, and `unsupportedSet` makes the
 * `CDK_EDI_UNSUPPORTED` problem a connection that expects it should raise.
 */

import { x12InvoiceMapper } from "./x12-810-invoice.ts";
import { x12StockMapper } from "./x12-846-stock.ts";
import { x12OrderMapper } from "./x12-850-order.ts";
import { x12AcknowledgementMapper } from "./x12-855-ack.ts";
import { x12ReceiptMapper } from "./x12-944-receipt.ts";
import { x12ShipmentMapper } from "./x12-945-shipment.ts";
import { x12AdjustmentMapper } from "./x12-947-adjustment.ts";
import { x12FunctionalAckMapper } from "./x12-997-ack.ts";
import type { X12MapperFactory } from "./x12-mapping.ts";

export const X12_MAPPERS: ReadonlyMap<string, X12MapperFactory> = new Map(
  [
    x12OrderMapper,
    x12AcknowledgementMapper,
    x12InvoiceMapper,
    x12StockMapper,
    x12ReceiptMapper,
    x12ShipmentMapper,
    x12AdjustmentMapper,
    x12FunctionalAckMapper,
  ].map((m) => [m.type, m]),
);
