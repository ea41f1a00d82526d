/**
 * Creates and confirms sale orders in batches, idempotently. Per batch, in steady state, four calls:
 * 1. `ir.model.data` lookup of the batch's external ids (what a lost answer may already have created);
 * 2. one `load()` creating every new order with its lines AND its external id in one Odoo transaction;
 * 3. one `action_confirm` on every order still in draft;
 * 4. one `read` of names, states and pickings, the evidence each job records.
 * A retry after a timeout finds the orders by external id and only confirms what is left, so no order
 * is ever made twice. One order Odoo refuses fails alone: the batch is split to isolate it.
 */
import { CrossdockError } from "../../../core/errors.ts";
import type { OdooClient } from "../odoo-client.ts";
import { cell, externalIdName, findExternalIds, qualified } from "./external-ids.ts";
import type { ItemOutcome } from "./odoo-batcher.ts";
import { type LoadRecord, loadRecords } from "./odoo-load.ts";

export interface SaleOrderLineInput {
  productId: number;
  /** Decimal string or number in the product's unit. */
  quantity: string | number;
  /** Unit price as a decimal string (never a float in the hub); sent to Odoo as its number. */
  priceUnit: string;
  /** Percent, decimal string. */
  discount?: string;
  description?: string;
  /** Explicit taxes; when absent Odoo applies the product's own taxes and fiscal position. */
  taxIds?: number[];
}

export interface SaleOrderInput {
  /** The business key (e.g. `shopify:5512340001`): the external id is derived from it. */
  key: string;
  partnerId: number;
  invoicePartnerId?: number;
  shippingPartnerId?: number;
  /** The customer's reference (PO number, storefront order name). Not unique in Odoo. */
  clientOrderRef?: string;
  origin?: string;
  warehouseId?: number;
  lines: SaleOrderLineInput[];
}

export interface PlacedOrder {
  key: string;
  orderId: number;
  name: string;
  state: string;
  pickingIds: number[];
  /** False when the order already existed (a retry or a replay). */
  created: boolean;
}

const MODEL = "sale.order";

export function saleOrderExternalId(key: string): string {
  return externalIdName("so", key);
}

/** Places a batch; one outcome per input, in order. Transient failures fail the whole batch. */
export async function placeSaleOrders(
  client: OdooClient,
  orders: readonly SaleOrderInput[],
  signal?: AbortSignal,
): Promise<ItemOutcome<PlacedOrder>[]> {
  await client.connect(signal);
  const names = orders.map((order) => saleOrderExternalId(order.key));
  const existing = await findExternalIds(client, MODEL, names, signal);
  const outcomes: (ItemOutcome<PlacedOrder> | undefined)[] = orders.map(() => undefined);
  const ids = new Map<number, number>(); // input index -> order id
  const created = new Set<number>();

  const toCreate: number[] = [];
  orders.forEach((_order, index) => {
    const found = existing.get(names[index] as string);
    if (found === undefined) toCreate.push(index);
    else ids.set(index, found);
  });

  const records: LoadRecord[] = [];
  for (const index of toCreate) {
    try {
      records.push({
        index,
        rows: orderRows(client, orders[index] as SaleOrderInput, names[index] as string),
      });
    } catch (error) {
      outcomes[index] = { ok: false, error };
    }
  }
  const loaded = await loadRecords(client, MODEL, records, signal);
  for (const [index, result] of loaded) {
    if (result.ok) {
      ids.set(index, result.value);
      created.add(index);
    } else outcomes[index] = result;
  }

  // Orders just loaded are drafts; only those found by external id need their state read first.
  const found = [...ids.entries()].filter(([index]) => !created.has(index));
  const states = await readOrders(
    client,
    found.map(([, id]) => id),
    signal,
  );
  const drafts = [...ids.entries()].filter(
    ([index, id]) => created.has(index) || ["draft", "sent"].includes(states.get(id)?.state ?? ""),
  );
  const confirmErrors = await confirmIsolating(client, drafts, signal);
  for (const [index, error] of confirmErrors) outcomes[index] = { ok: false, error };

  const after =
    drafts.length > 0 || found.length < ids.size
      ? await readOrders(client, [...ids.values()], signal)
      : states;
  for (const [index, id] of ids) {
    if (outcomes[index] !== undefined) continue;
    const order = after.get(id);
    if (order === undefined) {
      outcomes[index] = {
        ok: false,
        error: new CrossdockError(
          "CDK_ODOO_MISSING_RECORD",
          `sale order ${id} of ${orders[index]?.key} is gone`,
        ),
      };
      continue;
    }
    outcomes[index] = {
      ok: true,
      value: {
        key: (orders[index] as SaleOrderInput).key,
        orderId: id,
        ...order,
        created: created.has(index),
      },
    };
  }
  return outcomes.map(
    (outcome) => outcome ?? { ok: false, error: new CrossdockError("CDK_INTERNAL", "order without outcome") },
  );
}

