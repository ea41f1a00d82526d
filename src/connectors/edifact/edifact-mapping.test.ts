import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { mapEdifactMessage } from "./edifact-mapping.ts";
import type { EdifactMappingOptions } from "./edifact-mapping-context.ts";
import { readEdifact } from "./edifact-reader.ts";
import { divideDecimal, ediDate, ediDecimal } from "./edifact-values.ts";

const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url));

function messages(input: string | Uint8Array) {
  const read = readEdifact("m.edi", input);
  assert.ok(read.ok, read.ok ? "" : read.failure.message);
  return read.interchanges.flatMap((interchange) => interchange.messages);
}

function mapOne(body: string, options: EdifactMappingOptions = {}) {
  const segments = body.split("'").filter((s) => s !== "").length;
  const text = `UNB+UNOC:3+S+R+260301:0930+1'UNH+1+${body}UNT+${segments + 1}+1'UNZ+1+1'`;
  return mapEdifactMessage("m.edi", messages(text)[0]!, options);
}

const ORDER_HEAD = "ORDERS:D:96A:UN'BGM+220+PO-1+9'DTM+137:20260301:102'NAD+BY+4012345000009::9'CUX+2:EUR:9'";

describe("edifact values", () => {
  it("reads numbers with either decimal mark and dates by format code", () => {
    assert.deepEqual(["1,5", ".5", "007", "-0", "1.00", "1x", ""].map(ediDecimal), [
      "1.5",
      "0.5",
      "7",
      "0",
      "1.00",
      undefined,
      undefined,
    ]);
    assert.equal(divideDecimal("3630.1724", "100"), "36.301724");
    assert.equal(divideDecimal("10", "3", 2), "3.33");
    assert.deepEqual(ediDate("202603010930", "203"), { ok: true, date: "2026-03-01", time: "09:30:00" });
    assert.deepEqual(ediDate("260301", "101"), { ok: true, date: "2026-03-01" });
    assert.equal(ediDate("20260230", "102").ok, false);
    assert.match((ediDate("199910060000", "102") as { quirk?: string }).quirk ?? "", /read as 203/);
  });
});

