import { f, type MethodDef, type ModelDef, type Row } from "../model-def.ts";
import { userError } from "../odoo-error.ts";
import type { OrmEnv } from "../orm-env.ts";
import type { VersionProfile } from "../version-profile.ts";
import { createPicking, PICKING_TYPE } from "./stock-logic.ts";
import { buttonValidate } from "./stock-validate.ts";

/** Pickings a validation wizard works on: its `pick_ids`, else the context's button_validate_picking_ids. */
function wizardPickings(env: OrmEnv, model: string, ids: number[]): number[] {
  const wizards = env.ensureExist(model, ids);
  const fromWizard = wizards.flatMap((w) => (w.pick_ids as number[]) ?? []);
  const fromContext = env.context.button_validate_picking_ids;
  return fromWizard.length ? fromWizard : Array.isArray(fromContext) ? (fromContext as number[]) : [];
}

const wizardMethod = (owner: string, run: (env: OrmEnv, ids: number[]) => unknown): MethodDef => ({
  owner,
  multi: true,
  params: [],
  operation: "write",
  run: (env, ids) => run(env, ids),
});

/** Re-validates the pickings the wizard was opened for (all of them, as Odoo does). */
function revalidate(env: OrmEnv, model: string, ids: number[], extra: Record<string, unknown>): unknown {
  const all = Array.isArray(env.context.button_validate_picking_ids)
    ? (env.context.button_validate_picking_ids as number[])
    : wizardPickings(env, model, ids);
  return buttonValidate(env.withContext(extra), all);
}

function defaultReturnLines(env: OrmEnv, picking: Row): unknown[] {
  return env
    .find("stock.move", [
      ["picking_id", "=", picking.id],
      ["state", "=", "done"],
    ])
    .map((m) => [0, 0, { product_id: m.product_id, quantity: Number(m.product_uom_qty), move_id: m.id }]);
}

function createReturns(env: OrmEnv, ids: number[]): Record<string, unknown> {
  const [wizard] = env.ensureExist("stock.return.picking", ids.slice(0, 1));
  if (!wizard) throw userError("No return wizard.");
  const picking = env.get("stock.picking", wizard.picking_id as number);
  if (picking.state !== "done") throw userError("You may only return Done pickings.");
  const lines = env
    .find("stock.return.picking.line", [["wizard_id", "=", wizard.id]])
    .filter((l) => Number(l.quantity) > 0);
  if (!lines.length) throw userError("Please specify at least one non-zero quantity.");
  const type = env.get("stock.picking.type", picking.picking_type_id as number);
  const returnType = (type.return_picking_type_id as number) || PICKING_TYPE.returns;
  const vals: Record<string, unknown> = {
    partner_id: picking.partner_id,
    origin: `Return of ${picking.name}`,
    location_id: picking.location_dest_id,
    location_dest_id: picking.location_id,
    sale_id: picking.sale_id,
    purchase_id: picking.purchase_id,
  };
  if (env.profile.returnId) vals.return_id = picking.id;
  const newId = createPicking(
    env.withExactContext({}),
    returnType,
    vals,
    lines.map((l) => {
      const move = l.move_id ? env.get("stock.move", l.move_id as number) : undefined;
      return {
        product_id: l.product_id as number,
        qty: Number(l.quantity),
        origin_returned_move_id: move?.id,
        sale_line_id: (move?.sale_line_id as number) || undefined,
        purchase_line_id: (move?.purchase_line_id as number) || undefined,
      };
    }),
  );
  return {
    name: "Returned Picking",
    view_mode: "form,tree",
    res_model: "stock.picking",
    res_id: newId,
    type: "ir.actions.act_window",
    context: { ...env.context },
  };
}

