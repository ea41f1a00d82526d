/**
 * Canonical records read from a partner's file (X12, EDIFACT) as the hub's events. Event types and
 * streams are the same as the other connectors' (`order.received` on `order:<channel>:<id>` like the
 * API and Shopify; `shipment.dispatched` on the order's stream like the HTTP 3PL), so the flows do not
 * care which connector a fact came from.
 *
 * Streams and types are stored: never rename them.
 */
import type { EventInput, JsonValue, TraceContext } from "../../store/store.ts";

export const EDI_EVENTS = Object.freeze({
  orderReceived: "order.received",
  shipmentDispatched: "shipment.dispatched",
  /** A 3PL's 945 before the depositor router put it on its order's stream. */
  shipmentReported: "shipment.reported",
  stockReported: "stock.reported",
  receiptReceived: "receipt.received",
  invoiceReceived: "invoice.received",
  supplierAcknowledged: "supplier.acknowledged",
  ediAcknowledged: "edi.acknowledged",
});

/** Stock levels per `stock.reported` event: a 100,000-SKU 846 is 100 events, none of them huge. */
const LEVELS_PER_EVENT = 1_000;

export interface PartnerRecord {
  entity: string;
  value: unknown;
}

interface Context {
  connection: string;
  /** The partner is the hub's 3PL: its 945s name the hub's depositor order numbers. */
  warehouse?: boolean;
  channel: string;
  /** The procure-to-pay supplier code this connection is; default the connection name. */
  supplier?: string;
  causationId: string;
  trace: TraceContext | undefined;
}

/** W12-01 codes that say nothing more will ship for the line (complete, or considered complete). */
const LINE_DONE = new Set(["CC", "CP"]);

/**
 * Whether a 945 leaves nothing to ship: every line's W12-01 says complete, or (without a code) shipped
 * at least what was ordered. A shipment without line statuses (EDIFACT DESADV) is taken as complete.
 */
function isComplete(shipment: Record<string, unknown>): boolean {
  const extensions = (shipment.extensions as Record<string, { lineStatuses?: unknown }> | undefined) ?? {};
  const statuses = Object.values(extensions).find((e) => Array.isArray(e?.lineStatuses))?.lineStatuses as
    | { status: string; ordered?: string; shipped: string }[]
    | undefined;
  if (!statuses || statuses.length === 0) return true;
  return statuses.every((line) =>
    line.status !== ""
      ? LINE_DONE.has(line.status)
      : line.ordered === undefined || Number(line.shipped) >= Number(line.ordered),
  );
}

/**
 * A supplier's answer (X12 855, EDIFACT ORDRSP) on the stream procure-to-pay waits on for that purchase,
 * `purchase:<supplier>:<poNumber>` (its run key is `<supplier code>:<poNumber>`, and the 850/ORDERS the
 * hub sent carried that PO number), wrapped as `{ acknowledgement }` like the REST API's.
 */
function acknowledgementEvent(
  value: Record<string, unknown>,
  ctx: Context,
  common: Pick<EventInput, "causationId" | "trace">,
): EventInput {
  return {
    stream: `purchase:${ctx.supplier ?? ctx.connection}:${value.poNumber as string}`,
    type: EDI_EVENTS.supplierAcknowledged,
    data: { receivedVia: ctx.connection, acknowledgement: value } as unknown as JsonValue,
    ...common,
  };
}

export function recordEvents(record: PartnerRecord, ctx: Context): EventInput[] {
  const common = { causationId: ctx.causationId, ...(ctx.trace ? { trace: ctx.trace } : {}) };
  const value = record.value as Record<string, unknown>;
  switch (record.entity) {
    case "order":
      return [
        {
          stream: `order:${value.channel as string}:${value.channelOrderId as string}`,
          type: EDI_EVENTS.orderReceived,
          data: { receivedVia: ctx.connection, order: value } as unknown as JsonValue,
          ...common,
        },
      ];
    case "shipment": {
      const order = value.order as { channel: string; channelOrderId: string };
      if (ctx.warehouse) {
        return [
          {
            stream: `edi-depositor:${ctx.connection}:${order.channelOrderId}`,
            type: EDI_EVENTS.shipmentReported,
            data: { ...value, complete: isComplete(value) } as unknown as JsonValue,
            ...common,
          },
        ];
      }
      // The 940 carried the hub's order key (`shop:1001`) as the depositor order number; a key without
      // a channel is the partner's own order number in this connection's channel.
      const key = order.channelOrderId.includes(":")
        ? order.channelOrderId
        : `${order.channel}:${order.channelOrderId}`;
      return [
        {
          stream: `order:${key}`,
          type: EDI_EVENTS.shipmentDispatched,
          data: { ...value, complete: isComplete(value) } as unknown as JsonValue,
          ...common,
        },
      ];
    }
    case "stock-level":
      return [
        {
          stream: `stock:${ctx.connection}:${(value.warehouse as string | undefined) ?? "default"}`,
          type: EDI_EVENTS.stockReported,
          data: { source: ctx.connection, levels: [value] } as unknown as JsonValue,
          ...common,
        },
      ];
    case "receipt":
      return [
        {
          stream: `receipt:${ctx.connection}`,
          type: EDI_EVENTS.receiptReceived,
          data: value as JsonValue,
          ...common,
        },
      ];
    case "invoice":
      return [
        {
          stream: `invoice:${ctx.connection}`,
          type: EDI_EVENTS.invoiceReceived,
          data: value as JsonValue,
          ...common,
        },
      ];
    case "supplier-acknowledgement":
      return [acknowledgementEvent(value, ctx, common)];
    case "functional-ack":
      return [
        {
          stream: `edi:${ctx.connection}`,
          type: EDI_EVENTS.ediAcknowledged,
          data: value as JsonValue,
          ...common,
        },
      ];
    default:
      return [];
  }
}

/** Stock levels of one file merged into events of up to 1,000 levels per warehouse. */
export function mergeStockEvents(events: EventInput[]): EventInput[] {
  const out: EventInput[] = [];
  const open = new Map<string, EventInput>();
  for (const event of events) {
    if (event.type !== EDI_EVENTS.stockReported) {
      out.push(event);
      continue;
    }
    const current = open.get(event.stream);
    const levels = (current?.data as { levels: JsonValue[] } | undefined)?.levels;
    if (current && levels && levels.length < LEVELS_PER_EVENT) {
      levels.push(...(event.data as { levels: JsonValue[] }).levels);
      continue;
    }
    open.set(event.stream, event);
    out.push(event);
  }
  return out;
}
