/**
 * Invoices and payments. Both are money: every step first reads what Odoo already has, so a retry after
 * a lost answer continues where the first attempt stopped instead of invoicing or paying twice.
 *
 * Invoicing (Odoo's own path): `sale.advance.payment.inv` wizard with the orders, `create_invoices`,
 * then `action_post` on the drafts. Odoo refuses to invoice products invoiced on delivered quantities
 * before delivery (`CDK_ODOO_REJECTED`, Odoo's message kept).
 *
 * Payments: `account.payment.register` in the invoices' context, `action_create_payments`. The memo
 * carries the hub's idempotency key; a payment with that memo means the job already ran.
 */
import type { OdooClient } from "../odoo-client.ts";
import { toDecimalString } from "../odoo-events.ts";

export interface InvoiceResult {
  invoiceIds: number[];
  /** Invoices posted by this call (others were posted before). */
  postedNow: number[];
  invoices: { id: number; name: string; state: string; amountTotal: string; paymentState: string }[];
}

interface MoveRow {
  id: number;
  name: string;
  state: string;
  move_type: string;
  amount_total: number;
  amount_residual: number;
  payment_state: string;
}

const MOVE_FIELDS = ["name", "state", "move_type", "amount_total", "amount_residual", "payment_state"];

export async function invoiceOrders(
  client: OdooClient,
  orderIds: readonly number[],
  signal?: AbortSignal,
): Promise<InvoiceResult> {
  const options = signal === undefined ? {} : { signal };
  const orders = await client.read<{ id: number; invoice_status: string; invoice_ids: number[] }>(
    "sale.order",
    orderIds,
    ["invoice_status", "invoice_ids"],
    options,
  );
  const toInvoice = orders.filter((order) => order.invoice_status !== "invoiced").map((order) => order.id);
  let invoiceIds = orders.flatMap((order) => order.invoice_ids);
  if (toInvoice.length > 0) {
    const context = { active_model: "sale.order", active_ids: toInvoice, active_id: toInvoice[0] };
    const wizard = await client.call<number>(
      {
        model: "sale.advance.payment.inv",
        method: "create",
        params: { vals_list: { advance_payment_method: "delivered", sale_order_ids: [[6, 0, toInvoice]] } },
        context,
      },
      options,
    );
    await client.call(
      { model: "sale.advance.payment.inv", method: "create_invoices", ids: [wizard], context },
      options,
    );
    const again = await client.read<{ invoice_ids: number[] }>(
      "sale.order",
      orderIds,
      ["invoice_ids"],
      options,
    );
    invoiceIds = [...new Set(again.flatMap((order) => order.invoice_ids))];
  }
  const moves = await client.read<MoveRow>("account.move", invoiceIds, MOVE_FIELDS, options);
  const drafts = moves.filter((m) => m.state === "draft" && m.move_type === "out_invoice").map((m) => m.id);
  if (drafts.length > 0)
    await client.call({ model: "account.move", method: "action_post", ids: drafts }, options);
  const posted =
    drafts.length > 0 ? await client.read<MoveRow>("account.move", invoiceIds, MOVE_FIELDS, options) : moves;
  return {
    invoiceIds,
    postedNow: drafts,
    invoices: posted.map((m) => ({
      id: m.id,
      name: m.name,
      state: m.state,
      amountTotal: toDecimalString(m.amount_total, 2),
      paymentState: m.payment_state,
    })),
  };
}

export interface PaymentInput {
  invoiceIds: number[];
  /** Amount as a decimal string; absent = the invoices' residual. */
  amount?: string;
  /** `YYYY-MM-DD`. */
  date?: string;
  journalId?: number;
  /** The hub's idempotency key for this payment; stored as the payment's memo. */
  memo: string;
}

export interface PaymentResult {
  paymentIds: number[];
  /** False when a payment with this memo already existed. */
  createdNow: boolean;
  invoices: { id: number; paymentState: string; amountResidual: string }[];
}

export async function registerPayment(
  client: OdooClient,
  input: PaymentInput,
  signal?: AbortSignal,
): Promise<PaymentResult> {
  await client.connect(signal);
  const options = signal === undefined ? {} : { signal };
  const memoField = client.dialect.paymentMemo;
  const findPayments = () =>
    client.searchRead<{ id: number }>("account.payment", [[memoField, "=", input.memo]], ["id"], options);
  const readInvoices = async () =>
    (await client.read<MoveRow>("account.move", input.invoiceIds, MOVE_FIELDS, options)).map((m) => ({
      id: m.id,
      paymentState: m.payment_state,
      amountResidual: toDecimalString(m.amount_residual, 2),
    }));
  const existing = await findPayments();
  if (existing.length > 0) {
    return { paymentIds: existing.map((p) => p.id), createdNow: false, invoices: await readInvoices() };
  }
  const context = {
    active_model: "account.move",
    active_ids: input.invoiceIds,
    active_id: input.invoiceIds[0],
  };
  const vals: Record<string, unknown> = { communication: input.memo };
  if (input.amount !== undefined) vals.amount = Number(input.amount);
  if (input.date !== undefined) vals.payment_date = input.date;
  if (input.journalId !== undefined) vals.journal_id = input.journalId;
  const wizard = await client.call<number>(
    { model: "account.payment.register", method: "create", params: { vals_list: vals }, context },
    options,
  );
  await client.call(
    { model: "account.payment.register", method: "action_create_payments", ids: [wizard], context },
    options,
  );
  return {
    paymentIds: (await findPayments()).map((p) => p.id),
    createdNow: true,
    invoices: await readInvoices(),
  };
}