/** The validation wizards (backorder, SMS, 16's immediate transfer) and the return wizard. */
export function stockWizardModels(profile: VersionProfile): ModelDef[] {
  const models: ModelDef[] = [
    {
      name: "stock.backorder.confirmation",
      description: "Backorder Confirmation",
      transient: true,
      fields: {
        pick_ids: f.m2m("stock.picking"),
        show_transfers: f.bool("Show Transfers", { default: false }),
      },
      methods: {
        process: wizardMethod("StockBackorderConfirmation", (env, ids) =>
          revalidate(env, "stock.backorder.confirmation", ids, { skip_backorder: true }),
        ),
        process_cancel_backorder: wizardMethod("StockBackorderConfirmation", (env, ids) =>
          revalidate(env, "stock.backorder.confirmation", ids, {
            skip_backorder: true,
            picking_ids_not_to_backorder: wizardPickings(env, "stock.backorder.confirmation", ids),
          }),
        ),
      },
    },
    {
      name: "confirm.stock.sms",
      description: "Confirm Stock SMS",
      transient: true,
      fields: { pick_ids: f.m2m("stock.picking"), company_id: f.m2o("res.company", { default: 1 }) },
      methods: {
        send_sms: wizardMethod("ConfirmStockSms", (env, ids) => {
          env.update("res.company", [1], { has_received_warning_stock_sms: true });
          return revalidate(env, "confirm.stock.sms", ids, { skip_sms: true });
        }),
        dont_send_sms: wizardMethod("ConfirmStockSms", (env, ids) => {
          env.update("res.company", [1], {
            has_received_warning_stock_sms: true,
            stock_move_sms_validation: false,
          });
          return revalidate(env, "confirm.stock.sms", ids, { skip_sms: true });
        }),
      },
    },
    {
      name: "stock.return.picking",
      description: "Return Picking",
      transient: true,
      fields: {
        picking_id: f.m2o("stock.picking"),
        product_return_moves: f.o2m("stock.return.picking.line", "wizard_id", { string: "Moves" }),
        location_id: f.m2o("stock.location", { string: "Return Location" }),
      },
      beforeCreate: (env, vals) => {
        if (!vals.picking_id) {
          const active =
            env.context.active_model === "stock.picking" || env.context.active_model === undefined;
          const id =
            env.context.active_id ??
            (Array.isArray(env.context.active_ids) ? env.context.active_ids[0] : undefined);
          if (!active || typeof id !== "number") throw userError("Please select a transfer to return.");
          vals.picking_id = id;
        }
        const picking = env.get("stock.picking", Number(vals.picking_id));
        if (picking.state !== "done") throw userError("You may only return Done pickings.");
        if (vals.product_return_moves === undefined)
          vals.product_return_moves = defaultReturnLines(env, picking);
      },
      methods: {
        [profile.returnsMethod]: wizardMethod("StockReturnPicking", (env, ids) => createReturns(env, ids)),
      },
    },
    {
      name: "stock.return.picking.line",
      description: "Return Picking Line",
      transient: true,
      fields: {
        wizard_id: f.m2o("stock.return.picking", { ondelete: "cascade" }),
        product_id: f.m2o("product.product", { required: true }),
        quantity: f.float("Quantity", { default: 0 }),
        move_id: f.m2o("stock.move"),
        uom_id: f.m2o("uom.uom", { default: 1 }),
        to_refund: f.bool("Update quantities on SO/PO", { default: true }),
      },
    },
  ];
  if (profile.immediateTransfer) {
    models.push({
      name: "stock.immediate.transfer",
      description: "Immediate Transfer",
      transient: true,
      fields: {
        pick_ids: f.m2m("stock.picking"),
        show_transfers: f.bool("Show Transfers", { default: false }),
      },
      methods: {
        process: wizardMethod("StockImmediateTransfer", (env, ids) => {
          for (const pickingId of wizardPickings(env, "stock.immediate.transfer", ids)) {
            for (const move of env.find("stock.move", [
              ["picking_id", "=", pickingId],
              ["state", "not in", ["done", "cancel"]],
            ])) {
              env.write("stock.move", [move.id], { quantity_done: Number(move.product_uom_qty) });
            }
          }
          return revalidate(env, "stock.immediate.transfer", ids, { skip_immediate: true });
        }),
      },
    });
  }
  return models;
}
