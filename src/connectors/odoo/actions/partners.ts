/**
 * Upserts customers and their addresses in one `load()` call per batch. Each partner's external id is
 * derived from its business key, so a second upsert of the same key updates the same record: the call
 * is idempotent and safe to repeat after a lost answer. Addresses (delivery, invoice) name their
 * company or person by key and must come after it in the batch; `load` resolves the reference to the
 * record created a few rows earlier in the same transaction.
 */
import type { OdooClient } from "../odoo-client.ts";
import { cell, externalIdName, qualified } from "./external-ids.ts";
import type { ItemOutcome } from "./odoo-batcher.ts";
import { loadRecords } from "./odoo-load.ts";

export interface PartnerInput {
  /** Business key, e.g. `shopify:customer:207119551` or `shopify:address:207119551:ship:1a2b`. */
  key: string;
  name: string;
  email?: string;
  phone?: string;
  ref?: string;
  isCompany?: boolean;
  street?: string;
  street2?: string;
  city?: string;
  zip?: string;
  countryId?: number;
  /** Key of the parent partner (an address belongs to its customer). */
  parentKey?: string;
  type?: "contact" | "invoice" | "delivery" | "other";
}

export function partnerExternalId(key: string): string {
  return externalIdName("partner", key);
}

/** One outcome (the partner's id) per input, in order. */
export async function upsertPartners(
  client: OdooClient,
  partners: readonly PartnerInput[],
  signal?: AbortSignal,
): Promise<ItemOutcome<number>[]> {
  await client.connect(signal);
  const records = partners.map((partner, index) => ({ index, rows: [partnerRow(partner)] }));
  // Parents before children: `load` resolves `parent_id/id` only to records already loaded.
  const parents = records.filter((r) => partners[r.index]?.parentKey === undefined);
  const children = records.filter((r) => partners[r.index]?.parentKey !== undefined);
  const results = await loadRecords(client, "res.partner", parents, signal);
  if (children.length > 0) {
    for (const [index, outcome] of await loadRecords(client, "res.partner", children, signal)) {
      results.set(index, outcome);
    }
  }
  return partners.map(
    (_partner, index) => results.get(index) ?? { ok: false, error: new Error("partner without outcome") },
  );
}

function partnerRow(partner: PartnerInput): Record<string, string> {
  const row: Record<string, string> = { id: qualified(partnerExternalId(partner.key)), name: partner.name };
  const optional: [string, string | number | boolean | undefined][] = [
    ["email", partner.email],
    ["phone", partner.phone],
    ["ref", partner.ref],
    ["is_company", partner.isCompany],
    ["street", partner.street],
    ["street2", partner.street2],
    ["city", partner.city],
    ["zip", partner.zip],
    ["country_id/.id", partner.countryId],
    ["type", partner.type],
  ];
  for (const [field, value] of optional) if (value !== undefined) row[field] = cell(value);
  if (partner.parentKey !== undefined) row["parent_id/id"] = qualified(partnerExternalId(partner.parentKey));
  return row;
}
