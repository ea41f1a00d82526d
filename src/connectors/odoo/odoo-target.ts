/**
 * The Odoo delivery target: one job handler for every Odoo job kind, sharing one client (and so one
 * concurrency budget) per Odoo database. Orders and partners go through batchers, so that many jobs in
 * flight become a few `load`/`action_confirm` calls; the other kinds are one action each.
 *
 * Each job records what Odoo did (ids, names, states) as its result, which is the evidence the trace
 * shows. Odoo's refusals stay business errors with Odoo's own message; nothing is retried that could
 * act twice (see the actions' idempotency notes).
 */
import type { JobHandler } from "../../delivery/job-handler.ts";
import type { JsonValue } from "../../store/store.ts";
import { invoiceOrders, registerPayment } from "./actions/invoicing.ts";
import { createOdooBatches, type OdooBatches } from "./actions/odoo-batches.ts";
import type { PartnerInput } from "./actions/partners.ts";
import { type ValidatePickingInput, validatePicking } from "./actions/pickings.ts";
import { type PurchaseOrderInput, placePurchaseOrders, receivePurchase } from "./actions/purchases.ts";
import type { SaleOrderInput } from "./actions/sale-orders.ts";
import { adjustInventory, cancelOrders, createReturn, type ReturnInput } from "./actions/stock-actions.ts";
import type { OdooClient } from "./odoo-client.ts";
import { checkOdooPayload, ODOO_JOB_KINDS } from "./odoo-job-payloads.ts";

export interface OdooTargetOptions {
  client: OdooClient;
  /** Largest batch of orders (and partners) per Odoo call. Default 100. */
  maxBatch?: number;
  /**
   * Order batches in flight at once. Default 2: with the client's default budget of 3 calls, one slot
   * stays free for every other flow (lookups, deliveries, invoices) while two batches are at Odoo.
   */
  batchConcurrency?: number;
  /** After an idle period, wait this long for more jobs before the first batch leaves. Default 10 ms. */
  lingerMs?: number;
}

export interface OdooTarget {
  readonly handler: JobHandler;
  /** The connection's partner and order batchers, for other users of the connection (flows). */
  readonly batches: OdooBatches;
  close(): Promise<void>;
}

export function createOdooTarget(options: OdooTargetOptions): OdooTarget {
  const { client } = options;
  const batches = createOdooBatches(client, {
    ...(options.maxBatch === undefined ? {} : { maxBatch: options.maxBatch }),
    ...(options.batchConcurrency === undefined ? {} : { orderConcurrency: options.batchConcurrency }),
    ...(options.lingerMs === undefined ? {} : { lingerMs: options.lingerMs }),
  });

  const handler: JobHandler = async (job, ctx) => {
    const signal = ctx.signal;
    const payload = job.payload;
    let result: unknown;
    switch (job.kind) {
      case ODOO_JOB_KINDS.upsertPartner:
        result = {
          partnerId: await batches.partners.submit(checkOdooPayload<PartnerInput>(job.kind, payload)),
        };
        break;
      case ODOO_JOB_KINDS.placeOrder:
        result = await batches.orders.submit(checkOdooPayload<SaleOrderInput>(job.kind, payload));
        break;
      case ODOO_JOB_KINDS.cancelOrder:
        result = await cancelOrders(
          client,
          checkOdooPayload<{ orderIds: number[] }>(job.kind, payload).orderIds,
          signal,
        );
        break;
      case ODOO_JOB_KINDS.validatePicking:
        result = await validatePicking(
          client,
          checkOdooPayload<ValidatePickingInput>(job.kind, payload),
          signal,
        );
        break;
      case ODOO_JOB_KINDS.invoiceOrder:
        result = await invoiceOrders(
          client,
          checkOdooPayload<{ orderIds: number[] }>(job.kind, payload).orderIds,
          signal,
        );
        break;
      case ODOO_JOB_KINDS.registerPayment: {
        const input = checkOdooPayload<{ invoiceIds: number[]; memo?: string }>(job.kind, payload);
        // The job's idempotency key is the payment's memo unless the flow names one.
        result = await registerPayment(client, { ...input, memo: input.memo ?? job.idempotencyKey }, signal);
        break;
      }
      case ODOO_JOB_KINDS.adjustInventory:
        result = await adjustInventory(
          client,
          checkOdooPayload<{ locationId: number; counts: { productId: number; quantity: string }[] }>(
            job.kind,
            payload,
          ),
          signal,
        );
        break;
      case ODOO_JOB_KINDS.placePurchase: {
        const [outcome] = await placePurchaseOrders(
          client,
          [checkOdooPayload<PurchaseOrderInput>(job.kind, payload)],
          {
            signal,
          },
        );
        if (!outcome?.ok) throw outcome?.error;
        result = outcome.value;
        break;
      }
      case ODOO_JOB_KINDS.receivePurchase:
        result = await receivePurchase(
          client,
          checkOdooPayload<{ purchaseId: number; lines: ValidatePickingInput["lines"]; backorder?: boolean }>(
            job.kind,
            payload,
          ),
          signal,
        );
        break;
      case ODOO_JOB_KINDS.createReturn:
        result = await createReturn(client, checkOdooPayload<ReturnInput>(job.kind, payload), signal);
        break;
      default:
        checkOdooPayload(job.kind, payload); // throws CDK_JOB_HANDLER_MISSING with the known kinds
    }
    return { result: result as JsonValue };
  };

  return { handler, batches, close: () => client.close() };
}
