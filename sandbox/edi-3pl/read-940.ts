/**
 * The sandbox 3PL's inbound side: one file of 940 (warehouse shipping order) interchanges read with
 * the project's X12 reader and envelope checker, each accepted 940 turned into the warehouse model's
 * `FulfilmentRequest`, and every set's verdict kept for the 997 that answers its interchange.
 *
 * What a 940 must hold (anything else rejects the set, located for AK3/AK4):
 * - W05-02 depositor order number: the order's reference in the warehouse, echoed in the 945's W06-02.
 *   W05-03 (the purchase order / order number) is kept and echoed in W06-06.
 * - N1*ST with N3 (address) and N4 (city, state, postal code, ISO country): the ship-to.
 * - One LX/W01 per line: W01-01 a whole quantity 1..1,000,000 and a product id in W01-04/05 (or
 *   06/07) by the usual qualifier preference, else the UPC in W01-03. One line per SKU.
 * - W66-10 the carrier's SCAC, optional. W76-01, when present, must equal the sum of the W01 quantities.
 *
 * Envelope checks on top of the reader's: ISA08 must be the 3PL's id, GS01 `OW`, and the set a 940.
 *
 * 943s (stock transfer shipment advices) are read here too, by `read-943.ts`, in groups with GS01 `AR`.
 */

import {
  DEFAULT_SKU_QUALIFIERS,
  pickSku,
  wholeSet,
  type X12MapperFactory,
} from "../../src/connectors/edi-x12/x12-mapping.ts";
import {
  el,
  elementProblem,
  problemAt,
  type X12Problem,
  type X12Segment,
} from "../../src/connectors/edi-x12/x12-segment.ts";
import { createX12SetRunner, type X12SetOutcome } from "../../src/connectors/edi-x12/x12-set-runner.ts";
import { runX12 } from "../../src/connectors/edi-x12/x12-stream.ts";
import { checkFulfilmentRequest, type FulfilmentRequest } from "../warehouse3pl/fulfilment-request.ts";
import { parse943, type TransferAdvice943 } from "./read-943.ts";

/** An accepted 940 as the warehouse takes it, plus what its 945 echoes. */
export interface ShippingOrder940 {
  readonly request: FulfilmentRequest;
  /** W05-03, echoed in W06-06. */
  readonly purchaseOrder: string | undefined;
}

/** One interchange of a file: the sets' verdicts (for the 997) and the orders of the accepted ones. */
export interface Received940Interchange {
  /** The ISA; undefined for bare sets, which get no 997 (there is no one to address it to). */
  readonly isa: X12Segment | undefined;
  readonly outcomes: readonly X12SetOutcome[];
  readonly orders: readonly ShippingOrder940[];
  /** The accepted 943s: shipments the warehouse should expect. */
  readonly transfers: readonly TransferAdvice943[];
}

export interface Read940Result {
  readonly interchanges: readonly Received940Interchange[];
  /** Every problem, located (`file: segment N (TAG-NN, line L): what`). */
  readonly problems: readonly string[];
}

type Origin = { segment: X12Segment; position?: number; label: string };

