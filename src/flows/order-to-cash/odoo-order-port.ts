/**
 * The order-to-cash workflow's Odoo port over one Odoo connection: plans from the master data cache,
 * partners and orders through batchers (so the runs in flight share `load` and `action_confirm` calls),
 * the other actions one call set each. Every method is idempotent, as the workflow's retries need.
 */
import { readInvoiceDocuments } from "../../connectors/odoo/actions/invoice-documents.ts";
import { invoiceOrders, registerPayment } from "../../connectors/odoo/actions/invoicing.ts";
import { createOdooBatches, type OdooBatches } from "../../connectors/odoo/actions/odoo-batches.ts";
import { validatePicking } from "../../connectors/odoo/actions/pickings.ts";
import { cancelOrders } from "../../connectors/odoo/actions/stock-actions.ts";
import type { OdooClient } from "../../connectors/odoo/odoo-client.ts";
import { toDecimalString } from "../../connectors/odoo/odoo-events.ts";
import {
  type OrderPlanLookups,
  type OrderPlanOptions,
  planOdooOrder,
} from "../../connectors/odoo/odoo-order-plan.ts";
import type { OdooOrderPort } from "./order-to-cash-ports.ts";

export function createOdooOrderPort(options: {
  client: OdooClient;
  lookups: OrderPlanLookups;
  /** Resolves when `lookups` is loaded (the connection's master data cache). */
  ready?: () => Promise<void>;
  plan?: OrderPlanOptions;
  /** The connection's shared batchers (its job target's), so flows and jobs batch together. */
  batches?: OdooBatches;
  /** The Odoo connection's name (the system of the documents' refs); default `odoo`. */
  connection?: string;
  now?: () => number;
}): OdooOrderPort {
  const { client } = options;
  const batches = options.batches ?? createOdooBatches(client);
  return {
    ...(options.ready ? { ready: options.ready } : {}),
    plan: (order) => planOdooOrder(order, options.lookups, options.plan),
    upsertPartners: (items) => Promise.all(items.map((item) => batches.partners.submit(item))),
    placeOrder: (order) => batches.orders.submit(order),
    cancelOrders: (ids) => cancelOrders(client, ids),
    async creditExposure(partnerId) {
      const [partner] = await client.read<{ commercial_partner_id: [number, string] | false }>(
        "res.partner",
        [partnerId],
        ["commercial_partner_id"],
      );
      const commercial = partner?.commercial_partner_id ? partner.commercial_partner_id[0] : partnerId;
      const [entity] = await client.read<{ credit: number; credit_limit: number }>(
        "res.partner",
        [commercial],
        ["credit", "credit_limit"],
      );
      return {
        credit: toDecimalString(entity?.credit ?? 0),
        limit: toDecimalString(entity?.credit_limit ?? 0),
      };
    },
    async pickings(orderId) {
      const [order] = await client.read<{ picking_ids: number[] }>("sale.order", [orderId], ["picking_ids"]);
      if (!order || order.picking_ids.length === 0) return [];
      const rows = await client.read<{ id: number; state: string; carrier_tracking_ref: string | false }>(
        "stock.picking",
        order.picking_ids,
        ["state", "carrier_tracking_ref"],
      );
      return rows
        .map((p) => ({ id: p.id, state: p.state, trackingRef: p.carrier_tracking_ref || null }))
        .sort((a, b) => a.id - b.id);
    },
    validatePicking: (input) => validatePicking(client, input),
    async cancelPickings(ids) {
      if (ids.length === 0) return;
      const rows = await client.read<{ id: number; state: string }>("stock.picking", ids, ["state"]);
      const open = rows.filter((p) => p.state !== "done" && p.state !== "cancel").map((p) => p.id);
      if (open.length > 0) await client.call({ model: "stock.picking", method: "action_cancel", ids: open });
    },
    invoice: (ids) => invoiceOrders(client, ids),
    invoiceDocuments: (ids, order) =>
      readInvoiceDocuments(client, ids, {
        order,
        system: options.connection ?? "odoo",
        now: options.now ?? Date.now,
        ...(options.plan?.shippingProductSku ? { shippingSku: options.plan.shippingProductSku } : {}),
      }),
    registerPayment: (input) => registerPayment(client, input),
  };
}
