/**
 * Tables for benchmark output, printed as Markdown so the same text reads well in a terminal and can be
 * pasted into `bench/RESULTS.md`. Columns whose cells all look numeric are right-aligned.
 */
export type Cell = string | number;

export function markdownTable(headers: string[], rows: Cell[][]): string {
  const cells = rows.map((row) => headers.map((_, i) => String(row[i] ?? "")));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length), 3));
  const numeric = headers.map(
    (_, i) => cells.some((row) => /\d/.test(row[i]!)) && cells.every((row) => isNumeric(row[i]!)),
  );
  const pad = (text: string, i: number) => (numeric[i] ? text.padStart(widths[i]!) : text.padEnd(widths[i]!));
  const line = (row: string[]) => `| ${row.map(pad).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (numeric[i] ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [line(headers), rule, ...cells.map(line)].join("\n");
}

function isNumeric(text: string): boolean {
  return text === "" || text === "-" || /^[-+]?[\d,.]+\s*(x|%|ms|s|MiB)?$/.test(text);
}

/** 12345.6 -> "12,346". */
export function formatInt(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

/** Milliseconds with a precision that suits the size: 0.042, 1.23, 45.6, 1,234. */
export function formatMs(ms: number): string {
  if (ms < 1) return ms.toFixed(3);
  if (ms < 10) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return formatInt(ms);
}

export function formatMiB(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(0);
}

export function formatRatio(value: number): string {
  return `${value.toFixed(2)}x`;
}