/** Maps a 940's segments to a request; the first problem, located, otherwise. */
function parse940(
  file: string,
  st: X12Segment,
  segments: readonly X12Segment[],
): { ok: true; value: ShippingOrder940 } | { ok: false; problem: X12Problem } {
  const origins = new Map<string, Origin>();
  const w05 = segments.find((s) => s.tag === "W05");
  if (w05 === undefined) {
    const where = { segment: st.index, line: st.line, tag: "ST" };
    return {
      ok: false,
      problem: problemAt("CDK_EDI_CONTENT", file, where, "the 940 has no W05; expected W05 with the order"),
    };
  }
  origins.set("reference", { segment: w05, position: 2, label: "depositor order number" });
  const shipTo: Record<string, string> = {};
  let party: string | undefined;
  let carrier: string | undefined;
  let w76: X12Segment | undefined;
  const lines: { sku: string; quantity: number }[] = [];
  const lineSegments: X12Segment[] = [];
  const put = (field: string, value: string, segment: X12Segment, position: number, label: string) => {
    origins.set(`ship_to.${field}`, { segment, position, label });
    if (value.trim() !== "") shipTo[field] = value.trim();
  };
  for (const seg of segments) {
    if (seg.tag === "N1") {
      party = el(seg, 1);
      if (party === "ST") {
        origins.set("ship_to", { segment: seg, label: "ship-to" });
        for (const field of ["address1", "city", "country_code"])
          origins.set(`ship_to.${field}`, { segment: seg, label: field });
        put("name", el(seg, 2), seg, 2, "ship-to name");
      }
    } else if (party === "ST" && seg.tag === "N3") {
      put("address1", el(seg, 1), seg, 1, "address");
      put("address2", el(seg, 2), seg, 2, "address");
    } else if (party === "ST" && seg.tag === "N4") {
      put("city", el(seg, 1), seg, 1, "city");
      put("province", el(seg, 2), seg, 2, "state or province");
      put("zip", el(seg, 3), seg, 3, "postal code");
      put("country_code", el(seg, 4), seg, 4, "country code");
    } else if (seg.tag === "W66") {
      // W66-10 is the SCAC. Some senders shift it into W66-09 (an amount); a name there is read too.
      const scac = el(seg, 10).trim() || (/^[A-Za-z]/.test(el(seg, 9)) ? el(seg, 9).trim() : "");
      if (scac) carrier = scac;
    } else if (seg.tag === "W01") {
      party = undefined;
      const i = lines.length;
      const picked = pickSku(seg, 4, 8, DEFAULT_SKU_QUALIFIERS);
      const sku = picked?.sku ?? el(seg, 3).trim();
      origins.set(`lines[${i}].sku`, { segment: seg, position: picked?.position ?? 5, label: "product id" });
      origins.set(`lines[${i}].quantity`, { segment: seg, position: 1, label: "quantity" });
      origins.set(`lines[${i}]`, { segment: seg, label: "line" });
      const raw = el(seg, 1).trim();
      lines.push({ sku, quantity: /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : Number.NaN });
      lineSegments.push(seg);
    } else if (seg.tag === "W76") w76 = seg;
    else if (seg.tag === "LX") party = undefined;
  }
  origins.set("lines", { segment: w05, label: "lines" });
  if (!origins.has("ship_to")) origins.set("ship_to", { segment: w05, label: "ship-to (N1*ST)" });
  const body: Record<string, unknown> = { reference: el(w05, 2).trim(), lines, ship_to: shipTo };
  if (carrier !== undefined) body.carrier = carrier;
  const checked = checkFulfilmentRequest(body);
  if (!checked.ok) {
    const first = checked.problems[0]!;
    const origin = origins.get(first.path) ?? { segment: w05, label: first.path };
    if (origin.position === undefined) {
      const where = { segment: origin.segment.index, line: origin.segment.line, tag: origin.segment.tag };
      return {
        ok: false,
        problem: problemAt("CDK_EDI_CONTENT", file, where, `${origin.label}: ${first.path} ${first.message}`),
      };
    }
    const raw = el(origin.segment, origin.position);
    const what = `${origin.segment.tag}-${String(origin.position).padStart(2, "0")} (${origin.label}) is "${raw}": ${first.path} ${first.message}`;
    return {
      ok: false,
      problem: elementProblem("CDK_EDI_CONTENT", file, origin.segment, origin.position, what),
    };
  }
  if (w76 !== undefined) {
    const total = lines.reduce((sum, line) => sum + line.quantity, 0);
    if (Number(el(w76, 1)) !== total) {
      const what = `W76-01 (total quantity) is "${el(w76, 1)}"; the W01 lines add up to ${total}`;
      return { ok: false, problem: elementProblem("CDK_EDI_CONTENT", file, w76, 1, what) };
    }
  }
  const purchaseOrder = el(w05, 3).trim() || undefined;
  return { ok: true, value: { request: checked.value, purchaseOrder } };
}

