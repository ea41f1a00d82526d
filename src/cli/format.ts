/** Renders rows as an aligned plain-text table (no colours: output is often piped or logged). */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = rows.map((row) => row.map((cell) => String(cell)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => (row[i] ?? "").length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}

/** `1.2s`, `3m 4s`, `2h 5m`, `3d 1h`: ages for people. */
export function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1_000));
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))}ms`;
  if (s < 60) return `${(ms / 1_000).toFixed(1)}s`;
  if (s < 3_600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3_600)}h ${Math.floor((s % 3_600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3_600)}h`;
}

export function iso(ms: number | undefined): string {
  return ms === undefined ? "-" : new Date(ms).toISOString();
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
