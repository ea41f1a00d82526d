/**
 * Order cancellation, inventory adjustments and returns: the stock-side actions besides validation.
 * Each is idempotent by reading first or by writing absolute values:
 * - cancel skips orders already cancelled and answers Odoo's cancel wizard if it appears;
 * - an adjustment sets the counted quantity (absolute), so applying it twice moves nothing the second
 *   time: `stock.quant.create` in inventory mode updates an existing quant, then one
 *   `action_apply_inventory` on all of them (two calls for any number of products);
 * - a return first looks for a return of the same picking.
 */
import { CrossdockError } from "../../../core/errors.ts";
import type { OdooClient } from "../odoo-client.ts";
import { answerWizards, isWindowAction } from "./odoo-wizards.ts";

export async function cancelOrders(
  client: OdooClient,
  orderIds: readonly number[],
  signal?: AbortSignal,
): Promise<{ cancelled: number[]; alreadyCancelled: number[] }> {
  const options = signal === undefined ? {} : { signal };
  const orders = await client.read<{ id: number; state: string }>("sale.order", orderIds, ["state"], options);
  const alreadyCancelled = orders.filter((o) => o.state === "cancel").map((o) => o.id);
  const open = orders.filter((o) => o.state !== "cancel").map((o) => o.id);
  if (open.length > 0) {
    const answer = await client.call(
      { model: "sale.order", method: "action_cancel", ids: open, context: { disable_cancel_warning: true } },
      options,
    );
    if (isWindowAction(answer))
      await answerWizards(client, answer, { backorder: false, pickingIds: [] }, signal);
  }
  return { cancelled: open, alreadyCancelled };
}

export interface CountedQuantity {
  productId: number;
  /** The counted quantity on hand, absolute. */
  quantity: string | number;
}

export async function adjustInventory(
  client: OdooClient,
  input: { locationId: number; counts: CountedQuantity[] },
  signal?: AbortSignal,
): Promise<{ quantIds: number[] }> {
  if (input.counts.length === 0) return { quantIds: [] };
  const options = signal === undefined ? {} : { signal };
  const context = { inventory_mode: true };
  const quantIds = await client.call<number[]>(
    {
      model: "stock.quant",
      method: "create",
      params: {
        vals_list: input.counts.map((count) => ({
          product_id: count.productId,
          location_id: input.locationId,
          inventory_quantity: Number(count.quantity),
        })),
      },
      context,
    },
    { safe: true, ...options },
  );
  await client.call(
    { model: "stock.quant", method: "action_apply_inventory", ids: quantIds, context },
    { safe: true, ...options },
  );
  return { quantIds };
}

export interface ReturnInput {
  pickingId: number;
  lines: { productId: number; quantity: string | number }[];
}

export async function createReturn(
  client: OdooClient,
  input: ReturnInput,
  signal?: AbortSignal,
): Promise<{ returnPickingId: number; createdNow: boolean }> {
  await client.connect(signal);
  const options = signal === undefined ? {} : { signal };
  const dialect = client.dialect;
  const [picking] = await client.read<{ id: number; name: string; state: string }>(
    "stock.picking",
    [input.pickingId],
    ["name", "state"],
    options,
  );
  if (!picking)
    throw new CrossdockError("CDK_ODOO_MISSING_RECORD", `picking ${input.pickingId} does not exist`);
  const earlier = await client.searchRead<{ id: number }>(
    "stock.picking",
    [
      dialect.major >= 17 ? ["return_id", "=", picking.id] : ["origin", "=", `Return of ${picking.name}`],
      ["state", "!=", "cancel"],
    ],
    ["id"],
    options,
  );
  if (earlier[0]) return { returnPickingId: earlier[0].id, createdNow: false };
  const moves = await client.searchRead<{ id: number; product_id: [number, string] | false }>(
    "stock.move",
    [["picking_id", "=", picking.id]],
    ["product_id"],
    options,
  );
  const lines = input.lines.map((line) => {
    const move = moves.find((m) => m.product_id && m.product_id[0] === line.productId);
    if (!move) {
      throw new CrossdockError(
        "CDK_ODOO_REJECTED",
        `picking ${picking.name} did not ship product ${line.productId}`,
      );
    }
    return [0, 0, { product_id: line.productId, quantity: Number(line.quantity), move_id: move.id }];
  });
  const context = { active_id: picking.id, active_ids: [picking.id], active_model: "stock.picking" };
  const wizard = await client.call<number>(
    {
      model: "stock.return.picking",
      method: "create",
      params: { vals_list: { picking_id: picking.id, product_return_moves: lines } },
      context,
    },
    options,
  );
  const action = await client.call<{ res_id?: number }>(
    { model: "stock.return.picking", method: dialect.createReturnsMethod, ids: [wizard], context },
    options,
  );
  if (typeof action?.res_id !== "number") {
    throw new CrossdockError(
      "CDK_ODOO_PROTOCOL",
      `${dialect.createReturnsMethod} did not name the return picking`,
      {
        details: { answer: JSON.stringify(action).slice(0, 300) },
      },
    );
  }
  return { returnPickingId: action.res_id, createdNow: true };
}