interface OrderState {
  name: string;
  state: string;
  pickingIds: number[];
}

async function readOrders(client: OdooClient, ids: number[], signal?: AbortSignal) {
  if (ids.length === 0) return new Map<number, OrderState>();
  const rows = await client.read<{ id: number; name: string; state: string; picking_ids: number[] }>(
    MODEL,
    ids,
    ["name", "state", "picking_ids"],
    signal === undefined ? {} : { signal },
  );
  return new Map(
    rows.map((row) => [row.id, { name: row.name, state: row.state, pickingIds: row.picking_ids }]),
  );
}

/**
 * Confirms all drafts in one call; if Odoo refuses the batch, confirms one by one so that only the
 * orders it refuses fail. Transient errors propagate: the jobs retry and find the orders by id.
 */
async function confirmIsolating(
  client: OdooClient,
  drafts: [number, number][],
  signal?: AbortSignal,
): Promise<Map<number, unknown>> {
  const errors = new Map<number, unknown>();
  if (drafts.length === 0) return errors;
  const options = signal === undefined ? {} : { signal };
  try {
    await client.call({ model: MODEL, method: "action_confirm", ids: drafts.map(([, id]) => id) }, options);
    return errors;
  } catch (error) {
    if (!(error instanceof CrossdockError) || error.failureClass === "transient" || drafts.length === 1) {
      if (drafts.length === 1 && error instanceof CrossdockError && error.failureClass !== "transient") {
        errors.set((drafts[0] as [number, number])[0], error);
        return errors;
      }
      throw error;
    }
  }
  for (const [index, id] of drafts) {
    try {
      await client.call({ model: MODEL, method: "action_confirm", ids: [id] }, options);
    } catch (error) {
      if (error instanceof CrossdockError && error.failureClass !== "transient") errors.set(index, error);
      else throw error;
    }
  }
  return errors;
}

/** One order as `load()` rows: the first row holds the order and its first line, the rest one line each. */
function orderRows(client: OdooClient, order: SaleOrderInput, name: string): Record<string, string>[] {
  if (order.lines.length === 0) {
    throw new CrossdockError("CDK_ODOO_REJECTED", `sale order ${order.key} has no lines`, {
      details: { key: order.key },
    });
  }
  const dialect = client.dialect;
  const head: Record<string, string> = {
    id: qualified(name),
    "partner_id/.id": cell(order.partnerId),
    "partner_invoice_id/.id": cell(order.invoicePartnerId ?? order.partnerId),
    "partner_shipping_id/.id": cell(order.shippingPartnerId ?? order.partnerId),
  };
  if (order.clientOrderRef !== undefined) head.client_order_ref = order.clientOrderRef;
  if (order.origin !== undefined) head.origin = order.origin;
  if (order.warehouseId !== undefined) head["warehouse_id/.id"] = cell(order.warehouseId);
  return order.lines.map((line, lineIndex) => {
    const row: Record<string, string> = lineIndex === 0 ? { ...head } : {};
    row["order_line/product_id/.id"] = cell(line.productId);
    row["order_line/product_uom_qty"] = cell(line.quantity);
    row["order_line/price_unit"] = cell(line.priceUnit);
    if (line.discount !== undefined) row["order_line/discount"] = cell(line.discount);
    if (line.description !== undefined) row["order_line/name"] = line.description;
    if (line.taxIds !== undefined) row[`order_line/${dialect.saleLineTaxes}/.id`] = line.taxIds.join(",");
    return row;
  });
}
