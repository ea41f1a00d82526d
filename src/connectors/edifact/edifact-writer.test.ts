import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "../../core/clock.ts";
import { CrossdockError } from "../../core/errors.ts";
import type { Invoice } from "../../core/model/invoice.ts";
import type { Shipment } from "../../core/model/shipment.ts";
import type { SupplierAcknowledgement } from "../../core/model/supplier-acknowledgement.ts";
import { readContrl } from "./edifact-contrl-reader.ts";
import { contrlDraft } from "./edifact-contrl-writer.ts";
import { desadvDraft } from "./edifact-desadv-writer.ts";
import { invoicDraft } from "./edifact-invoic-writer.ts";
import { mapEdifactMessage } from "./edifact-mapping.ts";
import type { EdifactMappingOptions } from "./edifact-mapping-context.ts";
import { oracleSegments, oracleValidated } from "./edifact-oracle-test-fixture.ts";
import { ordrspDraft } from "./edifact-ordrsp-writer.ts";
import { readEdifact } from "./edifact-reader.ts";
import { tokenizeEdifact } from "./edifact-tokenizer.ts";
import {
  type EdifactEnvelopeConfig,
  encodeText,
  formatSegment,
  type MessageDraft,
  writeInterchange,
} from "./edifact-writer.ts";

const partner: EdifactEnvelopeConfig = {
  sender: { id: "4012345000009", qualifier: "14" },
  recipient: { id: "4099999000005", qualifier: "14" },
  association: "EAN008",
};
const deps = { clock: new ManualClock(Date.UTC(2026, 2, 2, 9, 5)), controlRefs: { next: () => "000000042" } };
const options: EdifactMappingOptions = { channel: "edifact" };

/** Writes, checks the oracle sees the same segments as our tokenizer, maps back and returns the records. */
function roundTrip(draft: MessageDraft, config = partner, mapping = options): unknown[] {
  const written = writeInterchange(config, [draft], deps);
  const ours = tokenizeEdifact(written.text, "written.edi").segments.filter((s) => s.tag !== "UNA");
  const theirs = oracleSegments(written.text);
  assert.deepEqual(
    ours.map((s) => ({ name: s.tag, elements: s.elements })),
    theirs.map((s) => ({ name: s.name, elements: s.elements })),
  );
  const read = readEdifact("written.edi", written.bytes);
  assert.equal(read.ok, true, read.ok ? "" : read.failure.message);
  const message = read.interchanges[0]!.messages[0]!;
  const mapped = mapEdifactMessage("written.edi", message, mapping);
  assert.ok(mapped.ok, mapped.ok ? "" : mapped.failure.message);
  return mapped.records.map((record) => {
    const { extensions: _extensions, ...rest } = record as { extensions?: unknown };
    return rest;
  });
}

const ack: SupplierAcknowledgement = {
  schemaVersion: 1,
  poNumber: "PO-4711",
  acknowledgementId: "RSP-0001",
  status: "accepted_with_changes",
  acknowledgedAt: "2026-03-02T16:20:00Z",
  currency: "EUR",
  lines: [
    { lineId: "1", sku: "CHAIR-OAK-01", status: "accepted", quantity: "24", unitPrice: "99.50" },
    {
      lineId: "2",
      sku: "TABLE+OAK:02",
      status: "changed",
      quantity: "4",
      expectedOn: "2026-03-23",
      reason: "backorder?'",
    },
    { lineId: "3", sku: "LAMP-01", status: "rejected", reason: "discontinued" },
  ],
};

const shipment: Shipment = {
  schemaVersion: 1,
  shipmentId: "WH/OUT/00017",
  order: { channel: "edifact", channelOrderId: "PO-4711" },
  status: "shipped",
  carrier: "DHL",
  trackingNumber: "00340434161094042557",
  shippedAt: "2026-03-02T14:05:00Z",
  shipTo: {
    name: "Berg GmbH",
    street: "Hauptstrasse 5",
    city: "Berlin",
    postalCode: "10115",
    countryCode: "DE",
  },
  lines: [
    { orderLineId: "1", sku: "CHAIR-OAK-01", quantity: "2", uom: "C62" },
    { orderLineId: "2", sku: "CUSHION-GREY", quantity: "4", uom: "C62" },
    { sku: "MANUAL", quantity: "1", uom: "C62" },
  ],
  packages: [
    { packageId: "340123450000000017", contents: [{ sku: "CHAIR-OAK-01", quantity: "2" }] },
    { packageId: "340123450000000024", contents: [{ sku: "CUSHION-GREY", quantity: "4" }] },
  ],
};

