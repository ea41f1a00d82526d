/**
 * The 810 mapper: the project's own 810 writer read back to the invoice it was written from, the
 * allowance, charge and tax rules, who the customer is, located refusals of hostile documents, and the
 * corpus 810s when the shared corpus is there.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { compareDecimals, sumDecimals } from "../../core/model/decimal.ts";
import type { Invoice } from "../../core/model/invoice.ts";
import { MODEL_EXAMPLES } from "../../core/model/model-examples.ts";
import { build810 } from "./x12-build-810.ts";
import { X12_MAPPERS } from "./x12-mappers.ts";
import type { X12Problem } from "./x12-segment.ts";
import { createX12SetRunner } from "./x12-set-runner.ts";
import { runX12 } from "./x12-stream.ts";
import { writeX12Interchange, type X12PartnerEnvelope } from "./x12-writer.ts";

const CORPUS = fileURLToPath(new URL("../../../../shared/corpus/x12/", import.meta.url));

const supplier: X12PartnerEnvelope = {
  senderQualifier: "ZZ",
  senderId: "NORDICOAK",
  receiverQualifier: "ZZ",
  receiverId: "CROSSDOCK",
  version: "00401",
  elementSeparator: "*",
  segmentTerminator: "~",
  componentSeparator: ">",
  usageIndicator: "T",
  lineBreak: "\n",
};

function map(file: string, text: string | Uint8Array, options: { defaultCurrency?: string } = {}) {
  const invoices: Invoice[] = [];
  const problems: X12Problem[] = [];
  const warnings: string[] = [];
  runX12(
    file,
    text,
    createX12SetRunner(file, { connection: "nordic-oak", ...options }, X12_MAPPERS, {
      record: (r) => {
        assert.equal(r.entity, "invoice");
        invoices.push(r.value as Invoice);
      },
      problem: (p) => problems.push(p),
      warning: (w) => warnings.push(w),
    }),
  );
  return { invoices, problems, warnings };
}

function interchange(invoice: Invoice): string {
  return writeX12Interchange(supplier, {
    functionalId: "IN",
    sets: [build810(invoice)],
    control: { interchange: 7, group: 7, sets: [7] },
    at: new Date("2026-03-02T15:20:00Z"),
  });
}

/** A bare 810 set around `body` (segments between ST and SE, `~`-terminated). */
function bare(body: string): string {
  const count = body.split("~").filter(Boolean).length + 2;
  return `ST*810*0001~${body}SE*${count}*0001~`;
}

const BIG = "BIG*20260301*INV-1**PO-9~";
const BT = "N1*BT*CROSSDOCK HUB*92*HUB~";

