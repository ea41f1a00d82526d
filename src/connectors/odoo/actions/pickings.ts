/**
 * Validates a picking (a delivery to a customer, or a receipt from a supplier) with the quantities the
 * warehouse reported, lots and the carrier's tracking reference. Idempotent: a picking already done is
 * reported as done without another call that could fail; quantities are written as absolute values, so
 * writing them again after a lost answer changes nothing.
 *
 * Calls: read the picking, read its moves, one `write` (tracking ref + every move's quantity through
 * one2many commands), `button_validate` with the context that skips the SMS and backorder wizards (and
 * 16's immediate-transfer one), any wizard Odoo still answers with, then one read of the result.
 */
import { CrossdockError } from "../../../core/errors.ts";
import type { OdooClient } from "../odoo-client.ts";
import { answerWizards } from "./odoo-wizards.ts";

export interface PickedLine {
  productId: number;
  quantity: string | number;
  /** Lot or serial numbers with their quantities, for tracked products. */
  lots?: { name: string; quantity: string | number }[];
}

export interface ValidatePickingInput {
  pickingId: number;
  lines: PickedLine[];
  trackingRef?: string;
  carrierId?: number;
  /** What happens to quantities not shipped: a backorder (default) or cancelled. */
  backorder?: boolean;
}

export interface ValidatedPicking {
  pickingId: number;
  name: string;
  state: string;
  /** Pickings Odoo created for the remainder. */
  backorderIds: number[];
  /** False when the picking was already done before this call (a retry). */
  validatedNow: boolean;
}

interface MoveRow {
  id: number;
  product_id: [number, string] | false;
  product_uom_qty: number;
  state: string;
  location_id: [number, string] | false;
  location_dest_id: [number, string] | false;
}

export async function validatePicking(
  client: OdooClient,
  input: ValidatePickingInput,
  signal?: AbortSignal,
): Promise<ValidatedPicking> {
  await client.connect(signal);
  const dialect = client.dialect;
  const options = signal === undefined ? {} : { signal };
  const picking = await readPicking(client, input.pickingId, signal);
  if (picking.state === "done") return { ...(await result(client, picking, signal)), validatedNow: false };
  if (picking.state === "cancel") {
    throw new CrossdockError("CDK_ODOO_REJECTED", `picking ${picking.name} is cancelled`, {
      details: { pickingId: input.pickingId, odoo: { name: "picking.cancelled", message: "cancelled" } },
    });
  }
  const moves = await client.searchRead<MoveRow>(
    "stock.move",
    [["picking_id", "=", input.pickingId]],
    ["product_id", "product_uom_qty", "state", "location_id", "location_dest_id"],
    options,
  );
  const wanted = new Map<number, PickedLine>();
  for (const line of input.lines) {
    if (!moves.some((move) => move.product_id && move.product_id[0] === line.productId)) {
      throw new CrossdockError(
        "CDK_ODOO_REJECTED",
        `picking ${picking.name} has no move for product ${line.productId}`,
        { details: { pickingId: input.pickingId, productId: line.productId } },
      );
    }
    wanted.set(line.productId, line);
  }
  const commands = moves
    .filter((move) => move.state !== "done" && move.state !== "cancel")
    .map((move) => {
      const line = move.product_id ? wanted.get(move.product_id[0]) : undefined;
      wanted.delete(move.product_id ? move.product_id[0] : -1);
      const quantity = line ? Number(line.quantity) : 0;
      const vals: Record<string, unknown> = { [dialect.moveDoneQuantity]: quantity };
      if (dialect.moveHasPicked) vals.picked = quantity > 0;
      if (line?.lots && line.lots.length > 0) {
        vals.move_line_ids = [
          [5, 0, 0],
          ...line.lots.map((lot) => [
            0,
            0,
            {
              lot_name: lot.name,
              [dialect.moveLineQuantity]: Number(lot.quantity),
              product_id: move.product_id ? move.product_id[0] : false,
              location_id: move.location_id ? move.location_id[0] : false,
              location_dest_id: move.location_dest_id ? move.location_dest_id[0] : false,
            },
          ]),
        ];
        delete vals[dialect.moveDoneQuantity];
      }
      return [1, move.id, vals];
    });
  const pickingVals: Record<string, unknown> = { move_ids: commands };
  if (input.trackingRef !== undefined) pickingVals.carrier_tracking_ref = input.trackingRef;
  if (input.carrierId !== undefined) pickingVals.carrier_id = input.carrierId;
  await client.call(
    { model: "stock.picking", method: "write", ids: [input.pickingId], params: { vals: pickingVals } },
    { safe: true, ...options },
  );
  const backorder = input.backorder ?? true;
  const context = dialect.validateContext({ backorder, pickingIds: [input.pickingId] });
  const answer = await client.call(
    { model: "stock.picking", method: "button_validate", ids: [input.pickingId], context },
    options,
  );
  await answerWizards(client, answer, { backorder, pickingIds: [input.pickingId] }, signal);
  const after = await readPicking(client, input.pickingId, signal);
  return { ...(await result(client, after, signal)), validatedNow: true };
}

interface PickingRow {
  id: number;
  name: string;
  state: string;
}

async function readPicking(client: OdooClient, id: number, signal?: AbortSignal): Promise<PickingRow> {
  const [row] = await client.read<PickingRow>(
    "stock.picking",
    [id],
    ["name", "state"],
    signal === undefined ? {} : { signal },
  );
  if (!row) {
    throw new CrossdockError("CDK_ODOO_MISSING_RECORD", `picking ${id} does not exist in Odoo`, {
      details: { pickingId: id },
    });
  }
  return row;
}

async function result(client: OdooClient, picking: PickingRow, signal?: AbortSignal) {
  const backorders = await client.searchRead<{ id: number }>(
    "stock.picking",
    [["backorder_id", "=", picking.id]],
    ["id"],
    signal === undefined ? {} : { signal },
  );
  return {
    pickingId: picking.id,
    name: picking.name,
    state: picking.state,
    backorderIds: backorders.map((b) => b.id),
  };
}