const customer = {
  kind: "company" as const,
  name: "Berg GmbH",
  code: "4012345000009",
  taxId: "DE123456789",
  refs: [{ system: "edifact", kind: "gln", id: "4012345000009" }],
};

const invoice: Invoice = {
  schemaVersion: 1,
  invoiceNumber: "INV-2026-00031",
  kind: "invoice",
  status: "posted",
  issuedAt: "2026-03-02T15:00:00Z",
  dueDate: "2026-04-01",
  orders: [{ channel: "edifact", channelOrderId: "PO-4711" }],
  customer,
  billTo: {
    name: "Berg GmbH",
    street: "Hauptstrasse 5",
    city: "Berlin",
    postalCode: "10115",
    countryCode: "DE",
  },
  currency: "EUR",
  pricesIncludeTax: false,
  lines: [
    {
      lineId: "1",
      sku: "CHAIR-OAK-01",
      name: "Oak chair",
      quantity: "2",
      uom: "C62",
      unitPrice: "129.00",
      discounts: [{ amount: "12.90", code: "DI" }],
      taxes: [{ name: "VAT", code: "S", rate: "19", amount: "46.57" }],
      total: "245.10",
    },
    {
      lineId: "2",
      sku: "CUSHION-GREY",
      quantity: "4",
      uom: "H87",
      unitPrice: "19.90",
      taxes: [{ name: "VAT", code: "S", rate: "19", amount: "15.12" }],
      total: "79.60",
    },
  ],
  shippingLines: [{ method: "freight", price: "9.90", total: "9.90" }],
  paymentTerms: { dueDays: 30 },
  totals: {
    subtotal: "324.70",
    discountTotal: "12.90",
    shippingTotal: "9.90",
    taxTotal: "61.69",
    grandTotal: "396.29",
  },
};

