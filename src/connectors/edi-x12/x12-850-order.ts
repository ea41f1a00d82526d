/**
 * 850 (purchase order from a customer) to the canonical `order`.
 *
 * - `channel` is the connection (trading partner) name; `channelOrderId` and `orderNumber` are BEG03.
 * - `placedAt` is BEG05 (else DTM*004), at midnight in the partner's offset.
 * - One line per PO1: PO101 line id (else its position), PO102 quantity, PO103 unit (X12 codes
 *   translated to Rec 20), PO104 unit price (else a CTP contract/net/distributor price), the SKU from
 *   the product id pairs PO106..PO125 by the partner's qualifier preference; PID05 names it.
 * - N1 loops before the first PO1: BY (else BT, ST, else the ISA sender id) is the customer, ST the
 *   ship-to and BT the bill-to address. CUR02 is the currency (else the partner's default).
 * - ITD is the payment terms; MSG, NTE and MTX text become notes; BEG01 `01` is a cancellation.
 * - Everything else worth keeping (all product ids per line, REF and DTM values, ISA ids) goes under
 *   `extensions[connection]`.
 *
 * Not mapped: SAC allowances and charges, TXI taxes and line-level N1/SDQ destinations (the totals
 * are the lines' sum; the hub prices and taxes in Odoo).
 */
import { multiplyDecimals, roundHalfEven, sumDecimals } from "../../core/model/decimal.ts";
import type { OrderLine } from "../../core/model/order.ts";
import type { PartyValue } from "../../core/model/party.ts";
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
import { el, elementProblem, problemAt, type X12Problem, type X12Segment } from "./x12-segment.ts";
import { uomFromX12, x12Date, x12Decimal, x12Timestamp } from "./x12-values.ts";

/** CTP02 price identifiers that are a selling price (not a retail or suggested price). */
const CTP_PRICES = new Set(["UCP", "CON", "NET", "DIS", "CAT", "PRP", "CHG", "ALT"]);

interface Line {
  readonly po1: X12Segment;
  pid?: X12Segment;
  ctp?: X12Segment;
}

function customerOf(party: X12Party | undefined, context: X12SetContext): PartyValue | undefined {
  const name =
    party?.name ||
    (context.isa ? el(context.isa, 6).trim() : "") ||
    (context.gs ? el(context.gs, 2).trim() : "");
  if (!name) return undefined;
  const code = party?.id && /^[A-Za-z0-9][A-Za-z0-9_./-]{0,63}$/.test(party.id) ? party.id : undefined;
  return {
    kind: "company",
    name: name.slice(0, 256),
    ...(code === undefined ? {} : { code }),
    ...(party?.email && /^[^\s@]+@[^\s@]+$/.test(party.email) ? { email: party.email } : {}),
    ...(party?.phone ? { phone: party.phone.slice(0, 64) } : {}),
    ...(party?.id
      ? {
          refs: [
            {
              system: context.options.connection,
              kind: `N1-${party.role}-${party.idQualifier || "id"}`,
              id: party.id,
            },
          ],
        }
      : {}),
  };
}