describe("810 to invoice", () => {
  it("reads the project's own 810 (x12-build-810.ts) back to the invoice it was written from", () => {
    const written = MODEL_EXAMPLES.invoice;
    const { invoices, problems, warnings } = map("810.x12", interchange(written));
    assert.deepEqual(problems, []);
    assert.deepEqual(warnings, []);
    const [read] = invoices;
    assert.equal(read!.invoiceNumber, written.invoiceNumber);
    assert.equal(read!.kind, "invoice");
    assert.equal(read!.status, "posted");
    // BIG01 is a date (UTC, as the writer writes it): the time of day is not in the 810.
    assert.equal(read!.issuedAt, "2026-03-02T00:00:00Z");
    assert.equal(read!.dueDate, written.dueDate);
    assert.deepEqual(read!.orders, [
      { channel: "nordic-oak", channelOrderId: MODEL_EXAMPLES.order.channelOrderId },
    ]);
    assert.equal(read!.currency, "EUR");
    assert.deepEqual(read!.customer, { kind: "company", name: "Ana Berg" });
    assert.deepEqual(read!.billTo, { ...written.billTo, name: "Ana Berg" });
    // Amounts come back as the X12 numbers were written ("129" for "129.00"), C62 as EA.
    const essentials = (lines: readonly Invoice["lines"][number][]) =>
      lines.map((l) => [l.lineId, l.sku, l.name, l.quantity, l.unitPrice, l.total]);
    const sameNumbers = (a: unknown[][], b: unknown[][]) =>
      a.every((row, i) =>
        row.every((v, k) => (k < 3 ? v === b[i]![k] : compareDecimals(String(v), String(b[i]![k])) === 0)),
      );
    assert.ok(sameNumbers(essentials(read!.lines), essentials(written.lines)), JSON.stringify(read!.lines));
    assert.deepEqual(
      read!.lines.map((l) => l.uom),
      ["EA", "EA"],
    );
    assert.deepEqual(
      read!.shippingLines!.map(({ taxes: _, ...line }) => line),
      [{ method: "Standard", price: "9.9", total: "9.9" }],
    );
    for (const key of ["subtotal", "discountTotal", "shippingTotal", "taxTotal", "grandTotal"] as const) {
      assert.equal(compareDecimals(read!.totals[key], written.totals[key]), 0, key);
    }
    // The line discount comes back from its SAC allowance (C310, percent, promotion code in SAC13).
    assert.deepEqual(read!.lines[0]!.discounts, [{ amount: "12.9", rate: "5", code: "SPRING5" }]);
    // TXI carries the tax total without a rate: it is spread over the lines at the effective rate, the
    // shares adding up to the written total.
    const taxes = read!.lines.flatMap((line) => line.taxes ?? []);
    assert.ok(taxes.every((tax) => tax.code === "TX"));
    assert.equal(compareDecimals(sumDecimals(taxes.map((tax) => tax.amount)), written.totals.taxTotal), 0);
    assert.deepEqual((read!.extensions!["nordic-oak"] as { productIds: unknown[] }).productIds, [
      { lineId: "13579246801357924680", VP: "CHAIR-OAK-01" },
      { lineId: "13579246801357924681", VP: "CUSHION-GREY" },
    ]);
  });

  it("warns at TDS-01 when the total disagrees, the lines win", () => {
    const text = interchange(MODEL_EXAMPLES.invoice).replace(/TDS\*39817~/, "TDS*39000~");
    const { invoices, problems, warnings } = map("810.x12", text);
    assert.deepEqual(problems, []);
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0]!,
      /^810\.x12: segment \d+ \(TDS-01\): TDS01 says the invoice total is 390; the lines, charges and taxes make 398\.17/,
    );
    const [read] = invoices;
    assert.equal(compareDecimals(read!.totals.grandTotal, "398.17"), 0);
    assert.equal(
      compareDecimals((read!.extensions!["nordic-oak"] as { statedTotal: string }).statedTotal, "390"),
      0,
    );
  });

  it("reads a credit note (BIG07 CR) and a cancellation (BIG08 01)", () => {
    const credit = map("cr.edi", bare(`BIG*20260301*CN-1**PO-9***CR~${BT}IT1*1*1*EA*10**BP*A1~TDS*1000~`));
    assert.deepEqual(credit.problems, []);
    assert.equal(credit.invoices[0]!.kind, "credit_note");
    assert.equal(credit.invoices[0]!.status, "posted");
    const cancelled = map(
      "c.edi",
      bare(`BIG*20260301*IN-1**PO-9***DI*01~${BT}IT1*1*1*EA*10**BP*A1~TDS*1000~`),
    );
    assert.equal(cancelled.invoices[0]!.kind, "invoice");
    assert.equal(cancelled.invoices[0]!.status, "cancelled");
  });

  it("maps allowances, charges and taxes so that TDS adds up", () => {
    const { invoices, problems, warnings } = map(
      "sac.edi",
      bare(
        `${BIG}CUR*BY*USD~N1*SE*NORDIC OAK AB*92*NO~${BT}ITD*01*3****20260331*30*****NET 30~` +
          "IT1*1*10*EA*12.5**VP*V-A*BP*A1~PID*F****Chair~SAC*A*C310***500*3*4~" +
          "IT1*2*4*CA*20**BP*B2~SAC*N*F050***100~SAC*C*D240***500~" +
          // 120 + 80 = 200; 10.00 off the invoice, spread 6.00/4.00; freight 5.00 + 10.00;
          // 8 % on 190 + 15 = 16.40, spread 9.12/6.08/1.20.
          "TDS*22140~TXI*ST*16.40*8~SAC*A*C310***1000~SAC*C*D240***1000~",
      ),
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(warnings, []);
    const [invoice] = invoices;
    assert.deepEqual(invoice!.customer, { kind: "company", name: "CROSSDOCK HUB", code: "HUB" });
    assert.deepEqual(invoice!.paymentTerms, { code: "01", name: "NET 30", dueDays: 30 });
    assert.equal(invoice!.dueDate, "2026-03-31");
    assert.deepEqual(invoice!.lines[0], {
      lineId: "1",
      sku: "A1",
      name: "Chair",
      quantity: "10",
      uom: "EA",
      unitPrice: "12.5",
      discounts: [
        { amount: "5", rate: "4", code: "C310" },
        { amount: "6.00", code: "C310" },
      ],
      taxes: [{ code: "ST", rate: "8", amount: "9.12" }],
      total: "114.00",
    });
    assert.deepEqual(invoice!.lines[1]!.discounts, [{ amount: "4.00", code: "C310" }]);
    assert.deepEqual(invoice!.lines[1]!.taxes, [{ code: "ST", rate: "8", amount: "6.08" }]);
    assert.equal(invoice!.lines[1]!.uom, "CS");
    assert.deepEqual(invoice!.shippingLines, [
      {
        method: "Freight",
        price: "15",
        total: "15",
        taxes: [{ code: "ST", rate: "8", amount: "1.20" }],
      },
    ]);
    assert.deepEqual(invoice!.totals, {
      subtotal: "190.00",
      discountTotal: "15.00",
      shippingTotal: "15",
      taxTotal: "16.40",
      grandTotal: "221.4",
    });
    assert.deepEqual((invoice!.extensions!["nordic-oak"] as { seller: unknown }).seller, {
      role: "SE",
      name: "NORDIC OAK AB",
      idQualifier: "92",
      id: "NO",
    });
  });

  it("takes the bill-to as the customer, else the buyer, else the ISA receiver (us)", () => {
    const by = map("by.edi", bare(`${BIG}N1*SE*SELLER~N1*BY*BUYER CO~IT1*1*1*EA*10**BP*A1~TDS*1000~`));
    assert.equal(by.invoices[0]!.customer.name, "BUYER CO");
    const edi = writeX12Interchange(supplier, {
      functionalId: "IN",
      sets: [
        {
          type: "810",
          segments: [
            ["BIG", "20260301", "INV-1", "", "PO-9"],
            ["N1", "SE", "NORDIC OAK"],
            ["N1", "ST", "", "92", "WH1"],
            ["IT1", "1", "1", "EA", "10", "", "BP", "A1"],
            ["TDS", "1000"],
          ],
        },
      ],
      control: { interchange: 8, group: 8, sets: [8] },
      at: new Date("2026-03-02T15:20:00Z"),
    });
    const isa = map("isa.x12", edi);
    assert.deepEqual(isa.problems, []);
    assert.equal(isa.invoices[0]!.customer.name, "CROSSDOCK");
  });

  const refusals: [string, string, string, string | RegExp][] = [
    ["no BIG", `${BT}IT1*1*1*EA*10**BP*A1~TDS*1000~`, "ST", /no BIG segment/],
    ["an empty BIG02", `BIG*20260301***PO-9~${BT}IT1*1*1*EA*10**BP*A1~TDS*1000~`, "BIG-02", "BIG02"],
    [
      "a date that does not read",
      `BIG*20261399*INV-1~${BT}IT1*1*1*EA*10**BP*A1~TDS*1000~`,
      "BIG-01",
      "BIG01",
    ],
    ["no IT1", `${BIG}${BT}TDS*1000~`, "BIG", "no IT1 line"],
    ["a non-numeric quantity", `${BIG}${BT}IT1*1*ten*EA*10**BP*A1~TDS*1000~`, "IT1-02", '"ten"'],
    ["a negative unit price", `${BIG}${BT}IT1*1*1*EA*-10**BP*A1~TDS*1000~`, "IT1-04", '"-10"'],
    ["no unit", `${BIG}${BT}IT1*1*1**10**BP*A1~TDS*1000~`, "IT1-03", "IT103"],
    ["no product id", `${BIG}${BT}IT1*1*1*EA*10*PE~TDS*1000~`, "IT1-07", "no product id"],
    ["TDS not a number", `${BIG}${BT}IT1*1*1*EA*10**BP*A1~TDS*10.00~`, "TDS-01", '"10.00"'],
    ["no TDS", `${BIG}${BT}IT1*1*1*EA*10**BP*A1~`, "BIG", "no TDS"],
    ["an unknown SAC01", `${BIG}${BT}IT1*1*1*EA*10**BP*A1~TDS*1000~SAC*X*D240***100~`, "SAC-01", '"X"'],
    [
      "a SAC amount that is not N2",
      `${BIG}${BT}IT1*1*1*EA*10**BP*A1~SAC*A*C310***1.5~TDS*850~`,
      "SAC-05",
      '"1.5"',
    ],
    [
      "an allowance over the line",
      `${BIG}${BT}IT1*1*1*EA*10**BP*A1~SAC*A*C310***1500~TDS*0~`,
      "SAC-05",
      "at most",
    ],
    [
      "a TXI amount that does not read",
      `${BIG}${BT}IT1*1*1*EA*10**BP*A1~TDS*1000~TXI*ST*abc~`,
      "TXI-02",
      '"abc"',
    ],
    ["an unknown currency", `${BIG}CUR*SE*XXQ~${BT}IT1*1*1*EA*10**BP*A1~TDS*1000~`, "CUR-02", "XXQ"],
    ["no customer at all", `${BIG}IT1*1*1*EA*10**BP*A1~TDS*1000~`, "BIG-02", "no bill-to"],
  ];
  for (const [what, body, element, text] of refusals) {
    it(`refuses ${what}, located at ${element}`, () => {
      const { invoices, problems } = map("bad.edi", bare(body));
      assert.deepEqual(invoices, []);
      assert.equal(problems.length, 1, what);
      const [problem] = problems;
      assert.equal(problem!.code, "CDK_EDI_CONTENT");
      assert.equal(problem!.location.element ?? problem!.location.tag, element);
      if (typeof text === "string") assert.ok(problem!.message.includes(text), problem!.message);
      else assert.match(problem!.message, text);
    });
  }

  it("maps 10,000 IT1 lines and refuses the 10,001st, located at its IT1", () => {
    const body = (n: number) =>
      `${BIG}${BT}${Array.from({ length: n }, (_, i) => `IT1*${i + 1}*2*EA*1.25**BP*SKU-${i}~`).join("")}` +
      `TDS*${n * 270}~TXI*ST*${(n * 0.2).toFixed(2)}*8~CTT*${n}~`;
    const ok = map("big.edi", bare(body(10_000)));
    assert.deepEqual(ok.problems, []);
    assert.equal(ok.invoices[0]!.lines.length, 10_000);
    assert.equal(ok.invoices[0]!.totals.grandTotal, "27000");
    const over = map("bigger.edi", bare(body(10_001)));
    assert.deepEqual(over.invoices, []);
    assert.equal(over.problems[0]!.location.segment, 3 + 10_000 + 1);
    assert.match(over.problems[0]!.message, /more than 10000 IT1 lines/);
  });

  it("maps the corpus 810s or refuses them with a located error", {
    skip: existsSync(CORPUS) ? false : `no corpus at ${CORPUS} (a CI clone without ../shared)`,
  }, () => {
    const read = (file: string) => map(file, readFileSync(CORPUS + file));
    const vics = read("bots-plugins__810-004010VICS-01.x12");
    assert.deepEqual(vics.problems, []);
    assert.deepEqual(vics.warnings, []);
    assert.deepEqual(
      vics.invoices.map((i) => [i.invoiceNumber, i.customer.name, i.totals.taxTotal, i.totals.grandTotal]),
      [
        ["465266", "MACDONALDS CONSOLIDATED LTD", "551.62", "8432.02"],
        ["465267", "MACDONALDS CONSOLIDATED LTD", "73.92", "1129.92"],
      ],
    );
    // SAC*C*D360 (GST, 7 %) is a tax on its line, not a charge.
    assert.deepEqual(vics.invoices[0]!.lines[0]!.taxes, [
      { name: "Goods and services tax", code: "D360", rate: "7", amount: "58.87" },
    ]);
    assert.equal(vics.invoices[0]!.dueDate, "2002-06-23");
    assert.equal(read("bots-plugins__810-004030-01.x12").invoices.length, 2);
    // The retailer samples' TDS (12345.79) is a made-up figure that their lines do not add up
    // to: mapped, with a warning at TDS-01.
    for (const [file, grand, customer] of [
      ["bots-plugins__retailer_810_1.x12", "1320", "JIT MANUFACTURING"],
      ["bots-plugins__retailer_810_2.x12", "3587.0", "012341234"],
    ]) {
      const result = read(file!);
      assert.deepEqual(result.problems, [], file);
      assert.equal(result.invoices[0]!.totals.grandTotal, grand, file);
      assert.equal(result.invoices[0]!.customer.name, customer, file);
      assert.match(result.warnings.join("\n"), /\(TDS-01\): TDS01 says the invoice total is 12345\.79/);
    }
    const retailer = read("bots-plugins__retailer_810_1.x12").invoices[0]!;
    assert.equal(retailer.lines[0]!.sku, "525");
    assert.deepEqual(retailer.orders, [{ channel: "nordic-oak", channelOrderId: "ordernumber" }]);
    const types2 = read("x12-types__004010_810_2.edi");
    assert.deepEqual(types2.problems, []);
    assert.equal(types2.invoices[0]!.totals.grandTotal, "57.7");
    // The envelope's SE01 is wrong: refused before mapping.
    const types1 = read("x12-types__004010_810_1.edi");
    assert.equal(types1.problems[0]!.code, "CDK_EDI_CONTROL");
    // A freight invoice whose IT1 has no product id (only PID text).
    const types3 = read("x12-types__004010_810_3_ST-only.edi");
    assert.deepEqual(
      [types3.problems[0]!.code, types3.problems[0]!.location.segment, types3.problems[0]!.location.element],
      ["CDK_EDI_CONTENT", 11, "IT1-07"],
    );
  });
});
