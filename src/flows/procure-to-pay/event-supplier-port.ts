/**
 * The `SupplierPort` of procure-to-pay as an event: `send` appends `purchase.ordered` on the purchase's
 * stream (`purchase:<supplier>:<poNumber>`), with the purchase and its Odoo name. Suppliers receive it
 * through an outbound webhook subscription to `purchase.ordered` (docs/webhooks.md), signed with Standard
 * Webhooks, retried and logged; they answer through the REST API (`POST /api/v1/purchases/{id}/
 * acknowledgements`). An EDI supplier (850 over SFTP) will implement the same port.
 *
 * A step's effect and its record are not one transaction: the event carries the step's idempotency key
 * as its `causationId`, and the stream is read for it first, so a step run again sends once.
 */
import type { JsonValue, Store } from "../../store/store.ts";
import type { SupplierPort } from "./procure-to-pay-ports.ts";

export const PURCHASE_ORDERED = "purchase.ordered";

export function createEventSupplierPort(store: Pick<Store, "events">): SupplierPort {
  return {
    async send(request, idempotencyKey) {
      const stream = `purchase:${request.key}`;
      const existing = await store.events.readStream(stream);
      if (!existing.some((e) => e.causationId === idempotencyKey)) {
        await store.events.append([
          {
            stream,
            type: PURCHASE_ORDERED,
            data: {
              key: request.key,
              odooName: request.odooName,
              resend: request.resend,
              purchase: request.purchase as unknown as JsonValue,
            },
            causationId: idempotencyKey,
          },
        ]);
      }
      return { reference: request.odooName };
    },
  };
}
