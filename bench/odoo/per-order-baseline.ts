/**
 * The per-order baseline: what a generic workflow tool's Odoo node does for each incoming order (n8n's
 * Odoo node is the model): look the customer up, look each product up by its code, create the order
 * with its lines, confirm it. Six calls for a two-line order with a customer lookup, every order on its
 * own. It uses Crossdock's own client, so transport, budget (3 in flight) and timeouts are the same as
 * on the batched side: the difference measured is the number and shape of the calls.
 */
import type { OdooClient } from "../../src/connectors/odoo/odoo-client.ts";
import type { BenchOrder } from "./bench-orders.ts";

export async function placeOrdersOneByOne(
  client: OdooClient,
  orders: readonly BenchOrder[],
  concurrency: number,
): Promise<{ failed: number }> {
  let next = 0;
  let failed = 0;
  const run = async () => {
    while (next < orders.length) {
      const order = orders[next++] as BenchOrder;
      try {
        const [partner] = await client.searchRead<{ id: number }>(
          "res.partner",
          [["email", "=", order.email]],
          ["id"],
          { limit: 1 },
        );
        const lines = [];
        for (const line of order.lines) {
          const [product] = await client.searchRead<{ id: number }>(
            "product.product",
            [["default_code", "=", line.sku]],
            ["id"],
            { limit: 1 },
          );
          lines.push([
            0,
            0,
            { product_id: product?.id, product_uom_qty: line.quantity, price_unit: Number(line.price) },
          ]);
        }
        const id = await client.call<number>({
          model: "sale.order",
          method: "create",
          params: { vals_list: { partner_id: partner?.id, client_order_ref: order.ref, order_line: lines } },
        });
        await client.call({ model: "sale.order", method: "action_confirm", ids: [id] });
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, run));
  return { failed };
}