/**
 * Reads one file of 940 interchanges addressed to `receiverId` (the 3PL's ISA id). Never throws;
 * an unreadable file gives no interchange and its problems.
 */
export function read940File(file: string, bytes: Uint8Array, receiverId: string): Read940Result {
  const problems: string[] = [];
  const interchanges: Received940Interchange[] = [];
  const parsed = new Map<number, ShippingOrder940>();
  const factory = {
    type: "940",
    // The runner wants an entity name; this mapper emits nothing and keeps its result in `parsed`.
    entity: "order" as const,
    create: (context: Parameters<typeof wholeSet>[1]) =>
      wholeSet((segments, ctx) => {
        const result = parse940(ctx.file, ctx.st, segments);
        if (!result.ok) return result.problem;
        parsed.set(ctx.st.index, result.value);
        return undefined;
      }, context),
  };
  // 943s: parsed by read-943.ts, kept in `transfers`; GS01 per set type.
  const transfers = new Map<number, TransferAdvice943>();
  const factory943 = {
    type: "943",
    entity: "receipt" as const,
    create: (context: Parameters<typeof wholeSet>[1]) =>
      wholeSet((segments, ctx) => {
        const result = parse943(ctx.file, ctx.st, segments);
        if (!result.ok) return result.problem;
        transfers.set(ctx.st.index, result.value);
        return undefined;
      }, context),
  };
  const groups: Record<string, string> = { "940": "OW", "943": "AR" };
  const mappers = new Map<string, X12MapperFactory>([
    ["940", factory],
    ["943", factory943],
  ]);
  const handler = createX12SetRunner(file, { connection: "sandbox-edi-3pl" }, mappers, {
    problem: (problem) => problems.push(problem.message),
    interchangeEnd(outcomes, isa) {
      for (const outcome of outcomes) {
        if (outcome.problem !== undefined) continue;
        const reject = (p: X12Problem) => {
          outcome.problem = p;
          outcome.accepted = false;
          problems.push(p.message);
        };
        // Located before the ST, so the 997 says AK5 R without an AK3 (the set itself is fine).
        const at = (seg: X12Segment, element: string | undefined, what: string) =>
          problemAt(
            "CDK_EDI_CONTROL",
            file,
            { segment: seg.index, line: seg.line, tag: seg.tag, ...(element ? { element } : {}) },
            what,
          );
        if (isa === undefined) reject(at(outcome.st, undefined, "a bare transaction set; expected an ISA"));
        else if (el(isa, 8).trim() !== receiverId)
          reject(
            at(isa, "ISA-08", `ISA08 is "${el(isa, 8).trim()}"; expected this warehouse's id ${receiverId}`),
          );
        else if (outcome.group?.functionalId !== (groups[outcome.type] ?? "OW"))
          reject(
            at(
              isa,
              undefined,
              `the set is in group "${outcome.group?.functionalId ?? ""}"; expected GS01 ${groups[outcome.type] ?? "OW"}`,
            ),
          );
        else if (!outcome.mapped)
          reject(
            problemAt(
              "CDK_EDI_UNSUPPORTED",
              file,
              { segment: outcome.st.index, line: outcome.st.line, tag: "ST", element: "ST-01" },
              `transaction set ${outcome.type} is not accepted here; expected 940 or 943`,
            ),
          );
      }
      const orders = outcomes.flatMap((o) => {
        const order = o.accepted ? parsed.get(o.st.index) : undefined;
        return order === undefined ? [] : [order];
      });
      const advices = outcomes.flatMap((o) => {
        const advice = o.accepted ? transfers.get(o.st.index) : undefined;
        return advice === undefined ? [] : [advice];
      });
      interchanges.push({ isa, outcomes: [...outcomes], orders, transfers: advices });
    },
  });
  runX12(file, bytes, handler);
  return { interchanges, problems };
}
