/**
 * The rest of a purchase order's life after `placePurchaseOrders`: confirmation (and Odoo's second
 * approval), the supplier's changes written to the lines, cancellation, receipts counted one by one,
 * and vendor bills. Each function reads first and writes absolute values, so a retry after a lost answer
 * changes nothing the first attempt already did.
 */
import { CrossdockError } from "../../../core/errors.ts";
import type { OdooClient } from "../odoo-client.ts";
import { toDecimalString } from "../odoo-events.ts";
import { type PickedLine, type ValidatedPicking, validatePicking } from "./pickings.ts";

type Many2one = [number, string] | false;

export interface PurchaseLineState {
  lineId: number;
  productId: number;
  ordered: number;
  received: number;
  billed: number;
  priceUnit: string;
  datePlanned: string | null;
}

export interface PurchaseState {
  purchaseId: number;
  name: string;
  /** `draft`, `sent`, `to approve`, `purchase`, `done`, `cancel`. */
  state: string;
  lines: PurchaseLineState[];
  /** Incoming pickings (not returns), oldest first. */
  receipts: { id: number; name: string; state: string }[];
}

export async function readPurchase(
  client: OdooClient,
  purchaseId: number,
  signal?: AbortSignal,
): Promise<PurchaseState> {
  const options = signal === undefined ? {} : { signal };
  const [order] = await client.read<{ id: number; name: string; state: string; picking_ids: number[] }>(
    "purchase.order",
    [purchaseId],
    ["name", "state", "picking_ids"],
    options,
  );
  if (!order) {
    throw new CrossdockError("CDK_ODOO_MISSING_RECORD", `purchase order ${purchaseId} does not exist`);
  }
  const lines = await client.searchRead<{
    id: number;
    product_id: Many2one;
    product_qty: number;
    qty_received: number;
    qty_invoiced: number;
    price_unit: number;
    date_planned: string | false;
  }>(
    "purchase.order.line",
    [["order_id", "=", purchaseId]],
    ["product_id", "product_qty", "qty_received", "qty_invoiced", "price_unit", "date_planned"],
    { ...options, order: "id asc" },
  );
  const pickings = await client.read<{ id: number; name: string; state: string; picking_type_code: string }>(
    "stock.picking",
    order.picking_ids,
    ["name", "state", "picking_type_code"],
    options,
  );
  return {
    purchaseId,
    name: order.name,
    state: order.state,
    lines: lines.map((l) => ({
      lineId: l.id,
      productId: l.product_id ? l.product_id[0] : 0,
      ordered: l.product_qty,
      received: l.qty_received,
      billed: l.qty_invoiced,
      priceUnit: toDecimalString(l.price_unit, 6),
      datePlanned: l.date_planned || null,
    })),
    receipts: pickings
      .filter((p) => p.picking_type_code === "incoming")
      .map((p) => ({ id: p.id, name: p.name, state: p.state }))
      .sort((a, b) => a.id - b.id),
  };
}

/** `button_confirm` on an RFQ; answers the order's state (`purchase`, or `to approve`). */
export async function confirmPurchase(client: OdooClient, purchaseId: number, signal?: AbortSignal) {
  const options = signal === undefined ? {} : { signal };
  const before = await readPurchase(client, purchaseId, signal);
  if (before.state === "draft" || before.state === "sent") {
    await client.call({ model: "purchase.order", method: "button_confirm", ids: [purchaseId] }, options);
  }
  return (await readPurchase(client, purchaseId, signal)).state;
}

/** `button_approve` on an order waiting for Odoo's second approval (the bot user needs the right). */
export async function approvePurchase(client: OdooClient, purchaseId: number, signal?: AbortSignal) {
  const options = signal === undefined ? {} : { signal };
  const before = await readPurchase(client, purchaseId, signal);
  if (before.state === "to approve") {
    await client.call({ model: "purchase.order", method: "button_approve", ids: [purchaseId] }, options);
  }
  return (await readPurchase(client, purchaseId, signal)).state;
}

/** `button_cancel`; Odoo refuses (UserError) once a receipt is done. Already cancelled: nothing to do. */
export async function cancelPurchase(client: OdooClient, purchaseId: number, signal?: AbortSignal) {
  const before = await readPurchase(client, purchaseId, signal);
  if (before.state === "cancel") return;
  await client.call(
    { model: "purchase.order", method: "button_cancel", ids: [purchaseId] },
    signal === undefined ? {} : { signal },
  );
}

export interface PurchaseLineChange {
  lineId: number;
  quantity?: string | number;
  priceUnit?: string | number;
  /** `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS` (UTC). */
  datePlanned?: string;
}

/**
 * Writes the supplier's changes to the order's lines in one call: on a confirmed order Odoo moves the
 * open receipt with the quantities (less: smaller or cancelled moves; more: larger ones).
 */
export async function changePurchaseLines(
  client: OdooClient,
  purchaseId: number,
  changes: readonly PurchaseLineChange[],
  signal?: AbortSignal,
): Promise<void> {
  const commands = changes
    .map((change) => {
      const vals: Record<string, unknown> = {};
      if (change.quantity !== undefined) vals.product_qty = Number(change.quantity);
      if (change.priceUnit !== undefined) vals.price_unit = Number(change.priceUnit);
      if (change.datePlanned !== undefined) {
        vals.date_planned =
          change.datePlanned.length === 10 ? `${change.datePlanned} 00:00:00` : change.datePlanned;
      }
      return [1, change.lineId, vals];
    })
    .filter((command) => Object.keys(command[2] as object).length > 0);
  if (commands.length === 0) return;
  await client.call(
    {
      model: "purchase.order",
      method: "write",
      ids: [purchaseId],
      params: { vals: { order_line: commands } },
    },
    { safe: true, ...(signal === undefined ? {} : { signal }) },
  );
}

