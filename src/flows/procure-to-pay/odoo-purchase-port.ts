/**
 * The procure-to-pay workflow's Odoo port over one Odoo connection: the supplier and products looked up
 * directly (one search each), the RFQ through `placePurchaseOrders` (external id, so once per key), the
 * rest through the purchase lifecycle actions. Every method is idempotent, as the workflow's retries need.
 */
import {
  approvePurchase,
  billPurchase,
  cancelOpenReceipts,
  cancelPurchase,
  changePurchaseLines,
  confirmPurchase,
  postBills,
  readPurchase,
  receiveNth,
} from "../../connectors/odoo/actions/purchase-lifecycle.ts";
import { placePurchaseOrders } from "../../connectors/odoo/actions/purchases.ts";
import type { OdooClient } from "../../connectors/odoo/odoo-client.ts";
import type { OdooPurchasePort } from "./procure-to-pay-ports.ts";

export function createOdooPurchasePort(options: { client: OdooClient }): OdooPurchasePort {
  const { client } = options;
  return {
    async plan(purchase, supplier) {
      const problems: string[] = [];
      let supplierId = supplier.partnerId;
      if (supplierId === undefined) {
        const byRef = await client.searchRead<{ id: number }>(
          "res.partner",
          [["ref", "=", supplier.code]],
          ["id"],
          {
            limit: 1,
          },
        );
        const byName =
          byRef.length > 0
            ? byRef
            : await client.searchRead<{ id: number }>(
                "res.partner",
                [
                  ["name", "=", purchase.supplier.name],
                  ["is_company", "=", true],
                ],
                ["id"],
                { limit: 1 },
              );
        supplierId = byName[0]?.id;
        if (supplierId === undefined) {
          problems.push(
            `supplier: no partner with ref ${supplier.code} or company name ${purchase.supplier.name}`,
          );
        }
      }
      const skus = [...new Set(purchase.lines.map((l) => l.sku))];
      const products = await client.searchRead<{ id: number; default_code: string }>(
        "product.product",
        [["default_code", "in", skus]],
        ["default_code"],
      );
      const productBySku: Record<string, number> = {};
      for (const product of products) productBySku[product.default_code] = product.id;
      purchase.lines.forEach((line, index) => {
        if (productBySku[line.sku] === undefined)
          problems.push(`lines/${index}/sku ${line.sku} is not a product in Odoo`);
      });
      if (problems.length > 0 || supplierId === undefined) return { ok: false, problems };
      return { ok: true, supplierId, productBySku };
    },
    async createRfq(input) {
      const [outcome] = await placePurchaseOrders(client, [input], { confirm: false });
      if (!outcome?.ok) throw outcome?.error ?? new Error(`purchase ${input.key} was not placed`);
      return outcome.value;
    },
    read: (id) => readPurchase(client, id),
    confirm: (id) => confirmPurchase(client, id),
    approve: (id) => approvePurchase(client, id),
    cancel: (id) => cancelPurchase(client, id),
    changeLines: (id, changes) => changePurchaseLines(client, id, changes),
    receive: (input) => receiveNth(client, input),
    cancelOpenReceipts: (id) => cancelOpenReceipts(client, id),
    bill: (id) => billPurchase(client, id),
    postBills: (input) => postBills(client, input),
  };
}
