/**
 * The returns workflow's Odoo port over one Odoo connection. Reads find the original order the way
 * order-to-cash placed it (its `origin` is the channel key); writes go through the return and
 * invoicing actions, each idempotent as the workflow's retries need.
 */
import { createReturnPicking, creditReturnedGoods } from "../../connectors/odoo/actions/customer-returns.ts";
import { registerPayment } from "../../connectors/odoo/actions/invoicing.ts";
import { validatePicking } from "../../connectors/odoo/actions/pickings.ts";
import type { OdooClient } from "../../connectors/odoo/odoo-client.ts";
import { toDecimalString } from "../../connectors/odoo/odoo-events.ts";
import type { OdooReturnPort, ReturnableOrder } from "./returns-ports.ts";

type Many2one = [number, string] | false;

export function createOdooReturnPort(options: { client: OdooClient }): OdooReturnPort {
  const { client } = options;
  return {
    async findOrder(origin) {
      const [order] = await client.searchRead<{ id: number; name: string; picking_ids: number[] }>(
        "sale.order",
        [
          ["origin", "=", origin],
          ["state", "!=", "cancel"],
        ],
        ["name", "picking_ids"],
        { order: "id asc", limit: 1 },
      );
      if (!order) return undefined;
      const lines = await client.searchRead<{
        product_id: Many2one;
        product_uom_qty: number;
        price_total: number;
      }>("sale.order.line", [["order_id", "=", order.id]], ["product_id", "product_uom_qty", "price_total"]);
      const productIds = [...new Set(lines.flatMap((l) => (l.product_id ? [l.product_id[0]] : [])))];
      const products = await client.read<{ id: number; default_code: string | false }>(
        "product.product",
        productIds,
        ["default_code"],
      );
      const productBySku: Record<string, number> = {};
      const unitPriceWithTax: Record<string, string> = {};
      for (const product of products) {
        if (!product.default_code) continue;
        productBySku[product.default_code] = product.id;
        const line = lines.find(
          (l) => l.product_id && l.product_id[0] === product.id && l.product_uom_qty > 0,
        );
        if (line)
          unitPriceWithTax[product.default_code] = toDecimalString(
            line.price_total / line.product_uom_qty,
            6,
          );
      }
      const pickings = await client.read<{
        id: number;
        name: string;
        state: string;
        picking_type_code: string;
        date_done: string | false;
      }>("stock.picking", order.picking_ids, ["name", "state", "picking_type_code", "date_done"]);
      const done = pickings.filter((p) => p.state === "done" && p.picking_type_code === "outgoing");
      await client.connect();
      const quantityField = client.dialect.moveDoneQuantity;
      const moves =
        done.length === 0
          ? []
          : await client.searchRead<Record<string, unknown> & { picking_id: Many2one; product_id: Many2one }>(
              "stock.move",
              [
                ["picking_id", "in", done.map((p) => p.id)],
                ["state", "=", "done"],
              ],
              ["picking_id", "product_id", quantityField],
            );
      const result: ReturnableOrder = {
        orderId: order.id,
        name: order.name,
        productBySku,
        unitPriceWithTax,
        deliveries: done
          .sort((a, b) => a.id - b.id)
          .map((p) => ({
            pickingId: p.id,
            name: p.name,
            doneAt: p.date_done || null,
            moves: moves
              .filter((m) => m.picking_id && m.picking_id[0] === p.id && m.product_id)
              .map((m) => ({
                productId: (m.product_id as [number, string])[0],
                quantity: toDecimalString(Number(m[quantityField] ?? 0), 6),
              })),
          })),
      };
      return result;
    },
    createReturnPicking: (input) => createReturnPicking(client, input),
    validateReturn: (input) => validatePicking(client, { ...input, backorder: false }),
    async cancelPickings(ids) {
      if (ids.length === 0) return;
      const rows = await client.read<{ id: number; state: string }>("stock.picking", ids, ["state"]);
      const open = rows.filter((p) => p.state !== "done" && p.state !== "cancel").map((p) => p.id);
      if (open.length > 0) await client.call({ model: "stock.picking", method: "action_cancel", ids: open });
    },
    creditNote: (input) => creditReturnedGoods(client, input),
    refund: (input) => registerPayment(client, { invoiceIds: input.creditNoteIds, memo: input.memo }),
  };
}
