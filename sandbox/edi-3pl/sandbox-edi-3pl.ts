import { build997, groupsToAcknowledge } from "../../src/connectors/edi-x12/x12-build-997.ts";
import { el, type X12Segment } from "../../src/connectors/edi-x12/x12-segment.ts";
import type { X12SetOutcome } from "../../src/connectors/edi-x12/x12-set-runner.ts";
import type { X12PartnerEnvelope } from "../../src/connectors/edi-x12/x12-writer.ts";
import type { SandboxSshd } from "../../src/connectors/sftp/sandbox-sshd.ts";
import { type EdiInboundFile, EdiSftpInbox } from "../partner-kit/edi-sftp-inbox.ts";
import type { EdiOutboundFile as OutboundFile } from "../partner-kit/edi-sftp-outbox.ts";
import { type EdiSftpPartnerOptions, startEdiSftpPartnerBase } from "../partner-kit/edi-sftp-partner.ts";
import { seededRandom } from "../partner-kit/sim-random.ts";
import { Warehouse } from "../warehouse3pl/warehouse.ts";
import { Edi3plReceiving, type ExpectedTransfer, type ReceiptPlan } from "./edi-3pl-receiving.ts";
import { read940File } from "./read-940.ts";
import { build846, type StockReportRow } from "./x12-build-846.ts";
import { build945 } from "./x12-build-945.ts";

export type { EdiInboundFile } from "../partner-kit/edi-sftp-inbox.ts";
export type { EdiOutboundFile as OutboundFile } from "../partner-kit/edi-sftp-outbox.ts";
export type { ShippingPlan, WarehouseOrder } from "../warehouse3pl/warehouse.ts";
export type { ExpectedTransfer, ReceiptPlan } from "./edi-3pl-receiving.ts";

/** How to start the sandbox EDI 3PL; every field optional (README.md lists the defaults). */
export interface SandboxEdi3plOptions extends EdiSftpPartnerOptions {
  /** Folder the hub drops 940s into, relative to the SFTP home; default `to-3pl`. */
  inbound?: string;
  /** Folder the 3PL writes 997s, 945s and 846s into; default `from-3pl`. */
  outbound?: string;
  /** Receipt of a 940 to its first shipment (945), ms; default 60,000. */
  shipDelayMs?: number;
  /** Read of a 940 to its 997, ms; default 0 (written by the same poll). */
  ackDelayMs?: number;
  /** Read of a 943 to the goods' arrival (its 944), ms; default 120,000. */
  receiveDelayMs?: number;
  /** Between two scheduled 846 stock reports, ms; `false` for none. Default 3,600,000. */
  stockReportEveryMs?: number | false;
  /** On-hand stock per SKU; SKUs not listed are unlimited and not reported. Default none. */
  stock?: Record<string, number>;
  /** Default 5. */
  unitsPerPackage?: number;
  /** Default 500. */
  gramsPerUnit?: number;
  /** The 3PL's ISA id (what 940s must be addressed to); default `SBX3PL` (qualifier `ZZ`). */
  partnerId?: string;
  /** The hub's ISA id, receiver of 945s and 846s; default `CROSSDOCK` (qualifier `ZZ`). */
  hubId?: string;
  /** Warehouse code (N1*SF / N1*WH `92`) and name; default `SBX1`, "Sandbox 3PL". */
  warehouseCode?: string;
  warehouseName?: string;
  /** Share of 945s sent twice (the same bytes under a new name); default 0. */
  duplicate945Rate?: number;
  /** Delay of such a duplicate after the original, ms; default 0. */
  duplicateAfterMs?: number;
  /** Largest 940 file read; larger ones are moved to `<inbound>/rejected`. Default 5 MiB. */
  maxFileBytes?: number;
  seed?: number;
}