/**
 * Validates the order's `n`-th receipt (1-based) with what was counted. Receipts of one order are
 * validated in order by one workflow run, so when `n` receipts are already done the n-th is this call's
 * earlier attempt, answered without touching Odoo again.
 */
export async function receiveNth(
  client: OdooClient,
  input: { purchaseId: number; n: number; lines: PickedLine[]; backorder: boolean },
  signal?: AbortSignal,
): Promise<ValidatedPicking> {
  const order = await readPurchase(client, input.purchaseId, signal);
  const done = order.receipts.filter((p) => p.state === "done");
  const already = done[input.n - 1];
  if (already) {
    return validatePicking(client, { pickingId: already.id, lines: [] }, signal);
  }
  const open = order.receipts.find((p) => p.state !== "done" && p.state !== "cancel");
  if (!open) {
    throw new CrossdockError(
      "CDK_ODOO_REJECTED",
      `purchase order ${order.name} has no receipt left to validate`,
      {
        details: { purchaseId: input.purchaseId, receipt: input.n },
      },
    );
  }
  return validatePicking(
    client,
    { pickingId: open.id, lines: input.lines, backorder: input.backorder },
    signal,
  );
}

/** Cancels the order's receipts that are not done (nothing more will come). */
export async function cancelOpenReceipts(client: OdooClient, purchaseId: number, signal?: AbortSignal) {
  const order = await readPurchase(client, purchaseId, signal);
  const open = order.receipts.filter((p) => p.state !== "done" && p.state !== "cancel").map((p) => p.id);
  if (open.length > 0) {
    await client.call(
      { model: "stock.picking", method: "action_cancel", ids: open },
      signal === undefined ? {} : { signal },
    );
  }
  return open;
}

export interface VendorBill {
  id: number;
  name: string;
  state: string;
  amountTotal: string;
  lines: { purchaseLineId: number | null; productId: number | null; quantity: number; priceUnit: string }[];
}

async function billsOf(client: OdooClient, orderName: string, signal?: AbortSignal): Promise<VendorBill[]> {
  const options = signal === undefined ? {} : { signal };
  const moves = await client.searchRead<{ id: number; name: string; state: string; amount_total: number }>(
    "account.move",
    [
      ["move_type", "=", "in_invoice"],
      ["invoice_origin", "=", orderName],
      ["state", "!=", "cancel"],
    ],
    ["name", "state", "amount_total"],
    { ...options, order: "id asc" },
  );
  if (moves.length === 0) return [];
  const lines = await client.searchRead<{
    move_id: Many2one;
    purchase_line_id: Many2one;
    product_id: Many2one;
    quantity: number;
    price_unit: number;
  }>(
    "account.move.line",
    [["move_id", "in", moves.map((m) => m.id)]],
    ["move_id", "purchase_line_id", "product_id", "quantity", "price_unit"],
    options,
  );
  return moves.map((m) => ({
    id: m.id,
    name: m.name,
    state: m.state,
    amountTotal: toDecimalString(m.amount_total, 2),
    lines: lines
      .filter((l) => l.move_id && l.move_id[0] === m.id)
      .map((l) => ({
        purchaseLineId: l.purchase_line_id ? l.purchase_line_id[0] : null,
        productId: l.product_id ? l.product_id[0] : null,
        quantity: l.quantity,
        priceUnit: toDecimalString(l.price_unit, 6),
      })),
  }));
}

/**
 * The order's vendor bills, after `action_create_invoice` for what is received and not billed yet
 * (none is made when every received quantity is billed: a retry finds the bill by its origin).
 */
export async function billPurchase(
  client: OdooClient,
  purchaseId: number,
  signal?: AbortSignal,
): Promise<VendorBill[]> {
  const order = await readPurchase(client, purchaseId, signal);
  if (order.lines.some((l) => l.received > l.billed)) {
    await client.call(
      { model: "purchase.order", method: "action_create_invoice", ids: [purchaseId] },
      signal === undefined ? {} : { signal },
    );
  }
  return billsOf(client, order.name, signal);
}

/**
 * Posts draft bills, with the bill date Odoo requires on vendor bills (`invoice_date`, 16/17 refuse to
 * post without it) when they have none.
 */
export async function postBills(
  client: OdooClient,
  input: { billIds: number[]; billDate: string },
  signal?: AbortSignal,
): Promise<{ postedNow: number[] }> {
  const options = signal === undefined ? {} : { signal };
  const moves = await client.read<{ id: number; state: string; invoice_date: string | false }>(
    "account.move",
    input.billIds,
    ["state", "invoice_date"],
    options,
  );
  const drafts = moves.filter((m) => m.state === "draft");
  const undated = drafts.filter((m) => !m.invoice_date).map((m) => m.id);
  if (undated.length > 0) {
    await client.call(
      {
        model: "account.move",
        method: "write",
        ids: undated,
        params: { vals: { invoice_date: input.billDate } },
      },
      { safe: true, ...options },
    );
  }
  if (drafts.length > 0) {
    await client.call(
      { model: "account.move", method: "action_post", ids: drafts.map((m) => m.id) },
      options,
    );
  }
  return { postedNow: drafts.map((m) => m.id) };
}
