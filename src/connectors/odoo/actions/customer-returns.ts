/**
 * Customer returns in Odoo, one RMA at a time: the return picking of a delivery and the credit note for
 * the goods that came back. Unlike `createReturn` (one return per delivery), several RMAs may return
 * goods of the same delivery, so each return picking and credit note carries the caller's `reference`:
 *
 * - the return picking's `origin` becomes `Return of WH/OUT/00012 (<reference>)`. Odoo's wizard sets
 *   its own origin, so the mark is a second write; a retry after a crash between the two claims the
 *   unmarked, open return of the same delivery with exactly the same products and quantities.
 * - the credit note is made by Odoo's own path for returned goods (`sale.advance.payment.inv` on the
 *   order, whose returned quantities are negative to invoice: Odoo makes an `out_refund`), then its
 *   `ref` is set to the reference and it is posted. A retry finds it by `ref`, or claims a draft credit
 *   note of the order that no Crossdock run marked (the same crash window).
 */
import { CrossdockError } from "../../../core/errors.ts";
import type { OdooClient } from "../odoo-client.ts";
import { toDecimalString } from "../odoo-events.ts";

/** The mark Crossdock writes; anything else on a draft credit note is a person's own work. */
const MARK = "crossdock:";

export interface ReturnPickingInput {
  /** The done delivery the goods are returned from. */
  pickingId: number;
  lines: { productId: number; quantity: string | number }[];
  /** Stable per RMA, e.g. the run key `shop:RMA-7`. */
  reference: string;
}

export interface ReturnPicking {
  returnPickingId: number;
  name: string;
  state: string;
  /** False when a retry found the picking an earlier attempt made. */
  createdNow: boolean;
}

interface PickingRow {
  id: number;
  name: string;
  state: string;
  origin: string | false;
}

