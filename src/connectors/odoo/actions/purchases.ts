/**
 * Purchase orders (RFQ, confirmation) and their receipts. RFQs are created like sale orders: one
 * `load()` per batch with external ids, after a lookup of the ids a lost answer may have created, so a
 * retry never makes a second purchase order. `button_confirm` may leave an order `to approve` when the
 * company requires a second approval above an amount: that is reported, not treated as a failure.
 */
import { CrossdockError } from "../../../core/errors.ts";
import type { OdooClient } from "../odoo-client.ts";
import { cell, externalIdName, findExternalIds, qualified } from "./external-ids.ts";
import type { ItemOutcome } from "./odoo-batcher.ts";
import { type LoadRecord, loadRecords } from "./odoo-load.ts";
import { type PickedLine, type ValidatedPicking, validatePicking } from "./pickings.ts";

export interface PurchaseOrderInput {
  key: string;
  supplierId: number;
  /** The supplier's own reference. */
  partnerRef?: string;
  origin?: string;
  lines: { productId: number; quantity: string | number; priceUnit: string }[];
}

export interface PlacedPurchase {
  key: string;
  purchaseId: number;
  name: string;
  /** `purchase` when confirmed, `to approve` when a manager must approve it. */
  state: string;
  created: boolean;
}

export async function placePurchaseOrders(
  client: OdooClient,
  orders: readonly PurchaseOrderInput[],
  options: { confirm?: boolean; signal?: AbortSignal } = {},
): Promise<ItemOutcome<PlacedPurchase>[]> {
  const signal = options.signal;
  const names = orders.map((order) => externalIdName("po", order.key));
  const existing = await findExternalIds(client, "purchase.order", names, signal);
  const ids = new Map<number, number>();
  const created = new Set<number>();
  const outcomes: (ItemOutcome<PlacedPurchase> | undefined)[] = orders.map(() => undefined);
  const records: LoadRecord[] = [];
  orders.forEach((order, index) => {
    const found = existing.get(names[index] as string);
    if (found !== undefined) ids.set(index, found);
    else if (order.lines.length === 0) {
      outcomes[index] = {
        ok: false,
        error: new CrossdockError("CDK_ODOO_REJECTED", `purchase ${order.key} has no lines`),
      };
    } else records.push({ index, rows: purchaseRows(order, names[index] as string) });
  });
  for (const [index, outcome] of await loadRecords(client, "purchase.order", records, signal)) {
    if (outcome.ok) {
      ids.set(index, outcome.value);
      created.add(index);
    } else outcomes[index] = outcome;
  }
  const callOptions = signal === undefined ? {} : { signal };
  const read = async () =>
    new Map(
      (
        await client.read<{ id: number; name: string; state: string }>(
          "purchase.order",
          [...ids.values()],
          ["name", "state"],
          callOptions,
        )
      ).map((row) => [row.id, row]),
    );
  let rows = ids.size > 0 ? await read() : new Map<number, { id: number; name: string; state: string }>();
  const drafts = [...ids.values()].filter((id) => ["draft", "sent"].includes(rows.get(id)?.state ?? ""));
  if ((options.confirm ?? true) && drafts.length > 0) {
    await client.call({ model: "purchase.order", method: "button_confirm", ids: drafts }, callOptions);
    rows = await read();
  }
  for (const [index, id] of ids) {
    const row = rows.get(id);
    outcomes[index] = row
      ? {
          ok: true,
          value: {
            key: (orders[index] as PurchaseOrderInput).key,
            purchaseId: id,
            name: row.name,
            state: row.state,
            created: created.has(index),
          },
        }
      : { ok: false, error: new CrossdockError("CDK_ODOO_MISSING_RECORD", `purchase order ${id} is gone`) };
  }
  return outcomes.map(
    (o) => o ?? { ok: false, error: new CrossdockError("CDK_INTERNAL", "purchase without outcome") },
  );
}

function purchaseRows(order: PurchaseOrderInput, name: string): Record<string, string>[] {
  return order.lines.map((line, i) => {
    const row: Record<string, string> =
      i === 0 ? { id: qualified(name), "partner_id/.id": cell(order.supplierId) } : {};
    if (i === 0 && order.partnerRef !== undefined) row.partner_ref = order.partnerRef;
    if (i === 0 && order.origin !== undefined) row.origin = order.origin;
    row["order_line/product_id/.id"] = cell(line.productId);
    row["order_line/product_qty"] = cell(line.quantity);
    row["order_line/price_unit"] = cell(line.priceUnit);
    return row;
  });
}

/** Validates the open receipt of a purchase order with the received quantities. */
export async function receivePurchase(
  client: OdooClient,
  input: { purchaseId: number; lines: PickedLine[]; backorder?: boolean },
  signal?: AbortSignal,
): Promise<ValidatedPicking> {
  const options = signal === undefined ? {} : { signal };
  const [order] = await client.read<{ picking_ids: number[]; name: string }>(
    "purchase.order",
    [input.purchaseId],
    ["picking_ids", "name"],
    options,
  );
  if (!order)
    throw new CrossdockError("CDK_ODOO_MISSING_RECORD", `purchase order ${input.purchaseId} does not exist`);
  const pickings = await client.read<{ id: number; state: string }>(
    "stock.picking",
    order.picking_ids,
    ["state"],
    options,
  );
  const open = pickings.find((p) => p.state !== "done" && p.state !== "cancel");
  const target = open ?? pickings.find((p) => p.state === "done");
  if (!target)
    throw new CrossdockError("CDK_ODOO_REJECTED", `purchase order ${order.name} has no receipt to validate`);
  return validatePicking(
    client,
    {
      pickingId: target.id,
      lines: input.lines,
      ...(input.backorder === undefined ? {} : { backorder: input.backorder }),
    },
    signal,
  );
}
