/**
 * 810 (invoice) from a supplier to the canonical `invoice`.
 *
 * Whose invoice: the canonical `invoice` is written from the issuer's side (Odoo's `account.move`),
 * and its `customer` is who is billed. An 810 we receive is the supplier's invoice to us, so the
 * `customer` is us as the supplier names us: N1*BT (bill-to), else BY, else ST, else the ISA receiver
 * id (ISA08), else GS03. The seller (N1*SE, VN, II, RI, SF) has no field in the model and goes to
 * `extensions[connection].seller`, with every N1 party.
 *
 * - `invoiceNumber` BIG02; `issuedAt` BIG01 (else DTM*003) at midnight in the partner's offset;
 *   `orders` the buyer's PO number BIG04 (else REF*PO) in the connection's channel.
 * - `kind`: BIG07 `CR` (credit memo) is a `credit_note`, anything else an `invoice`. BIG08 and the
 *   sign of TDS are not looked at for the kind (amounts are positive for both kinds); BIG08 `01`
 *   (cancellation) makes the status `cancelled`, else `posted`.
 * - `currency` CUR02, else the connection's `defaultCurrency` (default USD). `dueDate` ITD06 (else
 *   DTM*814, what `x12-build-810.ts` writes); `paymentTerms` ITD01 code, ITD07 net days, ITD12 text.
 * - One line per IT1 loop: IT101 line id (else its position), IT102 quantity, IT103 unit (X12 to Rec
 *   20), IT104 unit price, the SKU from IT106..IT125 (`BP`, `IN`: our own number first, then the
 *   partner's preference), PID05 of a PID*F the name. A line with quantity 0 is left out (warning).
 * - Allowances and charges (SAC01 `A`/`C`; `N` is information): an allowance is a discount, on its
 *   line, or at the header spread over the lines in proportion to their totals (the model keeps
 *   discounts on lines). A tax charge (SAC02 `D360` GST, `H850` tax) is a tax; any other charge is a
 *   shipping line, one per SAC02 code (`D240` freight, `D500` handling, ...), line-level ones included.
 *   The amount is SAC05 (N2), else the SAC07 percent of its base.
 * - Taxes: a TXI in an IT1 loop is the line's; a TXI after TDS is the invoice's, spread over the
 *   lines (and the shipping lines when TXI03's rate fits that base). The rate is TXI03 when every
 *   share agrees with it, else the effective rate (amount / base), so `checkPricedDocument` accepts it.
 * - Totals are computed from the lines; `grandTotal` is TDS01 (N2) when it agrees within the
 *   currency's minor unit, else the computed total with a warning at TDS-01 (the lines win, as for
 *   the 850's CTT and the 855's BAK02), TDS01 kept as `extensions[connection].statedTotal`.
 *
 * Refused (`CDK_EDI_CONTENT`, located): no BIG or an empty BIG02; no date; no IT1 line, more than
 * 10,000, or none left with a quantity; an IT102, IT104, SAC05, SAC07, TXI02, TXI03 or TDS01 that
 * does not read or is negative; no product id or unit; SAC01 other than A, C, N; an allowance larger
 * than its base; a tax with no base; no customer; no TDS; `checkModel`'s refusals at the element the
 * field came from. Not mapped: SAC12 (how the allowance is settled), ITD discount terms, SLN
 * sublines, line-level N1/SDQ destinations, CAD, ISS; TXI tax on a SAC is taken as the invoice's.
 */
import {
  addDecimals,
  allocateDecimal,
  compareDecimals,
  multiplyDecimals,
  roundHalfEven,
  sumDecimals,
} from "../../core/model/decimal.ts";
import type { PartyValue } from "../../core/model/party.ts";
import { minorUnit, within } from "../../core/model/priced-document-checks.ts";
import type { ShippingLine } from "../../core/model/priced-lines.ts";
import {
  addDiscount,
  addTax,
  amountAt,
  CHARGE_NAMES,
  fail,
  type InvoiceLine,
  readSac,
  type StatedTax,
  spreadTax,
  statedTax,
} from "./x12-invoice-charges.ts";
import {
  DEFAULT_SKU_QUALIFIERS,
  pickSku,
  productIds,
  wholeSet,
  type X12MapperFactory,
  type X12SetContext,
} from "./x12-mapping.ts";
import { N1Loops, partyAddress, type X12Party } from "./x12-parties.ts";
import { emitChecked, interchangeIds, X12Origins } from "./x12-record-check.ts";
import { el, problemAt, type X12Problem, type X12Segment } from "./x12-segment.ts";
import { uomFromX12, x12Date, x12Decimal, x12Timestamp } from "./x12-values.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Line = InvoiceLine;

