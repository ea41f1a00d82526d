/**
 * The `SupplierPort` of procure-to-pay as an event: `send` appends `purchase.ordered` on the purchase's
 * stream (`purchase:<supplier>:<poNumber>`), with the purchase and its Odoo name. Suppliers receive it
 * through an outbound webhook subscription to `purchase.ordered` (docs/webhooks.md), signed with Standard
 * Webhooks, retried and logged; they answer through the REST API (`POST /api/v1/purchases/{id}/
 * acknowledgements`). An EDI supplier (850 over SFTP) will implement the same port.
 *
 * A step run again after a crash sends once (`appendOnce`).
 */
import type { JsonValue, Store } from "../../store/store.ts";
import { appendOnce } from "../append-once.ts";
import type { SupplierPort } from "./procure-to-pay-ports.ts";

export const PURCHASE_ORDERED = "purchase.ordered";

export function createEventSupplierPort(store: Pick<Store, "events">): SupplierPort {
  return {
    async send(request, idempotencyKey) {
      const data = {
        key: request.key,
        odooName: request.odooName,
        resend: request.resend,
        purchase: request.purchase as unknown as JsonValue,
      };
      await appendOnce(
        store,
        { stream: `purchase:${request.key}`, type: PURCHASE_ORDERED, data },
        idempotencyKey,
      );
      return { reference: request.odooName };
    },
  };
}