/** A running sandbox EDI 3PL and its controls. */
export interface SandboxEdi3pl {
  readonly sshd: SandboxSshd;
  /** Remote folders (relative to the SFTP home) and their local paths. */
  readonly inbound: string;
  readonly outbound: string;
  readonly local: { readonly inbound: string; readonly outbound: string };
  /** Orders, stock, `plan(reference, plan)`, `planNext(...plans)`: the HTTP 3PL's warehouse model. */
  readonly warehouse: Warehouse;
  /** The 3PL's own envelope (sender = the 3PL, receiver = the hub). */
  readonly envelope: X12PartnerEnvelope;
  /** Every file read, with what became of it. */
  readonly received: readonly EdiInboundFile[];
  /** Every file made, queued or written (`writtenAt`). */
  readonly sent: readonly OutboundFile[];
  /** Shipments announced by 943s, by reference (W06-02): expected, then received with their counts. */
  readonly transfers: ReadonlyMap<string, ExpectedTransfer>;
  /** How the shipment with this 943 reference is received: units short or damaged per SKU, a delay. */
  planReceipt(reference: string, plan: ReceiptPlan): void;
  /** SFTP failures met while polling or writing (all retried), newest last, at most 100. */
  readonly errors: readonly { at: number; message: string }[];
  /** The EDI system neither reads nor writes for `durationMs` of sandbox time from now. */
  outage(durationMs: number): void;
  /** The next `count` 945s are also sent a second time under a new name. */
  duplicateNext945(count?: number): void;
  /** Queues an 846 of the tracked SKUs now and writes it unless in an outage; undefined with none. */
  reportStock(): Promise<OutboundFile | undefined>;
  /** Stock per tracked SKU as an 846 reports it now. */
  stockRows(): StockReportRow[];
  runDue(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Starts a simulated 3PL that trades X12 over SFTP (see README.md): it reads 940s from `inbound`,
 * answers each interchange with a 997, ships on the sandbox clock through the shared warehouse model
 * (partial shipments, stock discrepancies) and writes 945s and 846s to `outbound` atomically, with
 * outages and duplicate files on demand.
 *
 * @example
 * const clock = new ManualClock();
 * const edi = await startSandboxEdi3pl({ clock, stock: { "CHAIR-OAK-01": 10 } });
 * // the hub publishes a 940 to `${edi.inbound}/` on edi.sshd
 * clock.advance(10_000); await edi.runDue(); // read, 997 written
 * clock.advance(60_000); await edi.runDue(); // shipped, 945 written
 */
export async function startSandboxEdi3pl(options: SandboxEdi3plOptions = {}): Promise<SandboxEdi3pl> {
  const random = seededRandom(options.seed ?? 1);
  const inbound = options.inbound ?? "to-3pl";
  const outbound = options.outbound ?? "from-3pl";
  const hubId = options.hubId ?? "CROSSDOCK";
  const base = await startEdiSftpPartnerBase(options, {
    name: "sandbox-edi-3pl",
    partnerId: options.partnerId ?? "SBX3PL",
    hubId,
    inbound,
    outbound,
    functionalIds: { "997": "FA", "945": "SW", "846": "IB", "944": "RE" },
    stampedAt: "queued",
  });
  const { clock, sshd, client, envelope, scheduler, outbox, errors, failed, queued } = base;
  const partnerId = envelope.senderId;
  const warehouseInfo = {
    code: options.warehouseCode ?? "SBX1",
    name: options.warehouseName ?? "Sandbox 3PL",
  };
  const purchaseOrders = new Map<string, string | undefined>();
  let forcedDuplicates = 0;

  const warehouse: Warehouse = new Warehouse({
    scheduler,
    shipDelayMs: options.shipDelayMs ?? 60_000,
    unitsPerPackage: options.unitsPerPackage ?? 5,
    gramsPerUnit: options.gramsPerUnit ?? 500,
    stock: new Map(Object.entries(options.stock ?? {})),
    confirm(confirmation) {
      const order = warehouse.orders.get(confirmation.order_id)!;
      const seq = confirmation.shipment_id.replace(/\D/g, "");
      const set = build945({
        confirmation,
        order,
        purchaseOrder: purchaseOrders.get(order.reference),
        warehouse: warehouseInfo,
        proNumber: `PRO${seq}`,
        billOfLading: `BOL-${warehouseInfo.code}-${seq}`,
      });
      const file = queued(outbox.send("945", [set]));
      const duplicate = forcedDuplicates > 0 || random() < (options.duplicate945Rate ?? 0);
      if (forcedDuplicates > 0) forcedDuplicates--;
      if (duplicate) queued(outbox.resend(file, options.duplicateAfterMs ?? 0));
    },
  });

  // 943 in, 944 out: see edi-3pl-receiving.ts.
  const receiving = new Edi3plReceiving({
    clock,
    scheduler,
    stock: warehouse.stock,
    receiveDelayMs: options.receiveDelayMs ?? 120_000,
    warehouse: warehouseInfo,
    send: (set) => queued(outbox.send("944", [set])),
  });

  const answer = (isa: X12Segment, outcomes: readonly X12SetOutcome[]) => {
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
    read: read940File,
    maxFileBytes: options.maxFileBytes ?? 5 * 1024 * 1024,
    failed,
    onInterchange({ isa, outcomes, orders, transfers }) {
      if (isa !== undefined) answer(isa, outcomes);
      for (const advice of transfers) receiving.expect(advice);
      const taken: string[] = [];
      for (const { request, purchaseOrder } of orders) {
        // A repeated 940 (same depositor order number) is acknowledged but makes no second order.
        if (warehouse.byReference(request.reference) !== undefined) continue;
        purchaseOrders.set(request.reference, purchaseOrder);
        warehouse.receive(request);
        taken.push(request.reference);
      }
      return taken;
    },
  });

  const stockRows = (): StockReportRow[] => {
    const committed = new Map<string, number>();
    for (const order of warehouse.orders.values()) {
      if (order.status !== "received" && order.status !== "partially_shipped") continue;
      for (const { sku, quantity } of order.request.lines) {
        const left = quantity - (order.shipped[sku] ?? 0) - (order.cancelled[sku] ?? 0);
        committed.set(sku, (committed.get(sku) ?? 0) + Math.max(0, left));
      }
    }
    return [...warehouse.stock]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([sku, onHand]) => {
        const held = committed.get(sku) ?? 0;
        return { sku, onHand, committed: held, available: Math.max(0, onHand - held) };
      });
  };
  let reports = 0;
  const queueReport = (): OutboundFile | undefined => {
    const rows = stockRows();
    if (rows.length === 0) return undefined;
    const reportId = `INV-${warehouseInfo.code}-${String(++reports).padStart(6, "0")}`;
    return queued(
      outbox.send("846", [build846({ reportId, at: new Date(clock.now()), warehouse: warehouseInfo, rows })]),
    );
  };

  await base.startPolling(() => inbox.poll());
  const every = options.stockReportEveryMs ?? 3_600_000;
  if (every !== false) {
    const report = () => {
      if (base.closed) return;
      // During an outage the scheduled count is taken and sent when the system is back.
      queueReport();
      scheduler.at(Math.max(1, every), report);
    };
    scheduler.at(Math.max(1, every), report);
  }

  return {
    sshd,
    inbound,
    outbound,
    local: base.local,
    warehouse,
    envelope,
    received: inbox.files,
    sent: outbox.files,
    transfers: receiving.transfers,
    planReceipt: (reference, plan) => receiving.plan(reference, plan),
    errors,
    outage: (durationMs) => base.outage(durationMs),
    duplicateNext945(count = 1) {
      forcedDuplicates += count;
    },
    async reportStock() {
      const file = queueReport();
      await scheduler.runDue();
      return file;
    },
    stockRows,
    runDue: () => scheduler.runDue(),
    close: () => base.close(),
  };
}
