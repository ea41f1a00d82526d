/**
 * Writes X12 interchanges in a trading partner's envelope: ISA/GS/ST..SE/GE/IEA around the segments the
 * document builders (`x12-documents.ts`) produce, with the partner's delimiters, version and usage, and
 * control numbers the caller allocated (`x12-control-numbers.ts`).
 *
 * X12 has no escape character: a delimiter inside a value (a `*` in a company name) is replaced by a
 * space, so the interchange always parses. The ISA is written at its fixed width (106 characters).
 *
 * @example
 * const edi = writeX12Interchange(partner, { functionalId: "SH", sets: [build856(shipment)], control, at });
 */
import { CrossdockError } from "../../core/errors.ts";

/** A trading partner's envelope: who is who, and how its interchanges are written. */
export interface X12PartnerEnvelope {
  /** ISA05/ISA06: our qualifier (`ZZ` mutually defined, `01` DUNS, `12` phone) and id (up to 15). */
  readonly senderQualifier: string;
  readonly senderId: string;
  /** ISA07/ISA08: the partner's. */
  readonly receiverQualifier: string;
  readonly receiverId: string;
  /** ISA12: `00401` (GS08 `004010`) or `00501` (GS08 `005010`). */
  readonly version: "00401" | "00501";
  readonly elementSeparator: string;
  readonly segmentTerminator: string;
  /** ISA16. */
  readonly componentSeparator: string;
  /** ISA11 for 00501 (default `^`); 00401 writes `U`. */
  readonly repetitionSeparator?: string;
  /** ISA15: `P` production, `T` test. */
  readonly usageIndicator: "P" | "T";
  /** GS02/GS03; default the ISA ids. */
  readonly applicationSenderCode?: string;
  readonly applicationReceiverCode?: string;
  /** Written after each terminator, e.g. `"\n"`; default none. */
  readonly lineBreak?: string;
}

/** One transaction set's content: segments as `[tag, element01, element02, ...]`, ST and SE excluded. */
export interface X12SetBody {
  readonly type: string;
  readonly segments: readonly (readonly string[])[];
}

/** Control numbers for one interchange with one group. */
export interface X12ControlSet {
  readonly interchange: number;
  readonly group: number;
  /** One per set, in order. */
  readonly sets: readonly number[];
}

export interface X12InterchangeInput {
  /** GS01: `PR` (855), `SH` (856), `IN` (810), `OW` (940), `FA` (997), ... */
  readonly functionalId: string;
  readonly sets: readonly X12SetBody[];
  readonly control: X12ControlSet;
  /** When it is written: ISA09/10 and GS04/05, in UTC. */
  readonly at: Date;
}

function checkDelimiters(partner: X12PartnerEnvelope): void {
  const chars = [partner.elementSeparator, partner.segmentTerminator, partner.componentSeparator];
  if (partner.version === "00501") chars.push(partner.repetitionSeparator ?? "^");
  const bad = chars.find((c) => c.length !== 1 || /[A-Za-z0-9 ]/.test(c));
  if (bad !== undefined || new Set(chars).size !== chars.length) {
    throw new CrossdockError(
      "CDK_CONFIG_INVALID",
      "the trading partner's X12 delimiters must be distinct single punctuation characters",
      {
        details: { delimiters: chars },
      },
    );
  }
}

/** Writes one interchange with one functional group. Throws `CDK_CONFIG_INVALID` for bad delimiters. */
export function writeX12Interchange(partner: X12PartnerEnvelope, input: X12InterchangeInput): string {
  checkDelimiters(partner);
  if (input.sets.length !== input.control.sets.length) {
    throw new CrossdockError("CDK_INTERNAL", "one set control number is needed per transaction set");
  }
  const es = partner.elementSeparator;
  const term = partner.segmentTerminator + (partner.lineBreak ?? "");
  const forbidden = new Set([
    es,
    partner.segmentTerminator,
    partner.componentSeparator,
    partner.repetitionSeparator ?? "^",
  ]);
  const clean = (value: string) => {
    let out = "";
    for (const c of value) out += forbidden.has(c) || c === "\r" || c === "\n" ? " " : c;
    return out;
  };
  const line = (elements: readonly string[]) => {
    const values = elements.map((e, i) => (i === 0 ? e : clean(e)));
    while (values.length > 1 && values.at(-1) === "") values.pop();
    return values.join(es) + term;
  };
  const iso = input.at.toISOString();
  const date = iso.slice(0, 10).replaceAll("-", "");
  const time = iso.slice(11, 16).replace(":", "");
  const isa13 = String(input.control.interchange).padStart(9, "0");
  const isa =
    [
      "ISA",
      "00",
      " ".repeat(10),
      "00",
      " ".repeat(10),
      partner.senderQualifier.padEnd(2).slice(0, 2),
      partner.senderId.padEnd(15).slice(0, 15),
      partner.receiverQualifier.padEnd(2).slice(0, 2),
      partner.receiverId.padEnd(15).slice(0, 15),
      date.slice(2),
      time,
      partner.version === "00501" ? (partner.repetitionSeparator ?? "^") : "U",
      partner.version,
      isa13,
      "0",
      partner.usageIndicator,
      partner.componentSeparator,
    ].join(es) + term;
  const out = [isa];
  out.push(
    line([
      "GS",
      input.functionalId,
      partner.applicationSenderCode ?? partner.senderId,
      partner.applicationReceiverCode ?? partner.receiverId,
      date,
      time,
      String(input.control.group),
      "X",
      partner.version === "00501" ? "005010" : "004010",
    ]),
  );
  input.sets.forEach((set, index) => {
    const st02 = String(input.control.sets[index]).padStart(4, "0");
    out.push(line(["ST", set.type, st02]));
    for (const segment of set.segments) out.push(line(segment));
    out.push(line(["SE", String(set.segments.length + 2), st02]));
  });
  out.push(line(["GE", String(input.sets.length), String(input.control.group)]));
  out.push(line(["IEA", "1", isa13]));
  return out.join("");
}
