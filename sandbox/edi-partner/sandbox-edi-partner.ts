import { build810 } from "../../src/connectors/edi-x12/x12-build-810.ts";
import { build850 } from "../../src/connectors/edi-x12/x12-build-850.ts";
import { build997, groupsToAcknowledge } from "../../src/connectors/edi-x12/x12-build-997.ts";
import { el, type X12Segment } from "../../src/connectors/edi-x12/x12-segment.ts";
import type { X12SetOutcome } from "../../src/connectors/edi-x12/x12-set-runner.ts";
import type { X12PartnerEnvelope } from "../../src/connectors/edi-x12/x12-writer.ts";
import type { SandboxSshd } from "../../src/connectors/sftp/sandbox-sshd.ts";
import { multiplyDecimals, sumDecimals } from "../../src/core/model/decimal.ts";
import type { Invoice } from "../../src/core/model/invoice.ts";
import type { Address } from "../../src/core/model/party.ts";
import type { PurchaseOrder } from "../../src/core/model/purchase-order.ts";
import { type EdiInboundFile, EdiSftpInbox } from "../partner-kit/edi-sftp-inbox.ts";
import type { EdiOutboundFile as PartnerOutboundFile } from "../partner-kit/edi-sftp-outbox.ts";
import { type EdiSftpPartnerOptions, startEdiSftpPartnerBase } from "../partner-kit/edi-sftp-partner.ts";
import { seededRandom } from "../partner-kit/sim-random.ts";
import { type AckPlan, build855Answer } from "./answer-855.ts";
import { type CustomerOrderInput, type CustomerOrderRecord, CustomerOrders } from "./customer-orders.ts";
import type { PurchaseOrder850 } from "./read-850.ts";
import { readPartnerFile } from "./read-partner-file.ts";

export type { EdiInboundFile } from "../partner-kit/edi-sftp-inbox.ts";
export type { EdiOutboundFile as PartnerOutboundFile } from "../partner-kit/edi-sftp-outbox.ts";
export type { AckPlan, LineChange } from "./answer-855.ts";
export type { CustomerOrderInput, CustomerOrderRecord } from "./customer-orders.ts";
export type { ReceivedInvoice } from "./read-810.ts";
export type { AcknowledgedLine, ReceivedAcknowledgement } from "./read-855.ts";
export type { ReceivedShipNotice } from "./read-856.ts";

/** How to start the sandbox trading partner; every field optional (README.md lists the defaults). */
export interface SandboxEdiPartnerOptions extends EdiSftpPartnerOptions {
  /** Folder the hub drops 850s (and its 855s, 856s, 810s) into, relative to the SFTP home; default `to-partner`. */
  inbound?: string;
  /** Folder the partner writes 997s, 855s, 850s and 810s into; default `from-partner`. */
  outbound?: string;
  /** Read of an 850 to its 997, ms; default 0 (written by the same poll). */
  ackDelayMs?: number;
  /** Read of an 850 to its 855, ms; default 60,000. */
  answerDelayMs?: number;
  /** Share of unplanned purchase orders answered with a change (seeded); default 0. */
  changeRate?: number;
  /** Share of unplanned purchase orders rejected whole (seeded); default 0. */
  rejectRate?: number;
  /** The partner's ISA id (what 850s must be addressed to); default `SBXPARTNER` (qualifier `ZZ`). */
  partnerId?: string;
  /** The hub's ISA id, receiver of its files; default `CROSSDOCK` (qualifier `ZZ`). */
  hubId?: string;
  /** The partner's company name (N1*BY of its 850s, N1*SE on its invoices); default `Sandbox Supplier Inc`. */
  partnerName?: string;
  /** Largest file read; larger ones go to `<inbound>/rejected`. Default 5 MiB. */
  maxFileBytes?: number;
  seed?: number;
}

