/**
 * The sandbox trading partner's own purchase orders (the partner buying from the hub) and what the hub
 * answered: its 855s, 856s and 810s, by PO number. A buyer's EDI system keeps exactly this to match a
 * ship notice and an invoice to its order, and so does the partner, noting what does not match: a SKU
 * it did not order (it orders by the hub's SKU, written as `VP` in its 850) shipped or invoiced, or more
 * shipped over all ship notices than it ordered. Those notes are business problems: the documents were
 * well formed and accepted in the 997 all the same, as a real buyer's would be.
 *
 * A ship notice or invoice that comes again with the same BSN02 or BIG02 (a resend) replaces the one
 * kept, so a resend is not counted twice; every 855 is kept, in the order received.
 */

import { addDecimals, compareDecimals } from "../../src/core/model/decimal.ts";
import type { Address } from "../../src/core/model/party.ts";
import type { EdiOutboundFile as PartnerOutboundFile } from "../partner-kit/edi-sftp-outbox.ts";
import type { ReceivedInvoice } from "./read-810.ts";
import type { ReceivedAcknowledgement } from "./read-855.ts";
import type { ReceivedShipNotice } from "./read-856.ts";
import type { CustomerDocument } from "./read-partner-file.ts";

/** A customer order the partner sends the hub as an 850 (the partner buying from the hub). */
export interface CustomerOrderInput {
  readonly poNumber: string;
  /** `sku` is the hub's (written as VP), `buyerSku` the partner's own (BP); default the same. */
  readonly lines: readonly {
    sku: string;
    quantity: number | string;
    unitPrice: string;
    name?: string;
    buyerSku?: string;
  }[];
  readonly currency?: string;
  readonly shipTo?: Address;
  readonly orderedAt?: string;
}

/** One of the partner's purchase orders, by PO number (its BEG03), and what the hub sent about it. */
export interface CustomerOrderRecord {
  readonly poNumber: string;
  /** The 850 `sendOrder` wrote and what it was given; absent for an unsolicited document. */
  readonly order?: { readonly file: PartnerOutboundFile; readonly input: CustomerOrderInput };
  /** Set when a document came for a PO number the partner had not sent (it stays set). */
  readonly unsolicited?: true;
  /** 855s, in the order received. */
  readonly acknowledgements: readonly ReceivedAcknowledgement[];
  /** 856s, one per shipment id (a resend replaces the earlier one). */
  readonly shipNotices: readonly ReceivedShipNotice[];
  /** 810s, one per invoice number (a resend replaces the earlier one). */
  readonly invoices: readonly ReceivedInvoice[];
  /** What the partner noticed against its own order, each once, oldest first. */
  readonly problems: readonly string[];
}

interface Entry {
  readonly poNumber: string;
  order?: { readonly file: PartnerOutboundFile; readonly input: CustomerOrderInput };
  unsolicited?: true;
  readonly acknowledgements: ReceivedAcknowledgement[];
  readonly shipNotices: ReceivedShipNotice[];
  readonly invoices: ReceivedInvoice[];
  readonly problems: string[];
}

/** The partner's records of its own purchase orders. */
export class CustomerOrders {
  readonly #entries = new Map<string, Entry>();

  get records(): ReadonlyMap<string, CustomerOrderRecord> {
    return this.#entries;
  }

  /** Records the 850 `sendOrder` wrote (again: the later one). */
  ordered(input: CustomerOrderInput, file: PartnerOutboundFile): void {
    this.#entry(input.poNumber, false).order = { file, input };
  }

  /** Records an accepted 855, 856 or 810; returns its reference (`856:<PO number>`). */
  received(document: CustomerDocument): string {
    const entry = this.#entry(document.poNumber, true);
    if (document.type === "855") entry.acknowledgements.push(document.acknowledgement);
    else if (document.type === "856") {
      replaceOrAdd(entry.shipNotices, document.shipNotice, (n) => n.shipmentId);
      this.#check(entry, document.shipNotice);
    } else {
      replaceOrAdd(entry.invoices, document.invoice, (i) => i.invoiceNumber);
      this.#check(entry, document.invoice);
    }
    return `${document.type}:${document.poNumber}`;
  }

  #entry(poNumber: string, received: boolean): Entry {
    let entry = this.#entries.get(poNumber);
    if (entry === undefined) {
      entry = { poNumber, acknowledgements: [], shipNotices: [], invoices: [], problems: [] };
      this.#entries.set(poNumber, entry);
    }
    if (received && entry.order === undefined) entry.unsolicited = true;
    return entry;
  }

  #check(entry: Entry, document: ReceivedShipNotice | ReceivedInvoice): void {
    if (entry.order === undefined) return;
    const ordered = new Map<string, string>();
    for (const line of entry.order.input.lines)
      ordered.set(line.sku, addDecimals(ordered.get(line.sku) ?? "0", String(line.quantity)));
    const note = (problem: string) => {
      if (!entry.problems.includes(problem)) entry.problems.push(problem);
    };
    const name = "shipmentId" in document ? `856 ${document.shipmentId}` : `810 ${document.invoiceNumber}`;
    for (const line of document.lines) {
      if (!ordered.has(line.sku)) note(`${name} (${document.file}): SKU ${line.sku} was not ordered`);
    }
    if (!("shipmentId" in document)) return;
    const shipped = new Map<string, string>();
    for (const notice of entry.shipNotices)
      for (const line of notice.lines)
        shipped.set(line.sku, addDecimals(shipped.get(line.sku) ?? "0", line.quantity));
    for (const [sku, quantity] of shipped) {
      const wanted = ordered.get(sku);
      if (wanted !== undefined && compareDecimals(quantity, wanted) > 0)
        note(`856s ship ${quantity} of ${sku} in all; ${wanted} ordered (${name}, ${document.file})`);
    }
  }
}

function replaceOrAdd<T>(list: T[], item: T, key: (item: T) => string): void {
  const at = list.findIndex((known) => key(known) === key(item));
  if (at === -1) list.push(item);
  else list[at] = item;
}
