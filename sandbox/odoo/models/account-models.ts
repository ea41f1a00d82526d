import { f, keys, type MethodDef, type ModelDef } from "../model-def.ts";
import { userError } from "../odoo-error.ts";
import type { OrmEnv } from "../orm-env.ts";
import type { VersionProfile } from "../version-profile.ts";
import { registerPayments } from "./account-payments.ts";
import { money, recomputeTotals } from "./amounts.ts";

const MOVE_TYPES: [string, string][] = [
  ["entry", "Journal Entry"],
  ["out_invoice", "Customer Invoice"],
  ["out_refund", "Customer Credit Note"],
  ["in_invoice", "Vendor Bill"],
  ["in_refund", "Vendor Credit Note"],
];

const moveAction = (run: (env: OrmEnv, ids: number[]) => unknown): MethodDef => ({
  owner: "AccountMove",
  multi: true,
  params: [],
  operation: "write",
  run: (env, ids) => run(env, ids),
});

function postMoves(env: OrmEnv, ids: number[]): boolean {
  const moves = env.ensureExist("account.move", ids);
  for (const move of moves) {
    if (move.state === "posted") throw userError(`The entry ${move.name} (id ${move.id}) is already posted.`);
    if (move.state === "cancel") throw userError("You can't post a cancelled entry.");
  }
  for (const move of moves) {
    const date = (move.invoice_date as string) || env.stamp.slice(0, 10);
    const year = date.slice(0, 4);
    const journal = env.get("account.journal", move.journal_id as number);
    // Credit notes have their own sequence on the journal (Odoo's refund_sequence): RINV/2026/00001.
    const refund = move.move_type === "out_refund" || move.move_type === "in_refund";
    const prefix = `${refund ? "R" : ""}${journal.code}`;
    const name =
      move.name && move.name !== "/"
        ? move.name
        : `${prefix}/${year}/${String(env.nextNumber(`account.move.${journal.id}.${refund ? "refund." : ""}${year}`)).padStart(5, "0")}`;
    env.update("account.move", [move.id], { state: "posted", name, invoice_date: date, date });
  }
  // action_post returns False over RPC (the recordings' note): callers must not rely on the value.
  return false;
}