function mapLine(
  line: Line,
  index: number,
  context: X12SetContext,
  origins: X12Origins,
): OrderLine | X12Problem {
  const { po1 } = line;
  const file = context.file;
  const quantity = x12Decimal(el(po1, 2));
  if (quantity === undefined || quantity.startsWith("-") || quantity === "0") {
    return elementProblem(
      "CDK_EDI_CONTENT",
      file,
      po1,
      2,
      `PO102 (quantity ordered) is "${el(po1, 2)}"; expected a positive number`,
    );
  }
  const uom = uomFromX12(el(po1, 3));
  if (uom === undefined) {
    return elementProblem(
      "CDK_EDI_CONTENT",
      file,
      po1,
      3,
      `PO103 (unit of measure) is "${el(po1, 3)}"; expected a unit code such as EA`,
    );
  }
  let unitPrice = x12Decimal(el(po1, 4));
  if (unitPrice === undefined && line.ctp !== undefined) unitPrice = x12Decimal(el(line.ctp, 3));
  if (unitPrice === undefined || unitPrice.startsWith("-")) {
    return elementProblem(
      "CDK_EDI_CONTENT",
      file,
      po1,
      4,
      `PO104 (unit price) is "${el(po1, 4)}" and no CTP gives a price; expected the unit price`,
    );
  }
  const sku = pickSku(po1, 6, 25, context.options.skuQualifiers ?? DEFAULT_SKU_QUALIFIERS);
  if (sku === undefined) {
    return elementProblem(
      "CDK_EDI_CONTENT",
      file,
      po1,
      7,
      "no product id in PO106..PO125; expected a qualifier (VP, UP, BP, ...) and an id",
    );
  }
  const product = multiplyDecimals(quantity, unitPrice);
  const places = product.split(".")[1]?.length ?? 0;
  const name = line.pid === undefined ? "" : el(line.pid, 5).trim();
  const path = `/lines/${index}`;
  origins.set(path, po1);
  origins.set(`${path}/quantity`, po1, 2);
  origins.set(`${path}/uom`, po1, 3);
  origins.set(`${path}/unitPrice`, po1, 4);
  origins.set(`${path}/sku`, po1, sku.position);
  return {
    lineId: el(po1, 1).trim() || String(index + 1),
    sku: sku.sku,
    ...(name ? { name: name.slice(0, 2_000) } : {}),
    quantity,
    uom,
    unitPrice,
    total: places > 6 ? roundHalfEven(product, 6) : product,
  };
}

