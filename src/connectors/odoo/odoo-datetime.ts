/** Odoo datetimes (`write_date`, `create_date`) to and from epoch milliseconds. */

/** `'YYYY-MM-DD HH:MM:SS'` in UTC, Odoo's datetime format (seconds, no zone). */
export function toOdooDatetime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19).replace("T", " ");
}

export function parseOdooDatetime(text: string): number {
  const ms = Date.parse(`${text.replace(" ", "T")}Z`);
  if (Number.isNaN(ms)) throw new RangeError(`Not an Odoo datetime: ${JSON.stringify(text)}`);
  return ms;
}