/** Taxes, journals, invoices (account.move + lines), payments and the register-payment wizard. */
export function accountModels(profile: VersionProfile): ModelDef[] {
  const recompute = (env: OrmEnv, ids: number[]) => {
    recomputeTotals(env, "account.move", "account.move.line", "move_id", "quantity", "tax_ids", ids);
    for (const move of env.browse("account.move", ids)) {
      const residual = money(Number(move.amount_total) - Number(move.sandbox_paid ?? 0));
      env.update("account.move", [move.id], { amount_residual: residual });
    }
  };
  return [
    {
      name: "account.tax",
      description: "Tax",
      fields: {
        name: f.char("Tax Name", { required: true }),
        amount: f.float("Amount", { default: 0 }),
        amount_type: f.sel(keys("percent", "fixed", "group", "division"), { default: "percent" }),
        type_tax_use: f.sel(keys("sale", "purchase", "none"), { default: "sale" }),
        price_include: f.bool("Included in Price", { default: false }),
        company_id: f.m2o("res.company", { default: 1 }),
        active: f.bool("Active", { default: true }),
      },
    },
    {
      name: "account.journal",
      description: "Journal",
      fields: {
        name: f.char("Journal Name", { required: true }),
        code: f.char("Short Code", { required: true }),
        type: f.sel(keys("sale", "purchase", "cash", "bank", "general"), { required: true }),
        company_id: f.m2o("res.company", { default: 1 }),
        active: f.bool("Active", { default: true }),
      },
    },
    {
      name: "account.move",
      description: "Journal Entry",
      order: "date desc, name desc, id desc",
      className: "AccountMove",
      groups: "Accounting/Billing",
      fields: {
        name: f.char("Number", { default: "/" }),
        move_type: f.sel(MOVE_TYPES, { default: "entry", string: "Type" }),
        partner_id: f.m2o("res.partner", { string: "Partner" }),
        journal_id: f.m2o("account.journal", { string: "Journal" }),
        invoice_origin: f.char("Origin"),
        ref: f.char("Reference"),
        state: f.sel(
          [
            ["draft", "Draft"],
            ["posted", "Posted"],
            ["cancel", "Cancelled"],
          ],
          { default: "draft" },
        ),
        date: f.date("Date"),
        invoice_date: f.date("Invoice/Bill Date"),
        invoice_date_due: f.date("Due Date"),
        amount_untaxed: f.money("Untaxed Amount", { default: 0, readonly: true }),
        amount_tax: f.money("Tax", { default: 0, readonly: true }),
        amount_total: f.money("Total", { default: 0, readonly: true }),
        amount_residual: f.money("Amount Due", { default: 0, readonly: true }),
        sandbox_paid: f.money("Paid", { default: 0, hidden: true }),
        payment_state: f.sel(
          [
            ["not_paid", "Not Paid"],
            ["in_payment", "In Payment"],
            ["paid", "Paid"],
            ["partial", "Partially Paid"],
            ["reversed", "Reversed"],
          ],
          { default: "not_paid" },
        ),
        invoice_line_ids: f.o2m("account.move.line", "move_id", { string: "Invoice lines" }),
        currency_id: f.m2o("res.currency", { default: 1 }),
        company_id: f.m2o("res.company", { default: 1 }),
      },
      beforeCreate: (env, vals) => {
        if (!vals.journal_id) {
          const type = String(vals.move_type ?? "entry");
          const journalType = type.startsWith("out_")
            ? "sale"
            : type.startsWith("in_")
              ? "purchase"
              : "general";
          vals.journal_id = env.search("account.journal", [["type", "=", journalType]], { limit: 1 })[0] ?? 1;
        }
      },
      afterCreate: (env, ids) => recompute(env, ids),
      afterWrite: (env, ids) => recompute(env, ids),
      beforeUnlink: (env, ids) => {
        if (env.browse("account.move", ids).some((m) => m.state === "posted")) {
          throw userError("You cannot delete an entry which has been posted once.");
        }
      },
      methods: {
        action_post: moveAction(postMoves),
        button_draft: moveAction((env, ids) => {
          env.update(
            "account.move",
            env.ensureExist("account.move", ids).map((m) => m.id),
            { state: "draft" },
          );
          return undefined;
        }),
        button_cancel: moveAction((env, ids) => {
          env.update(
            "account.move",
            env.ensureExist("account.move", ids).map((m) => m.id),
            { state: "cancel" },
          );
          return undefined;
        }),
      },
    },
    {
      name: "account.move.line",
      description: "Journal Item",
      fields: {
        move_id: f.m2o("account.move", { required: true, ondelete: "cascade" }),
        product_id: f.m2o("product.product"),
        name: f.char("Label"),
        quantity: f.float("Quantity", { default: 1 }),
        price_unit: f.float("Unit Price", { default: 0 }),
        discount: f.float("Discount (%)", { default: 0 }),
        tax_ids: f.m2m("account.tax", { string: "Taxes" }),
        price_subtotal: f.money("Subtotal", { default: 0 }),
        price_tax: f.money("Tax", { default: 0, hidden: true }),
        price_total: f.money("Total", { default: 0 }),
        sale_line_ids: f.m2m("sale.order.line", { string: "Sales Order Lines" }),
        purchase_line_id: f.m2o("purchase.order.line"),
      },
      beforeCreate: (env, vals) => {
        if (vals.product_id) {
          const product = env.get("product.product", Number(vals.product_id));
          vals.name ??= product.name;
          vals.price_unit ??= product.list_price;
        }
      },
      afterCreate: (env, ids) => recompute(env, movesOf(env, ids)),
      afterWrite: (env, ids) => recompute(env, movesOf(env, ids)),
    },
    {
      name: "account.payment",
      description: "Payments",
      order: "date desc, name desc, id desc",
      fields: {
        name: f.char("Number", { default: "/" }),
        amount: f.money("Amount", { default: 0 }),
        partner_id: f.m2o("res.partner", { string: "Customer/Vendor" }),
        [profile.paymentMemoField]: f.char("Memo"),
        journal_id: f.m2o("account.journal"),
        date: f.date("Date"),
        payment_type: f.sel(
          [
            ["outbound", "Send"],
            ["inbound", "Receive"],
          ],
          { default: "inbound" },
        ),
        state: f.sel(keys("draft", "posted", "cancel"), { default: "draft" }),
        reconciled_invoice_ids: f.m2m("account.move", { string: "Reconciled Invoices" }),
        currency_id: f.m2o("res.currency", { default: 1 }),
        company_id: f.m2o("res.company", { default: 1 }),
      },
    },
    {
      name: "account.payment.register",
      description: "Pay",
      transient: true,
      fields: {
        amount: f.money("Amount"),
        payment_date: f.date("Payment Date"),
        journal_id: f.m2o("account.journal"),
        communication: f.char("Memo"),
      },
      methods: {
        action_create_payments: {
          owner: "AccountPaymentRegister",
          multi: true,
          params: [],
          operation: "write",
          run: (env, ids) => registerPayments(env, ids),
        },
      },
    },
  ];
}

function movesOf(env: OrmEnv, lineIds: number[]): number[] {
  return [...new Set(env.browse("account.move.line", lineIds).map((l) => l.move_id as number))];
}