/** A purchase order the partner received (the hub buying from it) and what it answered. */
export interface PartnerPurchase {
  readonly poNumber: string;
  readonly po: PurchaseOrder850;
  readonly receivedAt: number;
  readonly plan: AckPlan;
  /** Duplicates (BEG01 `07`, or the same PO number again) received after the first. */
  resends: number;
  answer?: { readonly file: PartnerOutboundFile; readonly status: string; readonly salesOrder: string };
  /** Who sent it (ISA05/06): where its 855 goes. */
  readonly from: { readonly qualifier: string; readonly id: string };
}

export interface SandboxEdiPartner {
  readonly sshd: SandboxSshd;
  readonly inbound: string;
  readonly outbound: string;
  readonly local: { readonly inbound: string; readonly outbound: string };
  /** The partner's envelope (sender = the partner, receiver = the hub). */
  readonly envelope: X12PartnerEnvelope;
  /** Purchase orders received from the hub, by PO number (BEG03). */
  readonly purchases: ReadonlyMap<string, PartnerPurchase>;
  /**
   * The partner's own purchase orders (`sendOrder`) and the hub's 855s, 856s and 810s about them, by PO
   * number (BAK03, PRF01, BIG04); a document for a PO number never sent gets an `unsolicited` entry.
   */
  readonly customerOrders: ReadonlyMap<string, CustomerOrderRecord>;
  readonly received: readonly EdiInboundFile[];
  readonly sent: readonly PartnerOutboundFile[];
  /** SFTP failures met while polling or writing (all retried), newest last, at most 100. */
  readonly errors: readonly { at: number; message: string }[];
  /** How to answer the purchase order `poNumber` when it comes (or came, and is not answered yet). */
  plan(poNumber: string, plan: AckPlan): void;
  /** Plans for the next unplanned purchase orders, in order. */
  planNext(...plans: AckPlan[]): void;
  /** Sends the hub a customer order (an 850, GS01 PO) now; its `customerOrders` entry exists at once. */
  sendOrder(order: CustomerOrderInput): Promise<PartnerOutboundFile>;
  /** Sends the hub an 810 invoice for an acknowledged purchase order: what the 855 accepted, at its prices. */
  sendInvoice(poNumber: string): Promise<PartnerOutboundFile>;
  /** The EDI system neither reads nor writes for `durationMs` of sandbox time from now. */
  outage(durationMs: number): void;
  runDue(): Promise<number>;
  close(): Promise<void>;
}

const DEFAULT_SHIP_TO: Address = {
  name: "Sandbox Partner DC",
  street: "200 Commerce Way",
  city: "Columbus",
  region: "OH",
  postalCode: "43215",
  countryCode: "US",
};

/**
 * Starts a simulated EDI trading partner over SFTP (see README.md): as a supplier it reads the hub's
 * 850s, answers each interchange with a 997 and, `answerDelayMs` later, each purchase order with an 855
 * as planned (accept, change quantities, dates or prices, reject, stay silent) and, for what it
 * acknowledged, 810 invoices; as a customer it sends its own 850s and reads the hub's 855s, 856s and
 * 810s for them from the same inbound folder (each interchange answered with a 997), kept in
 * `customerOrders` by PO number.
 *
 * @example
 * const clock = new ManualClock();
 * const partner = await startSandboxEdiPartner({ clock });
 * partner.plan("P00012", { kind: "change", lines: { "2": { quantity: 4, expectedOn: "2026-03-23" } } });
 * // the hub publishes its 850 to `${partner.inbound}/` on partner.sshd
 * clock.advance(10_000); await partner.runDue(); // read, 997 written
 * clock.advance(60_000); await partner.runDue(); // 855 written
 */
