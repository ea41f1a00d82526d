/** Generated channel orders for the Odoo benchmark: a known customer, two lines of seeded products. */
export interface BenchOrder {
  ref: string;
  email: string;
  lines: { sku: string; quantity: number; price: string }[];
}

export function benchOrders(
  count: number,
  run: string,
  skus: readonly string[],
  email: string,
): BenchOrder[] {
  return Array.from({ length: count }, (_, i) => ({
    ref: `${run}-${i}`,
    email,
    lines: [0, 1].map((n) => ({
      sku: skus[(i * 2 + n) % skus.length] as string,
      quantity: 1 + ((i + n) % 3),
      price: `${10 + (i % 7)}.50`,
    })),
  }));
}
