/**
 * Odoo's `action_*`/`button_*` methods may answer with a window action for a wizard (a dict with
 * `res_model`) instead of doing the work. Crossdock answers the wizards it knows the way a person would
 * for an integration (no SMS, create or cancel the backorder as asked, validate immediately) and refuses
 * any other with `CDK_ODOO_UNEXPECTED_WIZARD`, so nothing is half-done silently.
 */
import { CrossdockError } from "../../../core/errors.ts";
import type { OdooClient } from "../odoo-client.ts";

export interface WindowAction {
  type?: string;
  res_model: string;
  res_id?: number;
  context?: Record<string, unknown>;
}

export function isWindowAction(value: unknown): value is WindowAction {
  return typeof value === "object" && value !== null && typeof (value as WindowAction).res_model === "string";
}

export interface WizardAnswers {
  /** For the backorder wizard: keep the remainder as a backorder (true) or cancel it. */
  backorder: boolean;
  pickingIds: number[];
}

/** The button of each known wizard that continues the operation. */
function buttonFor(model: string, answers: WizardAnswers): string | undefined {
  switch (model) {
    case "stock.backorder.confirmation":
      return answers.backorder ? "process" : "process_cancel_backorder";
    case "confirm.stock.sms":
      return "dont_send_sms";
    case "stock.immediate.transfer":
      return "process";
    case "sale.order.cancel":
      return "action_cancel";
    default:
      return undefined;
  }
}

/**
 * Follows wizards until the action answers something else (at most `maxHops`, since answering one may
 * bring the next: the SMS wizard continues to the backorder one). Returns the final answer.
 */
export async function answerWizards(
  client: OdooClient,
  first: unknown,
  answers: WizardAnswers,
  signal?: AbortSignal,
  maxHops = 4,
): Promise<unknown> {
  let answer = first;
  const options = signal === undefined ? {} : { signal };
  for (let hop = 0; hop < maxHops && isWindowAction(answer); hop++) {
    const action = answer;
    const button = buttonFor(action.res_model, answers);
    if (button === undefined) {
      throw new CrossdockError(
        "CDK_ODOO_UNEXPECTED_WIZARD",
        `Odoo answered with the wizard ${action.res_model}, which Crossdock does not handle`,
        { details: { resModel: action.res_model, action: action as unknown as Record<string, unknown> } },
      );
    }
    const context = action.context ?? {};
    const wizardId =
      action.res_id ??
      (await client.call<number>(
        {
          model: action.res_model,
          method: "create",
          params: { vals_list: wizardValues(action.res_model, context, answers) },
          context,
        },
        options,
      ));
    const id = Array.isArray(wizardId) ? (wizardId[0] as number) : wizardId;
    answer = await client.call({ model: action.res_model, method: button, ids: [id], context }, options);
  }
  if (isWindowAction(answer)) {
    throw new CrossdockError(
      "CDK_ODOO_UNEXPECTED_WIZARD",
      `Odoo kept answering with wizards (${answer.res_model})`,
      {
        details: { resModel: answer.res_model },
      },
    );
  }
  return answer;
}

function wizardValues(model: string, context: Record<string, unknown>, answers: WizardAnswers) {
  const pickIds = (context.button_validate_picking_ids as number[] | undefined) ?? answers.pickingIds;
  if (model === "stock.backorder.confirmation" || model === "stock.immediate.transfer") {
    return { pick_ids: [[6, 0, pickIds]] };
  }
  if (model === "confirm.stock.sms") return { pick_ids: [[6, 0, pickIds]] };
  if (model === "sale.order.cancel") {
    const orderId = context.default_order_id ?? context.active_id;
    return typeof orderId === "number" ? { order_id: orderId } : {};
  }
  return {};
}