describe("edifact ORDERS mapping", () => {
  it("maps the fixture to a canonical order: parties, addresses, item ids, decimal comma, free text", () => {
    const [message] = messages(fixture("orders-d96a-latin1.edi"));
    const outcome = mapEdifactMessage("orders.edi", message!, {
      channel: "edi-mueller",
      utcOffset: "+01:00",
    });
    assert.ok(outcome.ok, outcome.ok ? "" : outcome.failure.message);
    assert.equal(outcome.entity, "order");
    assert.deepEqual(outcome.records, [
      {
        schemaVersion: 1,
        channel: "edi-mueller",
        channelOrderId: "PO-4711",
        orderNumber: "PO-4711",
        status: "pending",
        placedAt: "2026-03-01T09:30:00+01:00",
        customer: {
          kind: "company",
          name: "Müller Handel GmbH",
          code: "4012345000009",
          taxId: "DE123456789",
          refs: [{ system: "edi-mueller", kind: "gln", id: "4012345000009" }],
        },
        shipTo: {
          name: "Müller Lager",
          street: "Lagerweg 1",
          street2: "Tor 2",
          city: "Hamburg",
          postalCode: "20095",
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
            total: "258.00",
          },
          {
            lineId: "2",
            sku: "CUSHION-GREY",
            name: "Seat cushion, grey 1:1 pack",
            quantity: "4",
            uom: "H87",
            unitPrice: "19.90",
            total: "79.60",
          },
        ],
        totals: {
          subtotal: "337.60",
          discountTotal: "0",
          shippingTotal: "0",
          taxTotal: "0",
          grandTotal: "337.60",
        },
        notes: "Ring twice: dock 3",
        extensions: {
          "edi-mueller": {
            messageRef: "1",
            messageType: "ORDERS:D:96A:UN:EAN008",
            documentCode: "220",
            messageFunction: "9",
            parties: { BY: "4012345000009", DP: "4012345000016", SU: "4099999000005" },
            references: {},
            requestedDelivery: "2026-03-05",
            itemNumbers: {
              "1": { EN: "4006381333931", SA: "CHAIR-OAK-01" },
              "2": { EN: "4006381333948", SA: "CUSHION-GREY", IN: "B-77" },
            },
          },
        },
      },
    ]);
    assert.deepEqual(outcome.warnings, []);
  });

  it("takes the SKU by the partner's item id preference and divides the price by its basis", () => {
    const outcome = mapOne(
      `${ORDER_HEAD}LIN+1++4006381333931:EN'PIA+1+B-77:IN'QTY+21:54'PRI+AAA:3630.1724::NTP:100'`,
      {
        itemIdPreference: ["IN"],
      },
    );
    assert.ok(outcome.ok);
    const line = (outcome.records[0] as { lines: { sku: string; unitPrice: string; total: string }[] })
      .lines[0];
    assert.deepEqual([line?.sku, line?.unitPrice, line?.total], ["B-77", "36.301724", "1960.29"]);
  });

  it("keeps unpriced lines at 0 with a warning and a flag, and warns when the default currency applies", () => {
    const outcome = mapOne(
      "ORDERS:D:96A:UN'BGM+220+PO-1+9'DTM+137:20260301:102'NAD+BY+B'LIN+1++S1:SA'QTY+21:1'",
      {
        defaultCurrency: "CHF",
      },
    );
    assert.ok(outcome.ok);
    const order = outcome.records[0] as {
      currency: string;
      extensions: Record<string, { unpricedLines: string[] }>;
    };
    assert.equal(order.currency, "CHF");
    assert.deepEqual(order.extensions.edifact?.unpricedLines, ["1"]);
    assert.equal(outcome.warnings.length, 2);
  });

  it("locates content problems: element, found and expected; every problem is listed", () => {
    const outcome = mapOne(
      `${ORDER_HEAD}LIN+1++S1:SA'QTY+21:1x'LIN+2++S2:SA'QTY+21:2:GBND'LIN+3'QTY+21:1'LIN+4++S4:SA'`,
    );
    assert.equal(outcome.ok, false);
    if (outcome.ok) return;
    assert.equal(outcome.failure.code, "CDK_EDI_CONTENT");
    assert.deepEqual(outcome.failure.location, { segment: 8, tag: "QTY", line: 1, element: "QTY-01-2" });
    assert.match(
      outcome.failure.message,
      /^m\.edi segment 8 \(QTY-01-2, line 1\): message 1: the quantity is not a number; found "1x", expected a decimal number \(and 3 more/,
    );
    assert.deepEqual(
      outcome.failure.problems?.map((p) => p.location.element ?? p.location.tag),
      ["QTY-01-2", "QTY-01-3", "LIN-03-1", "LIN"],
    );
    const mapped = mapOne(`${ORDER_HEAD}LIN+1++S2:SA'QTY+21:2:GBND'`, { units: { GBND: "CT" } });
    assert.ok(mapped.ok);
  });

  it("locates a model problem at the segment the field came from (stated total, CNT, buyer, currency)", () => {
    const total = mapOne(`${ORDER_HEAD}LIN+1++S1:SA'QTY+21:2'PRI+AAA:5'MOA+203:11'`);
    assert.equal(total.ok ? "" : total.failure.location.element, "MOA-01-2");
    assert.match(
      total.ok ? "" : total.failure.message,
      /\/lines\/0\/total total is 11 but quantity x unitPrice/,
    );
    const cnt = mapOne(`${ORDER_HEAD}LIN+1++S1:SA'QTY+21:2'UNS+S'CNT+2:3'`);
    assert.equal(cnt.ok ? "" : cnt.failure.location.element, "CNT-01-2");
    const noBuyer = mapOne("ORDERS:D:96A:UN'BGM+220+PO-1+9'DTM+137:20260301:102'LIN+1++S1:SA'QTY+21:2'");
    const problems = noBuyer.ok ? [] : (noBuyer.failure.problems ?? []).map((p) => p.message);
    assert.equal(problems.length, 2);
    assert.match(problems[0] ?? "", /the currency is missing and the partner has no default currency/);
    assert.match(problems[1] ?? "", /the customer is missing, expected NAD\+BY with an id or name/);
  });
});

describe("edifact INVOIC, DESADV mapping and unsupported types", () => {
  it("maps an INVOIC with taxes and stated totals; APERAK is CDK_EDI_UNSUPPORTED at UNH-02-1", () => {
    const [invoic, aperak] = messages(fixture("invoic-and-aperak.edi"));
    const outcome = mapEdifactMessage("i.edi", invoic!);
    assert.ok(outcome.ok, outcome.ok ? "" : outcome.failure.message);
    const invoice = outcome.records[0] as { totals: object; lines: { taxes: object[] }[]; orders: object[] };
    assert.deepEqual(invoice.totals, {
      subtotal: "258.00",
      discountTotal: "0",
      shippingTotal: "0",
      taxTotal: "49.02",
      grandTotal: "307.02",
    });
    assert.deepEqual(invoice.lines[0]?.taxes, [{ rate: "19", amount: "49.02", name: "VAT", code: "S" }]);
    assert.deepEqual(invoice.orders, [{ channel: "edifact", channelOrderId: "PO-4711" }]);
    const unsupported = mapEdifactMessage("i.edi", aperak!);
    assert.equal(unsupported.ok, false);
    if (unsupported.ok) return;
    assert.equal(unsupported.failure.code, "CDK_EDI_UNSUPPORTED");
    assert.deepEqual(unsupported.failure.location, { segment: 19, tag: "UNH", line: 1, element: "UNH-02-1" });
  });

  it("splits a DESADV covering several orders into one shipment per order", () => {
    const outcome = mapOne(
      "DESADV:D:96A:UN'BGM+351+D-1+9'DTM+11:20260302:102'RFF+ON:PO-1'CPS+1'LIN+1++S1:SA'QTY+12:1'LIN+2++S2:SA'QTY+12:2'RFF+ON:PO-2'",
    );
    assert.ok(outcome.ok, outcome.ok ? "" : outcome.failure.message);
    assert.deepEqual(
      outcome.records.map((r) => (r as { shipmentId: string; lines: unknown[] }).shipmentId),
      ["D-1/PO-1", "D-1/PO-2"],
    );
  });
});