describe("edifact writer", () => {
  it("writes the envelope from the partner config, the clock and the control reference allocator", () => {
    const written = writeInterchange(
      { ...partner, test: true, ackRequested: true },
      [ordrspDraft(ack)],
      deps,
    );
    const lines = written.text.slice(9).split("'");
    assert.equal(written.text.slice(0, 9), "UNA:+.? '");
    assert.equal(lines[0], "UNB+UNOC:3+4012345000009:14+4099999000005:14+260302:0905+000000042++++1++1");
    assert.equal(lines[1], "UNH+1+ORDRSP:D:96A:UN:EAN008");
    assert.match(written.text, /UNT\+17\+1'UNZ\+1\+000000042'$/);
    assert.equal(written.controlRef, "000000042");
    assert.deepEqual(written.messageRefs, ["1"]);
  });

  it("escapes every service character with the release character", () => {
    assert.equal(formatSegment(["FTX", "AAI", "", "", ["a?b:c+d'e"]]), "FTX+AAI+++a??b?:c?+d?'e'");
    const oracle = oracleSegments(`UNA:+.? '${formatSegment(["FTX", "AAI", "", "", ["a?b:c+d'e"]])}`);
    assert.deepEqual(oracle[0]?.elements[3], ["a?b:c+d'e"]);
  });

  it("round-trips ORDRSP: the oracle reads our segments, our reader maps it back identically", () => {
    assert.deepEqual(roundTrip(ordrspDraft(ack)), [ack]);
    assert.doesNotThrow(() => oracleValidated(writeInterchange(partner, [ordrspDraft(ack)], deps).text));
  });

  it("round-trips DESADV with packages (SSCC) and an unpacked line", () => {
    assert.deepEqual(roundTrip(desadvDraft(shipment)), [
      { ...shipment, lines: [shipment.lines[2], shipment.lines[0], shipment.lines[1]] },
    ]);
    assert.doesNotThrow(() => oracleValidated(writeInterchange(partner, [desadvDraft(shipment)], deps).text));
  });

  it("round-trips INVOIC with discounts, taxes, freight and payment terms, and the oracle validates it", () => {
    assert.deepEqual(roundTrip(invoicDraft(invoice)), [invoice]);
    assert.doesNotThrow(() => oracleValidated(writeInterchange(partner, [invoicDraft(invoice)], deps).text));
  });

  it("writes numbers with a decimal comma when the partner's UNA says so, and reads them back", () => {
    const config = { ...partner, delimiters: { decimal: "," } };
    const written = writeInterchange(config, [invoicDraft(invoice)], deps);
    assert.match(written.text, /PRI\+AAA:129,00'/);
    assert.deepEqual(roundTrip(invoicDraft(invoice), config), [invoice]);
  });

  it("writes UTF-8 under UNOY and refuses characters UNOC cannot carry", () => {
    const named: SupplierAcknowledgement = {
      ...ack,
      status: "rejected",
      lines: [{ ...ack.lines[2]!, reason: "Lieferant ausverkauft: €, ½" }],
    };
    assert.deepEqual(roundTrip(ordrspDraft(named), { ...partner, syntaxId: "UNOY", syntaxVersion: "4" }), [
      named,
    ]);
    assert.throws(
      () => encodeText("€", "UNOC"),
      (error: unknown) => error instanceof CrossdockError && error.code === "CDK_EDI_UNSUPPORTED",
    );
    assert.throws(() => invoicDraft({ ...invoice, pricesIncludeTax: true }), CrossdockError);
  });
});

describe("edifact CONTRL writer", () => {
  const received = readEdifact(
    "in.edi",
    "UNB+UNOC:3+SENDER:14+US:14+260302:0900+77'UNH+9+ORDERS:D:96A:UN'BGM+220+A'UNT+3+9'UNZ+1+77'",
  );

  it("accepts an interchange with UCI action 7 and one UCM per message", () => {
    assert.ok(received.ok);
    const draft = contrlDraft(received.interchanges[0]!);
    const text = writeInterchange(partner, [draft], deps).text;
    assert.match(
      text,
      /UNH\+1\+CONTRL:D:3:UN'UCI\+77\+SENDER:14\+US:14\+7'UCM\+9\+ORDERS:D:96A:UN\+7'UNT\+4\+1'/,
    );
    oracleSegments(text);
  });

  it("rejects with the located error: UCM with the code for a bad UNT, UCS/UCD for a bad element", () => {
    const badCount = readEdifact(
      "in.edi",
      "UNB+UNOC:3+S+R+260302:0900+78'UNH+9+ORDERS:D:96A:UN'BGM+220+A'UNT+4+9'UNZ+1+78'",
    );
    assert.equal(badCount.ok, false);
    if (badCount.ok) return;
    const draft = contrlDraft(badCount.interchanges[0]!, badCount.failure);
    assert.deepEqual(draft.segments, [
      ["UCI", "78", ["S", ""], ["R", ""], "4"],
      ["UCM", "9", ["ORDERS", "D", "96A", "UN"], "4", "29", "UNT"],
    ]);
    const badRelease = readEdifact(
      "in.edi",
      "UNB+UNOC:3+S+R+260302:0900+79'UNH+9+ORDERS:D:96A:UN'IMD+F++:::A?*B'UNT+3+9'UNZ+1+79'",
    );
    assert.equal(badRelease.ok, false);
    if (badRelease.ok) return;
    const rejected = contrlDraft(badRelease.interchanges[0]!, badRelease.failure).segments;
    assert.deepEqual(rejected.slice(1), [
      ["UCM", "9", ["ORDERS", "D", "96A", "UN"], "4"],
      ["UCS", "2"],
      ["UCD", "21", ["3", "4"]],
    ]);
  });

  it("rejects an envelope error at the UCI with the tag and element position", () => {
    const badRef = readEdifact(
      "in.edi",
      "UNB+UNOC:3+S+R+260302:0900+80'UNH+9+ORDERS:D:96A:UN'BGM+220+A'UNT+3+9'UNZ+1+81'",
    );
    assert.equal(badRef.ok, false);
    if (badRef.ok) return;
    assert.deepEqual(contrlDraft(badRef.interchanges[0]!, badRef.failure).segments, [
      ["UCI", "80", ["S", ""], ["R", ""], "4", "28", "UNZ", ["2"]],
    ]);
  });

  it("reads a partner's CONTRL back: which interchange, accepted or rejected, per message", () => {
    const badCount = readEdifact(
      "in.edi",
      "UNB+UNOC:3+S+R+260302:0900+78'UNH+9+ORDERS:D:96A:UN'BGM+220+A'UNT+4+9'UNZ+1+78'",
    );
    assert.equal(badCount.ok, false);
    if (badCount.ok) return;
    const written = writeInterchange(
      partner,
      [contrlDraft(badCount.interchanges[0]!, badCount.failure)],
      deps,
    );
    const read = readEdifact("contrl.edi", written.bytes);
    assert.ok(read.ok);
    assert.deepEqual(readContrl(read.interchanges[0]!.messages[0]!), {
      interchangeRef: "78",
      action: "rejected",
      messages: [{ reference: "9", action: "rejected", errorCode: "29" }],
    });
  });
});