function map850(segments: readonly X12Segment[], context: X12SetContext): X12Problem | undefined {
  const { file, options } = context;
  const origins = new X12Origins(context.st);
  const parties = new N1Loops();
  const lines: Line[] = [];
  const notes: string[] = [];
  const refs: Record<string, string> = {};
  const dates: Record<string, string> = {};
  let beg: X12Segment | undefined;
  let cur: X12Segment | undefined;
  let itd: X12Segment | undefined;
  let ctt: X12Segment | undefined;
  for (const seg of segments) {
    const last = lines.at(-1);
    if (seg.tag === "BEG") beg ??= seg;
    else if (seg.tag === "CUR") cur ??= seg;
    else if (seg.tag === "ITD") itd ??= seg;
    else if (seg.tag === "CTT") ctt = seg;
    else if (seg.tag === "PO1") lines.push({ po1: seg });
    else if (seg.tag === "PID" && last !== undefined) last.pid ??= seg;
    else if (seg.tag === "CTP" && last !== undefined && CTP_PRICES.has(el(seg, 2))) last.ctp ??= seg;
    else if (seg.tag === "MSG" || seg.tag === "MTX" || seg.tag === "NTE") {
      const text = el(seg, seg.tag === "MSG" ? 1 : 2).trim();
      if (text) notes.push(text);
    } else if (last === undefined && seg.tag === "REF") refs[el(seg, 1)] ??= el(seg, 2) || el(seg, 3);
    else if (last === undefined && seg.tag === "DTM") dates[el(seg, 1)] ??= x12Date(el(seg, 2)) ?? el(seg, 2);
    else if (last === undefined) parties.accept(seg);
  }
  if (beg === undefined) {
    return problemAt(
      "CDK_EDI_CONTENT",
      file,
      { segment: context.st.index, line: context.st.line, tag: "ST" },
      "the 850 has no BEG segment; expected BEG with the purchase order number in BEG03",
    );
  }
  const poNumber = el(beg, 3).trim();
  if (!poNumber)
    return elementProblem(
      "CDK_EDI_CONTENT",
      file,
      beg,
      3,
      "BEG03 (purchase order number) is empty; expected the PO number",
    );
  const offset = options.timeZoneOffset ?? "Z";
  const placedAt =
    x12Timestamp(el(beg, 5), "", offset) ??
    (dates["004"] ? x12Timestamp(dates["004"].replaceAll("-", ""), "", offset) : undefined);
  if (placedAt === undefined)
    return elementProblem(
      "CDK_EDI_CONTENT",
      file,
      beg,
      5,
      `BEG05 (order date) is "${el(beg, 5)}"; expected a date CCYYMMDD`,
    );
  const currency = cur === undefined ? (options.defaultCurrency ?? "USD") : el(cur, 2).trim();
  if (cur !== undefined) origins.set("/currency", cur, 2);
  if (lines.length === 0)
    return problemAt(
      "CDK_EDI_CONTENT",
      file,
      { segment: beg.index, line: beg.line, tag: "BEG" },
      "the 850 has no PO1 line; expected at least one",
    );
  const orderLines: OrderLine[] = [];
  for (const [index, line] of lines.entries()) {
    const mapped = mapLine(line, index, context, origins);
    if ("code" in mapped) return mapped;
    orderLines.push(mapped);
  }
  if (ctt !== undefined && el(ctt, 1).trim() !== "" && Number(el(ctt, 1)) !== lines.length) {
    context.warning(
      `${file}: segment ${ctt.index} (CTT-01): CTT01 is "${el(ctt, 1)}"; the 850 has ${lines.length} PO1 lines`,
    );
  }
  const buyer = parties.find("BY", "BT", "ST");
  const customer = customerOf(buyer, context);
  if (customer === undefined)
    return elementProblem(
      "CDK_EDI_CONTENT",
      file,
      beg,
      3,
      "no buyer name (N1*BY, BT or ST) and no ISA sender id; expected who placed the order",
    );
  const country = options.defaultCountry ?? "US";
  const shipParty = parties.find("ST");
  const shipTo = partyAddress(shipParty, country);
  const billTo = partyAddress(parties.find("BT"), country);
  if (shipParty !== undefined) origins.set("/shipTo", shipParty.n1);
  if (buyer !== undefined) origins.set("/customer", buyer.n1);
  origins.set("/channelOrderId", beg, 3);
  const subtotal = sumDecimals(orderLines.map((line) => line.total));
  const dueDays = itd === undefined ? undefined : Number.parseInt(el(itd, 7), 10);
  const order = {
    schemaVersion: 1,
    channel: options.connection,
    channelOrderId: poNumber,
    orderNumber: poNumber.slice(0, 128),
    status: el(beg, 1) === "01" ? "cancelled" : "pending",
    placedAt,
    customer,
    ...(billTo === undefined ? {} : { billTo }),
    ...(shipTo === undefined ? {} : { shipTo }),
    currency,
    pricesIncludeTax: false,
    lines: orderLines,
    ...(itd === undefined
      ? {}
      : {
          paymentTerms: {
            ...(el(itd, 1).trim() ? { code: el(itd, 1).trim() } : {}),
            ...(el(itd, 12).trim() ? { name: el(itd, 12).trim().slice(0, 256) } : {}),
            ...(Number.isInteger(dueDays) && dueDays! >= 0 && dueDays! <= 3_650 ? { dueDays } : {}),
          },
        }),
    totals: { subtotal, discountTotal: "0", shippingTotal: "0", taxTotal: "0", grandTotal: subtotal },
    ...(notes.length > 0 ? { notes: notes.join("\n").slice(0, 4_000) } : {}),
    extensions: {
      [options.connection]: {
        purpose: el(beg, 1),
        poType: el(beg, 2),
        setControlNumber: el(context.st, 2),
        ...interchangeIds(context.isa),
        ...(shipParty?.id ? { shipToCode: shipParty.id } : {}),
        refs,
        dates,
        productIds: lines.map((line, index) => ({
          lineId: orderLines[index]!.lineId,
          ...Object.fromEntries(productIds(line.po1, 6, 25)),
        })),
      },
    },
  };
  return emitChecked(context, "order", order, origins);
}

/** The 850 mapper. */
export const x12OrderMapper: X12MapperFactory = {
  type: "850",
  entity: "order",
  create: (context) => wholeSet(map850, context),
};
