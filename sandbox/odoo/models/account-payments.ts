import { userError } from "../odoo-error.ts";
import type { OrmEnv } from "../orm-env.ts";
import { money } from "./amounts.ts";

/**
 * `account.payment.register.action_create_payments` on the context's invoices or credit notes (`active_model:
 * "account.move"`, `active_ids`): one posted payment per invoice, paying the wizard's amount in order,
 * lowering amount_residual; payment_state becomes paid at zero (never in_payment here), partial otherwise.
 */
export function registerPayments(env: OrmEnv, wizardIds: number[]): Record<string, unknown> {
  const [wizard] = env.ensureExist("account.payment.register", wizardIds.slice(0, 1));
  if (!wizard) throw userError("Nothing to pay.");
  const activeIds =
    env.context.active_model === "account.move" && Array.isArray(env.context.active_ids)
      ? (env.context.active_ids as number[])
      : [];
  const invoices = env.ensureExist("account.move", activeIds);
  if (!invoices.length)
    throw userError(
      "You can't register a payment because there is nothing left to pay on the selected journal items.",
    );
  for (const invoice of invoices) {
    if (invoice.state !== "posted")
      throw userError("You can only register payment for posted journal entries.");
    if (Number(invoice.amount_residual) <= 0 || invoice.payment_state === "paid") {
      throw userError(
        "You can't register a payment because there is nothing left to pay on the selected journal items.",
      );
    }
  }
  const totalDue = invoices.reduce((sum, i) => sum + Number(i.amount_residual), 0);
  let left = wizard.amount === null || wizard.amount === undefined ? totalDue : Number(wizard.amount);
  const journalId =
    (wizard.journal_id as number) ||
    (env.search("account.journal", [["type", "=", "bank"]], { limit: 1 })[0] ?? 1);
  const date = (wizard.payment_date as string) || env.stamp.slice(0, 10);
  const memoField = env.profile.paymentMemoField;
  const payments: number[] = [];
  for (const invoice of invoices) {
    const pay = money(Math.min(left, Number(invoice.amount_residual)));
    if (pay <= 0) continue;
    left = money(left - pay);
    const journal = env.get("account.journal", journalId);
    const year = date.slice(0, 4);
    payments.push(
      env.create("account.payment", {
        name: `P${journal.code}/${year}/${String(env.nextNumber(`account.payment.${journalId}.${year}`)).padStart(5, "0")}`,
        amount: pay,
        partner_id: invoice.partner_id,
        [memoField]: (wizard.communication as string) || invoice.name,
        journal_id: journalId,
        date,
        // Money goes out for vendor bills and customer credit notes (refunds), in otherwise.
        payment_type: ["in_invoice", "out_refund"].includes(invoice.move_type as string)
          ? "outbound"
          : "inbound",
        state: "posted",
        reconciled_invoice_ids: [[6, 0, [invoice.id]]],
      }),
    );
    const paid = money(Number(invoice.sandbox_paid ?? 0) + pay);
    const residual = money(Number(invoice.amount_total) - paid);
    env.update("account.move", [invoice.id], {
      sandbox_paid: paid,
      amount_residual: residual,
      payment_state: residual <= 0 ? "paid" : "partial",
    });
  }
  return {
    name: "Payments",
    type: "ir.actions.act_window",
    res_model: "account.payment",
    context: { create: false },
    view_mode: payments.length === 1 ? "form" : "tree,form",
    ...(payments.length === 1 ? { res_id: payments[0] } : { domain: [["id", "in", payments]] }),
  };
}
