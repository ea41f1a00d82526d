/**
 * Bulk creates through Odoo's `load(fields, rows)`: one call, one Odoo transaction, each record created
 * with its external id (the `id` column). `load` does not raise on bad data: it answers
 * `{ids: false, messages: [{type: "error", record, message}]}` and rolls everything back. Records named
 * by an error fail alone and the rest is loaded again; an error that names no record splits the batch
 * in halves until the culprit is alone.
 *
 * Records with different column sets go in separate calls, because an empty cell is not "absent" for
 * `load` (an empty tax column would clear a product's taxes).
 */
import { CrossdockError } from "../../../core/errors.ts";
import type { OdooClient } from "../odoo-client.ts";
import type { ItemOutcome } from "./odoo-batcher.ts";

export interface LoadRecord {
  /** The caller's index, echoed in the result map. */
  index: number;
  /** The record's rows: the first holds the record (and first line), the next ones more lines. */
  rows: Record<string, string>[];
}

interface LoadAnswer {
  ids: number[] | false;
  messages?: { type?: string; message?: string; record?: number; field?: string }[];
}

export async function loadRecords(
  client: OdooClient,
  model: string,
  records: readonly LoadRecord[],
  signal?: AbortSignal,
): Promise<Map<number, ItemOutcome<number>>> {
  const results = new Map<number, ItemOutcome<number>>();
  const groups = new Map<string, LoadRecord[]>();
  for (const record of records) {
    const signature = [...new Set(record.rows.flatMap((row) => Object.keys(row)))].sort().join("\u0000");
    const group = groups.get(signature) ?? [];
    group.push(record);
    groups.set(signature, group);
  }
  for (const group of groups.values()) await loadGroup(client, model, group, results, signal);
  return results;
}

async function loadGroup(
  client: OdooClient,
  model: string,
  group: LoadRecord[],
  results: Map<number, ItemOutcome<number>>,
  signal: AbortSignal | undefined,
): Promise<void> {
  let pending = group;
  while (pending.length > 0) {
    const fields = [
      "id",
      ...new Set(pending.flatMap((r) => r.rows.flatMap((row) => Object.keys(row)))),
    ].filter((field, i, all) => all.indexOf(field) === i);
    const rows: string[][] = [];
    const owner: number[] = []; // row -> position in pending
    pending.forEach((record, position) => {
      for (const row of record.rows) {
        rows.push(fields.map((field) => row[field] ?? ""));
        owner.push(position);
      }
    });
    const answer = await client.call<LoadAnswer>(
      { model, method: "load", params: { fields, data: rows } },
      signal === undefined ? {} : { signal },
    );
    if (Array.isArray(answer?.ids) && answer.ids.length === pending.length) {
      pending.forEach((record, position) => {
        results.set(record.index, { ok: true, value: (answer.ids as number[])[position] as number });
      });
      return;
    }
    const errors = (answer?.messages ?? []).filter((m) => m.type !== "warning");
    const culprits = new Map<number, string>();
    for (const message of errors) {
      const position = typeof message.record === "number" ? owner[message.record] : undefined;
      if (position !== undefined) culprits.set(position, describe(message));
    }
    if (culprits.size === 0) {
      const reason = errors.map(describe).join("; ") || "load() created no record and said nothing";
      if (pending.length === 1) {
        results.set((pending[0] as LoadRecord).index, { ok: false, error: rejected(model, reason, errors) });
        return;
      }
      const half = Math.ceil(pending.length / 2);
      await loadGroup(client, model, pending.slice(0, half), results, signal);
      pending = pending.slice(half);
      continue;
    }
    for (const [position, reason] of culprits) {
      const record = pending[position] as LoadRecord;
      results.set(record.index, { ok: false, error: rejected(model, reason, errors) });
    }
    pending = pending.filter((_record, position) => !culprits.has(position));
  }
}

function describe(message: { message?: string; field?: string }): string {
  return message.field ? `${message.field}: ${message.message ?? "invalid"}` : (message.message ?? "invalid");
}

function rejected(model: string, reason: string, messages: unknown[]): CrossdockError {
  return new CrossdockError("CDK_ODOO_REJECTED", `Odoo refused to create ${model}: ${reason}`, {
    details: { model, method: "load", odoo: { name: "load.messages", message: reason }, messages },
  });
}