export async function startSandboxEdiPartner(
  options: SandboxEdiPartnerOptions = {},
): Promise<SandboxEdiPartner> {
  const random = seededRandom(options.seed ?? 1);
  const answerDelayMs = options.answerDelayMs ?? 60_000;
  const inbound = options.inbound ?? "to-partner";
  const outbound = options.outbound ?? "from-partner";
  const hubId = options.hubId ?? "CROSSDOCK";
  const partnerName = options.partnerName ?? "Sandbox Supplier Inc";
  const base = await startEdiSftpPartnerBase(options, {
    name: "sandbox-edi-partner",
    partnerId: options.partnerId ?? "SBXPARTNER",
    hubId,
    inbound,
    outbound,
    functionalIds: { "997": "FA", "855": "PR", "850": "PO", "810": "IN" },
    // Written when it is due: ISA09/10 and GS04/05 say when the partner sent it.
    stampedAt: "due",
  });
  const { clock, sshd, client, envelope, scheduler, outbox, errors, failed, queued } = base;
  const partnerId = envelope.senderId;
  const purchases = new Map<string, PartnerPurchase>();
  const customerOrders = new CustomerOrders();
  const plans = new Map<string, AckPlan>();
  const nextPlans: AckPlan[] = [];
  let salesOrders = 0;
  let invoices = 0;

  const randomPlan = (po: PurchaseOrder850): AckPlan => {
    const roll = random();
    if (roll < (options.rejectRate ?? 0)) return { kind: "reject" };
    if (roll < (options.rejectRate ?? 0) + (options.changeRate ?? 0)) {
      const line = po.order.lines[0]!;
      const quantity = Number(line.quantity);
      if (quantity > 1)
        return { kind: "change", lines: { [line.lineId!]: { quantity: Math.ceil(quantity / 2) } } };
      const later = new Date(clock.now() + 14 * 86_400_000).toISOString().slice(0, 10);
      return { kind: "change", lines: { [line.lineId!]: { expectedOn: later } } };
    }
    return { kind: "accept" };
  };

  const answer = (purchase: PartnerPurchase) => {
    if (purchase.plan.kind === "silent") return;
    const salesOrder = purchase.answer?.salesOrder ?? `SO-SBX-${String(++salesOrders).padStart(6, "0")}`;
    const { body, status } = build855Answer({
      po: purchase.po,
      plan: purchase.plan,
      salesOrder,
      at: new Date(clock.now() + answerDelayMs),
    });
    const file = queued(outbox.send("855", [body], { delayMs: answerDelayMs, receiver: purchase.from }));
    purchase.answer = { file, status, salesOrder };
  };

  const acknowledge997 = (isa: X12Segment, outcomes: readonly X12SetOutcome[]) => {
    const groups = groupsToAcknowledge(outcomes);
    if (groups.length === 0) return;
    const sets = groups.map((g) => build997(g.group, g.outcomes));
    const receiver = { qualifier: el(isa, 5).trim() || "ZZ", id: el(isa, 6).trim() || hubId };
    queued(outbox.send("997", sets, { delayMs: options.ackDelayMs ?? 0, receiver }));
  };

  const inbox = new EdiSftpInbox({
    client,
    clock,
    inbound,
    partnerId,
    read: readPartnerFile,
    maxFileBytes: options.maxFileBytes ?? 5 * 1024 * 1024,
    failed,
    onInterchange({ isa, outcomes, orders, documents }) {
      if (isa === undefined) return [];
      const numbers = [
        ...orders.map((po) => po.order.channelOrderId),
        ...documents.map((document) => customerOrders.received(document)),
      ];
      acknowledge997(isa, outcomes);
      const from = { qualifier: el(isa, 5).trim() || "ZZ", id: el(isa, 6).trim() || hubId };
      for (const po of orders) {
        const poNumber = po.order.channelOrderId;
        const known = purchases.get(poNumber);
        if (known !== undefined) {
          // A resend: answered before, the partner answers again; silent until enough resends.
          known.resends++;
          const plan = known.plan;
          if (known.answer !== undefined) answer(known);
          else if (
            plan.kind === "silent" &&
            plan.afterResends !== undefined &&
            known.resends >= plan.afterResends
          ) {
            (known as { plan: AckPlan }).plan = { kind: "accept" };
            answer(known);
          }
          continue;
        }
        const plan = plans.get(poNumber) ?? nextPlans.shift() ?? randomPlan(po);
        const purchase: PartnerPurchase = { poNumber, po, receivedAt: clock.now(), plan, resends: 0, from };
        purchases.set(poNumber, purchase);
        answer(purchase);
      }
      return numbers;
    },
  });

  const sendNow = async (file: PartnerOutboundFile) => {
    queued(file);
    await scheduler.runDue();
    return file;
  };

  await base.startPolling(() => inbox.poll());

  return {
    sshd,
    inbound,
    outbound,
    local: base.local,
    envelope,
    purchases,
    customerOrders: customerOrders.records,
    received: inbox.files,
    sent: outbox.files,
    errors,
    plan(poNumber, plan) {
      plans.set(poNumber, plan);
      const known = purchases.get(poNumber);
      if (known !== undefined && known.answer === undefined) {
        (known as { plan: AckPlan }).plan = plan;
        answer(known);
      }
    },
    planNext(...more) {
      nextPlans.push(...more);
    },
    sendOrder(input) {
      const lines = input.lines.map((line, i) => {
        const quantity = String(line.quantity);
        return {
          lineId: String(i + 1),
          sku: line.buyerSku ?? line.sku,
          supplierSku: line.sku,
          ...(line.name === undefined ? {} : { name: line.name }),
          quantity,
          uom: "C62",
          unitPrice: line.unitPrice,
          total: multiplyDecimals(quantity, line.unitPrice),
        };
      });
      const subtotal = sumDecimals(lines.map((l) => l.total));
      const order: PurchaseOrder = {
        schemaVersion: 1,
        poNumber: input.poNumber,
        status: "sent",
        orderedAt: input.orderedAt ?? new Date(clock.now()).toISOString(),
        supplier: { kind: "company", name: hubId, code: hubId },
        shipTo: input.shipTo ?? DEFAULT_SHIP_TO,
        currency: input.currency ?? "USD",
        pricesIncludeTax: false,
        lines,
        totals: { subtotal, discountTotal: "0", shippingTotal: "0", taxTotal: "0", grandTotal: subtotal },
      };
      const body = build850(order, { buyer: { name: partnerName, id: partnerId } });
      const file = outbox.send("850", [body]);
      customerOrders.ordered(input, file);
      return sendNow(file);
    },
    sendInvoice(poNumber) {
      const purchase = purchases.get(poNumber);
      if (purchase?.answer === undefined || purchase.answer.status === "rejected") {
        return Promise.reject(new Error(`purchase order ${poNumber} was not acknowledged by the partner`));
      }
      const plan = purchase.plan;
      const lines = purchase.po.order.lines.flatMap((line) => {
        const change =
          plan.kind === "change" ? (plan.lines[line.lineId!] ?? plan.lines[line.sku]) : undefined;
        if (plan.kind === "reject" && (plan.lines?.includes(line.lineId!) || plan.lines?.includes(line.sku)))
          return [];
        const quantity = String(change?.quantity ?? line.quantity);
        const unitPrice = change?.unitPrice ?? line.unitPrice;
        return [{ ...line, quantity, unitPrice, total: multiplyDecimals(quantity, unitPrice) }];
      });
      const subtotal = sumDecimals(lines.map((l) => l.total));
      const invoice: Invoice = {
        schemaVersion: 1,
        invoiceNumber: `INV-SBX-${String(++invoices).padStart(6, "0")}`,
        kind: "invoice",
        status: "posted",
        issuedAt: new Date(clock.now()).toISOString(),
        orders: [{ channel: "sandbox-edi-partner", channelOrderId: poNumber }],
        customer: purchase.po.order.customer,
        currency: purchase.po.order.currency,
        pricesIncludeTax: false,
        lines,
        totals: { subtotal, discountTotal: "0", shippingTotal: "0", taxTotal: "0", grandTotal: subtotal },
      };
      return sendNow(outbox.send("810", [build810(invoice)], { receiver: purchase.from }));
    },
    outage: (durationMs) => base.outage(durationMs),
    runDue: () => scheduler.runDue(),
    close: () => base.close(),
  };
}