export async function createReturnPicking(
  client: OdooClient,
  input: ReturnPickingInput,
  signal?: AbortSignal,
): Promise<ReturnPicking> {
  await client.connect(signal);
  const options = signal === undefined ? {} : { signal };
  const [picking] = await client.read<PickingRow>(
    "stock.picking",
    [input.pickingId],
    ["name", "state", "origin"],
    options,
  );
  if (!picking) {
    throw new CrossdockError("CDK_ODOO_MISSING_RECORD", `picking ${input.pickingId} does not exist`);
  }
  const plain = `Return of ${picking.name}`;
  const marked = `${plain} (${MARK}${input.reference})`;
  const earlier = await client.searchRead<PickingRow>(
    "stock.picking",
    [
      client.dialect.major >= 17 ? ["return_id", "=", picking.id] : ["origin", "=like", `${plain}%`],
      ["state", "!=", "cancel"],
    ],
    ["name", "state", "origin"],
    { ...options, order: "id asc" },
  );
  const mine = earlier.find((p) => p.origin === marked);
  if (mine) return { returnPickingId: mine.id, name: mine.name, state: mine.state, createdNow: false };
  for (const candidate of earlier.filter((p) => p.origin === plain && p.state !== "done")) {
    if (await sameLines(client, candidate.id, input.lines, signal)) {
      await markPicking(client, candidate.id, marked, signal);
      return {
        returnPickingId: candidate.id,
        name: candidate.name,
        state: candidate.state,
        createdNow: false,
      };
    }
  }
  const moves = await client.searchRead<{ id: number; product_id: [number, string] | false }>(
    "stock.move",
    [
      ["picking_id", "=", picking.id],
      ["state", "=", "done"],
    ],
    ["product_id"],
    options,
  );
  const lines = input.lines.map((line) => {
    const move = moves.find((m) => m.product_id && m.product_id[0] === line.productId);
    if (!move) {
      throw new CrossdockError(
        "CDK_ODOO_REJECTED",
        `delivery ${picking.name} did not ship product ${line.productId}`,
        { details: { pickingId: picking.id, productId: line.productId } },
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
    { model: "stock.return.picking", method: client.dialect.createReturnsMethod, ids: [wizard], context },
    options,
  );
  if (typeof action?.res_id !== "number") {
    throw new CrossdockError(
      "CDK_ODOO_PROTOCOL",
      `${client.dialect.createReturnsMethod} did not name the return picking`,
      { details: { answer: JSON.stringify(action).slice(0, 300) } },
    );
  }
  await markPicking(client, action.res_id, marked, signal);
  const [created] = await client.read<PickingRow>(
    "stock.picking",
    [action.res_id],
    ["name", "state"],
    options,
  );
  return {
    returnPickingId: action.res_id,
    name: created?.name ?? "",
    state: created?.state ?? "",
    createdNow: true,
  };
}

async function markPicking(client: OdooClient, id: number, origin: string, signal?: AbortSignal) {
  await client.call(
    { model: "stock.picking", method: "write", ids: [id], params: { vals: { origin } } },
    { safe: true, ...(signal === undefined ? {} : { signal }) },
  );
}

async function sameLines(
  client: OdooClient,
  pickingId: number,
  lines: ReturnPickingInput["lines"],
  signal?: AbortSignal,
): Promise<boolean> {
  const moves = await client.searchRead<{ product_id: [number, string] | false; product_uom_qty: number }>(
    "stock.move",
    [["picking_id", "=", pickingId]],
    ["product_id", "product_uom_qty"],
    signal === undefined ? {} : { signal },
  );
  const key = (rows: { productId: number; quantity: number }[]) =>
    rows
      .map((r) => `${r.productId}:${r.quantity}`)
      .sort()
      .join(",");
  return (
    key(
      moves.map((m) => ({ productId: m.product_id ? m.product_id[0] : 0, quantity: m.product_uom_qty })),
    ) === key(lines.map((l) => ({ productId: l.productId, quantity: Number(l.quantity) })))
  );
}

export interface CreditNoteResult {
  /** Empty when the order had nothing returned left to credit (nothing was invoiced for it). */
  creditNoteIds: number[];
  creditNotes: { id: number; name: string; state: string; amountTotal: string; paymentState: string }[];
  createdNow: boolean;
}

interface MoveRow {
  id: number;
  name: string;
  state: string;
  move_type: string;
  ref: string | false;
  amount_total: number;
  payment_state: string;
}

const MOVE_FIELDS = ["name", "state", "move_type", "ref", "amount_total", "payment_state"];

/**
 * Credits the returned goods of a sale order that Odoo knows about (validated returns lower the
 * delivered quantity) and posts the credit note. Idempotent on `reference`.
 */
export async function creditReturnedGoods(
  client: OdooClient,
  input: { orderId: number; reference: string },
  signal?: AbortSignal,
): Promise<CreditNoteResult> {
  const options = signal === undefined ? {} : { signal };
  const ref = `${MARK}${input.reference}`;
  const refunds = async () => {
    const [order] = await client.read<{ invoice_ids: number[] }>(
      "sale.order",
      [input.orderId],
      ["invoice_ids"],
      options,
    );
    if (!order) {
      throw new CrossdockError("CDK_ODOO_MISSING_RECORD", `sale order ${input.orderId} does not exist`);
    }
    const moves = await client.read<MoveRow>("account.move", order.invoice_ids, MOVE_FIELDS, options);
    return moves.filter((m) => m.move_type === "out_refund" && m.state !== "cancel");
  };
  let createdNow = false;
  let mine = (await refunds()).filter((m) => m.ref === ref);
  if (mine.length === 0) {
    const orphans = (await refunds()).filter(
      (m) => m.state === "draft" && !(typeof m.ref === "string" && m.ref.startsWith(MARK)),
    );
    let claim = orphans.map((m) => m.id);
    if (claim.length === 0) {
      const lines = await client.searchRead<{ qty_to_invoice: number }>(
        "sale.order.line",
        [["order_id", "=", input.orderId]],
        ["qty_to_invoice"],
        options,
      );
      if (!lines.some((line) => line.qty_to_invoice < 0)) {
        return { creditNoteIds: [], creditNotes: [], createdNow: false };
      }
      const before = new Set((await refunds()).map((m) => m.id));
      const context = { active_model: "sale.order", active_ids: [input.orderId], active_id: input.orderId };
      const wizard = await client.call<number>(
        {
          model: "sale.advance.payment.inv",
          method: "create",
          params: {
            vals_list: { advance_payment_method: "delivered", sale_order_ids: [[6, 0, [input.orderId]]] },
          },
          context,
        },
        options,
      );
      await client.call(
        { model: "sale.advance.payment.inv", method: "create_invoices", ids: [wizard], context },
        options,
      );
      claim = (await refunds()).filter((m) => !before.has(m.id)).map((m) => m.id);
      createdNow = true;
    }
    if (claim.length > 0) {
      await client.call(
        { model: "account.move", method: "write", ids: claim, params: { vals: { ref } } },
        { safe: true, ...options },
      );
    }
    mine = (await refunds()).filter((m) => m.ref === ref);
  }
  const drafts = mine.filter((m) => m.state === "draft").map((m) => m.id);
  if (drafts.length > 0) {
    await client.call({ model: "account.move", method: "action_post", ids: drafts }, options);
  }
  const ids = mine.map((m) => m.id);
  const posted = ids.length > 0 ? await client.read<MoveRow>("account.move", ids, MOVE_FIELDS, options) : [];
  return {
    creditNoteIds: ids,
    creditNotes: posted.map((m) => ({
      id: m.id,
      name: m.name,
      state: m.state,
      amountTotal: toDecimalString(m.amount_total, 2),
      paymentState: m.payment_state,
    })),
    createdNow,
  };
}