const MAX_LINES = 10_000;
const SELLER_ROLES = ["SE", "VN", "II", "RI", "SF"];
const CODE = /^[A-Za-z0-9][A-Za-z0-9_./-]{0,63}$/;

interface Loop {
  readonly it1: X12Segment;
  pid?: X12Segment;
  readonly sacs: X12Segment[];
  readonly txis: X12Segment[];
}

function party(p: X12Party) {
  return {
    role: p.role,
    ...(p.name ? { name: p.name } : {}),
    ...(p.id ? { idQualifier: p.idQualifier, id: p.id } : {}),
  };
}

function customerOf(billed: X12Party | undefined, context: X12SetContext): PartyValue | undefined {
  const name =
    billed?.name ||
    (context.isa ? el(context.isa, 8).trim() : "") ||
    (context.gs ? el(context.gs, 3).trim() : "");
  if (!name) return undefined;
  return {
    kind: "company",
    name: name.slice(0, 256),
    ...(billed?.id && CODE.test(billed.id) ? { code: billed.id } : {}),
    ...(billed?.email && /^[^\s@]+@[^\s@]+$/.test(billed.email) ? { email: billed.email } : {}),
    ...(billed?.phone ? { phone: billed.phone.slice(0, 64) } : {}),
  };
}

function mapLine(loop: Loop, index: number, context: X12SetContext, origins: X12Origins): Line | X12Problem {
  const { it1 } = loop;
  const file = context.file;
  const quantity = x12Decimal(el(it1, 2));
  if (quantity === undefined || quantity.startsWith("-"))
    return fail(file, it1, 2, `IT102 (quantity invoiced) is "${el(it1, 2)}"; expected a number, 0 or more`);
  const uom = uomFromX12(el(it1, 3));
  if (uom === undefined)
    return fail(file, it1, 3, `IT103 (unit of measure) is "${el(it1, 3)}"; expected a unit code such as EA`);
  const unitPrice = x12Decimal(el(it1, 4));
  if (unitPrice === undefined || unitPrice.startsWith("-"))
    return fail(file, it1, 4, `IT104 (unit price) is "${el(it1, 4)}"; expected the unit price, 0 or more`);
  const qualifiers = ["BP", "IN", ...(context.options.skuQualifiers ?? DEFAULT_SKU_QUALIFIERS)];
  const sku = pickSku(it1, 6, 25, qualifiers);
  if (sku === undefined)
    return fail(
      file,
      it1,
      7,
      "no product id in IT106..IT125; expected a qualifier (BP, VP, UP, ...) and an id",
    );
  const product = multiplyDecimals(quantity, unitPrice);
  const name = loop.pid === undefined ? "" : el(loop.pid, 5).trim();
  const path = `/lines/${index}`;
  origins.set(path, it1);
  origins.set(`${path}/lineId`, it1, 1);
  origins.set(`${path}/quantity`, it1, 2);
  origins.set(`${path}/uom`, it1, 3);
  origins.set(`${path}/unitPrice`, it1, 4);
  origins.set(`${path}/sku`, it1, sku.position);
  return {
    lineId: el(it1, 1).trim() || String(index + 1),
    sku: sku.sku,
    ...(name ? { name: name.slice(0, 2_000) } : {}),
    quantity,
    uom,
    unitPrice,
    total: (product.split(".")[1]?.length ?? 0) > 6 ? roundHalfEven(product, 6) : product,
  };
}

