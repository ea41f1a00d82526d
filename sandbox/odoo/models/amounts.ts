import type { OrmEnv } from "../orm-env.ts";

/** Rounds to cents (the sandbox's only currency precision). */
export const money = (n: number) => Math.round(n * 100) / 100;

/** Subtotal, tax and total of a line with percent taxes (tax excluded from the price, like Odoo's defaults). */
export function lineAmounts(
  env: OrmEnv,
  qty: number,
  price: number,
  discount: number,
  taxIds: readonly number[],
): { subtotal: number; tax: number; total: number } {
  const subtotal = money(qty * price * (1 - (discount || 0) / 100));
  const rate = env.browse("account.tax", taxIds).reduce((sum, t) => sum + Number(t.amount), 0);
  const tax = money((subtotal * rate) / 100);
  return { subtotal, tax, total: money(subtotal + tax) };
}

/** Recomputes stored line amounts and the header's amount_untaxed/tax/total. */
export function recomputeTotals(
  env: OrmEnv,
  header: string,
  lineModel: string,
  parentField: string,
  qtyField: string,
  taxField: string,
  headerIds: number[],
): void {
  for (const id of headerIds) {
    let untaxed = 0;
    let tax = 0;
    for (const line of env.find(lineModel, [[parentField, "=", id]])) {
      const a = lineAmounts(
        env,
        Number(line[qtyField]),
        Number(line.price_unit),
        Number(line.discount ?? 0),
        (line[taxField] as number[]) ?? [],
      );
      if (a.subtotal !== line.price_subtotal || a.total !== line.price_total) {
        env.update(lineModel, [line.id], {
          price_subtotal: a.subtotal,
          price_tax: a.tax,
          price_total: a.total,
        });
      }
      untaxed += a.subtotal;
      tax += a.tax;
    }
    const totals = {
      amount_untaxed: money(untaxed),
      amount_tax: money(tax),
      amount_total: money(untaxed + tax),
    };
    const current = env.browse(header, [id])[0];
    // Only a real change is written (and bumps write_date), like Odoo's recomputation.
    if (current && Object.entries(totals).some(([k, v]) => current[k] !== v))
      env.update(header, [id], totals);
  }
}