function map810(segments: readonly X12Segment[], context: X12SetContext): X12Problem | undefined {
  const { file, options } = context;
  const origins = new X12Origins(context.st);
  const parties = new N1Loops();
  const loops: Loop[] = [];
  const headerSacs: X12Segment[] = [];
  const headerTxis: X12Segment[] = [];
  const refs: Record<string, string> = {};
  const dates = new Map<string, X12Segment>();
  let big: X12Segment | undefined;
  let cur: X12Segment | undefined;
  let itd: X12Segment | undefined;
  let tds: X12Segment | undefined;
  let ctt: X12Segment | undefined;
  for (const seg of segments) {
    const loop = tds === undefined ? loops.at(-1) : undefined;
    if (seg.tag === "BIG") big ??= seg;
    else if (seg.tag === "TDS") tds ??= seg;
    else if (seg.tag === "CTT") ctt = seg;
    else if (seg.tag === "IT1" && tds === undefined) {
      if (loops.length === MAX_LINES)
        return problemAt(
          "CDK_EDI_CONTENT",
          file,
          { segment: seg.index, line: seg.line, tag: "IT1" },
          `the 810 has more than ${MAX_LINES} IT1 lines, the most an invoice holds`,
        );
      loops.push({ it1: seg, sacs: [], txis: [] });
    } else if (loop !== undefined) {
      if (seg.tag === "PID" && el(seg, 5).trim() !== "") loop.pid ??= seg;
      else if (seg.tag === "SAC") loop.sacs.push(seg);
      else if (seg.tag === "TXI") loop.txis.push(seg);
    } else if (seg.tag === "SAC") headerSacs.push(seg);
    else if (seg.tag === "TXI") headerTxis.push(seg);
    else if (tds === undefined) {
      if (seg.tag === "CUR") cur ??= seg;
      else if (seg.tag === "ITD") itd ??= seg;
      else if (seg.tag === "REF") refs[el(seg, 1)] ??= el(seg, 2) || el(seg, 3);
      else if (seg.tag === "DTM" && !dates.has(el(seg, 1))) dates.set(el(seg, 1), seg);
      else parties.accept(seg);
    }
  }
  const st = context.st;
  if (big === undefined)
    return problemAt(
      "CDK_EDI_CONTENT",
      file,
      { segment: st.index, line: st.line, tag: "ST" },
      "the 810 has no BIG segment; expected BIG with the invoice date and number",
    );
  const invoiceNumber = el(big, 2).trim();
  if (!invoiceNumber)
    return fail(file, big, 2, "BIG02 (invoice number) is empty; expected the invoice number");
  origins.set("/invoiceNumber", big, 2);
  const offset = options.timeZoneOffset ?? "Z";
  const dtm003 = dates.get("003");
  const issuedAt =
    x12Timestamp(el(big, 1), "", offset) ?? (dtm003 && x12Timestamp(el(dtm003, 2), "", offset));
  if (issuedAt === undefined)
    return fail(
      file,
      big,
      1,
      `BIG01 (invoice date) is "${el(big, 1)}" and no DTM*003; expected a date CCYYMMDD`,
    );
  const currency = cur === undefined ? (options.defaultCurrency ?? "USD") : el(cur, 2).trim();
  if (cur !== undefined) origins.set("/currency", cur, 2);
  const tolerance = minorUnit(currency);
  const places = Math.max(2, tolerance.split(".")[1]?.length ?? 0);
  if (loops.length === 0)
    return problemAt(
      "CDK_EDI_CONTENT",
      file,
      { segment: big.index, line: big.line, tag: "BIG" },
      "the 810 has no IT1 line; expected at least one",
    );
  if (tds === undefined)
    return problemAt(
      "CDK_EDI_CONTENT",
      file,
      { segment: big.index, line: big.line, tag: "BIG" },
      "the 810 has no TDS segment; expected TDS01 with the invoice total",
    );
  const stated = amountAt(file, tds, 1, true, "total invoice amount");
  if (typeof stated === "object") return stated;
  if (stated === undefined)
    return fail(file, tds, 1, "TDS01 (total invoice amount) is empty; expected the total");

  // Lines, with their own allowances; charges are kept aside for the shipping lines.
  const lines: Line[] = [];
  const kept: Loop[] = [];
  const charges: { sac: X12Segment; amount: string }[] = [];
  const lineTaxes: { line: number; tax: StatedTax }[] = [];
  for (const loop of loops) {
    const line = mapLine(loop, lines.length, context, origins);
    if ("code" in line) return line;
    if (line.quantity === "0") {
      context.warning(
        `${file}: segment ${loop.it1.index} (IT1-02): IT102 is 0; the line is left out of the invoice`,
      );
      continue;
    }
    const index = lines.length;
    for (const sac of loop.sacs) {
      const read = readSac(file, sac, () => line.total, places);
      if (read === undefined) continue;
      if ("message" in read) return read;
      if ("tax" in read) lineTaxes.push({ line: index, tax: read.tax });
      else if (read.kind === "C") charges.push({ sac, amount: read.amount });
      else {
        const problem = addDiscount(file, line, `/lines/${index}`, sac, read.amount, read.percent, origins);
        if (problem !== undefined) return problem;
      }
    }
    for (const txi of loop.txis) {
      const tax = statedTax(file, txi);
      if ("message" in tax) return tax;
      lineTaxes.push({ line: index, tax });
    }
    lines.push(line);
    kept.push(loop);
  }
  if (lines.length === 0)
    return fail(file, loops[0]!.it1, 2, "every IT1 line has quantity 0; expected at least one invoiced");

  // Header allowances spread over the lines; header charges and line charges become shipping lines.
  const headerTaxes: StatedTax[] = [];
  for (const sac of headerSacs) {
    const subtotal = () => sumDecimals(lines.map((l) => l.total));
    const found = readSac(file, sac, subtotal, places);
    if (found === undefined) continue;
    if ("message" in found) return found;
    if ("tax" in found) headerTaxes.push(found.tax);
    else if (found.kind === "C") charges.push({ sac, amount: found.amount });
    if ("tax" in found || found.kind === "C") continue;
    if (compareDecimals(found.amount, "0") === 0) continue;
    if (compareDecimals(found.amount, subtotal()) > 0)
      return fail(
        file,
        sac,
        5,
        `an allowance of ${found.amount} on lines that total ${subtotal()}; expected less`,
      );
    const shares = allocateDecimal(
      found.amount,
      lines.map((l) => l.total),
      places,
    );
    for (const [i, share] of shares.entries()) {
      if (compareDecimals(share, "0") === 0) continue;
      const problem = addDiscount(file, lines[i]!, `/lines/${i}`, sac, share, found.percent, origins);
      if (problem !== undefined) return problem;
    }
  }
  const shipping: Mutable<ShippingLine>[] = [];
  const shippingCodes: string[] = [];
  for (const { sac, amount } of charges) {
    const code = el(sac, 2).trim();
    const at = shippingCodes.indexOf(code);
    if (at !== -1) {
      const line = shipping[at]!;
      line.price = addDecimals(line.price, amount);
      line.total = line.price;
      continue;
    }
    const method = el(sac, 15).trim() || CHARGE_NAMES[code] || `charge ${code || "(no code)"}`;
    origins.set(`/shippingLines/${shipping.length}`, sac, 5);
    shipping.push({ method: method.slice(0, 128), price: amount, total: amount });
    shippingCodes.push(code);
  }

  // Taxes: a line's own, then the invoice's spread over the lines (and shipping when the rate says so).
  for (const { line, tax } of lineTaxes) {
    const spread = spreadTax(file, tax, [lines[line]!.total], places, tolerance);
    if (spread !== undefined && "message" in spread) return spread;
    if (spread !== undefined)
      addTax(lines[line]!, `/lines/${line}`, tax, spread.shares[0]!, spread.rate, origins);
  }
  for (const txi of headerTxis) {
    const tax = statedTax(file, txi);
    if ("message" in tax) return tax;
    headerTaxes.push(tax);
  }
  for (const tax of headerTaxes) {
    const lineBases = lines.map((l) => l.total);
    const withShipping = [...lineBases, ...shipping.map((s) => s.total)];
    const useShipping =
      shipping.length > 0 &&
      tax.amount !== undefined &&
      tax.rate !== undefined &&
      within(
        multiplyDecimals(tax.amount, "100"),
        multiplyDecimals(sumDecimals(withShipping), tax.rate),
        multiplyDecimals(tolerance, "100"),
      );
    const spread = spreadTax(file, tax, useShipping ? withShipping : lineBases, places, tolerance);
    if (spread !== undefined && "message" in spread) return spread;
    if (spread === undefined) continue;
    for (const [i, share] of spread.shares.entries()) {
      if (compareDecimals(share, "0") === 0) continue;
      const target = i < lines.length ? lines[i]! : shipping[i - lines.length]!;
      const path = i < lines.length ? `/lines/${i}` : `/shippingLines/${i - lines.length}`;
      addTax(target, path, tax, share, spread.rate, origins);
    }
  }

  const all = [...lines, ...shipping];
  const subtotal = sumDecimals(lines.map((l) => l.total));
  const shippingTotal = sumDecimals(shipping.map((s) => s.total));
  const taxTotal = sumDecimals(all.flatMap((l) => (l.taxes ?? []).map((t) => t.amount)));
  const discountTotal = sumDecimals(all.flatMap((l) => (l.discounts ?? []).map((d) => d.amount)));
  const computed = addDecimals(addDecimals(subtotal, shippingTotal), taxTotal);
  const agrees = within(stated, computed, tolerance);
  if (agrees) origins.set("/totals/grandTotal", tds, 1);
  else
    context.warning(
      `${file}: segment ${tds.index} (TDS-01): TDS01 says the invoice total is ${stated}; the lines, charges and taxes make ${computed} (lines ${subtotal}, charges ${shippingTotal}, taxes ${taxTotal}); the lines win`,
    );
  if (ctt !== undefined && el(ctt, 1).trim() !== "" && Number(el(ctt, 1)) !== loops.length)
    context.warning(
      `${file}: segment ${ctt.index} (CTT-01): CTT01 is "${el(ctt, 1)}"; the 810 has ${loops.length} IT1 lines`,
    );

  const billed = ["BT", "BY", "ST"]
    .map((role) => parties.parties.find((p) => p.role === role && p.name))
    .find((p) => p !== undefined);
  const customer = customerOf(billed, context);
  if (customer === undefined)
    return fail(
      file,
      big,
      2,
      "no bill-to name (N1*BT, BY or ST) and no ISA receiver id; expected who is invoiced",
    );
  if (billed !== undefined) origins.set("/customer", billed.n1);
  const billTo = partyAddress(parties.find("BT"), options.defaultCountry ?? "US");
  const seller = parties.find(...SELLER_ROLES);
  const po = el(big, 4).trim() || (refs.PO ?? "").trim();
  if (el(big, 4).trim()) origins.set("/orders", big, 4);
  const dueDate = (itd && x12Date(el(itd, 6))) ?? (dates.get("814") && x12Date(el(dates.get("814")!, 2)));
  if (itd !== undefined && x12Date(el(itd, 6))) origins.set("/dueDate", itd, 6);
  const dueDays = itd === undefined ? undefined : Number.parseInt(el(itd, 7), 10);
  const invoice = {
    schemaVersion: 1,
    invoiceNumber,
    kind: el(big, 7).trim() === "CR" ? "credit_note" : "invoice",
    status: el(big, 8).trim() === "01" ? "cancelled" : "posted",
    issuedAt,
    ...(dueDate ? { dueDate } : {}),
    ...(po ? { orders: [{ channel: options.connection, channelOrderId: po.slice(0, 255) }] } : {}),
    customer,
    ...(billTo === undefined ? {} : { billTo }),
    currency,
    pricesIncludeTax: false,
    lines,
    ...(shipping.length > 0 ? { shippingLines: shipping } : {}),
    ...(itd === undefined
      ? {}
      : {
          paymentTerms: {
            ...(el(itd, 1).trim() ? { code: el(itd, 1).trim() } : {}),
            ...(el(itd, 12).trim() ? { name: el(itd, 12).trim().slice(0, 256) } : {}),
            ...(Number.isInteger(dueDays) && dueDays! >= 0 && dueDays! <= 3_650 ? { dueDays } : {}),
          },
        }),
    totals: { subtotal, discountTotal, shippingTotal, taxTotal, grandTotal: agrees ? stated : computed },
    extensions: {
      [options.connection]: {
        ...(el(big, 7).trim() ? { transactionType: el(big, 7).trim() } : {}),
        ...(el(big, 8).trim() ? { purpose: el(big, 8).trim() } : {}),
        ...(x12Date(el(big, 3)) ? { poDate: x12Date(el(big, 3)) } : {}),
        ...(el(big, 5).trim() ? { releaseNumber: el(big, 5).trim() } : {}),
        setControlNumber: el(st, 2),
        ...interchangeIds(context.isa),
        ...(seller === undefined ? {} : { seller: party(seller) }),
        parties: parties.parties.slice(0, 20).map(party),
        refs,
        dates: Object.fromEntries([...dates].map(([q, d]) => [q, x12Date(el(d, 2)) ?? el(d, 2)])),
        statedTotal: stated,
        productIds: kept.map((loop, i) => ({
          lineId: lines[i]!.lineId,
          ...Object.fromEntries(productIds(loop.it1, 6, 25)),
        })),
      },
    },
  };
  return emitChecked(context, "invoice", invoice, origins);
}

/** The 810 mapper. */
export const x12InvoiceMapper: X12MapperFactory = {
  type: "810",
  entity: "invoice",
  create: (context) => wholeSet(map810, context),
};
