/**
 * The header fields every trade message shares: BGM number and codes, the document date, CUX
 * currency, the customer's NAD, and what the canonical record keeps in `extensions` (message
 * reference and type, party ids by role, references by qualifier).
 */
import type { PartyValue } from "../../core/model/party.ts";
import type { MappingContext } from "./edifact-mapping-context.ts";
import { type NadGroup, nadGroups, nadParty, ownReferences, qualified } from "./edifact-message-view.ts";
import { type EdifactSegment, valueAt } from "./edifact-syntax.ts";
import { toTimestamp } from "./edifact-values.ts";

export interface HeaderRules {
  /** What BGM-02-1 is, for messages: "the order number". */
  readonly number: string;
  /** DTM qualifiers for the document date, in order of preference. */
  readonly dates: readonly string[];
  /** NAD qualifiers for the customer, in order of preference; empty when the record has no customer. */
  readonly customerRoles: readonly string[];
  /** False when the record has no required currency (DESADV, ORDRSP): a missing CUX is then no problem. */
  readonly needsCurrency?: boolean;
  /** Canonical paths the number, date and customer go to (for locating model problems). */
  readonly paths?: { readonly number?: string; readonly date?: string; readonly customer?: string };
}

export interface HeaderCommon {
  readonly bgm: EdifactSegment | undefined;
  readonly number: string;
  readonly issuedAt: string | undefined;
  readonly currency: string | undefined;
  readonly customer: PartyValue | undefined;
  readonly parties: readonly NadGroup[];
  readonly references: readonly EdifactSegment[];
  readonly extension: Record<string, unknown>;
}

/** Reads the shared header; each missing mandatory part is a problem in `ctx`. */
export function headerCommon(
  ctx: MappingContext,
  header: readonly EdifactSegment[],
  rules: HeaderRules,
): HeaderCommon {
  const { message } = ctx;
  if (message.version !== "D")
    ctx.warnings.push(
      `message ${message.reference}: UNH-02-2 is ${JSON.stringify(message.version)}, expected "D" (read as D)`,
    );
  const bgm = qualified(header, "BGM");
  const number = bgm ? valueAt(bgm, 2).trim() : "";
  if (!bgm) ctx.problem(undefined, {}, "the message has no BGM", undefined, `BGM with ${rules.number}`);
  else if (number === "")
    ctx.problem(bgm, { element: 2, component: 1 }, `${rules.number} is missing`, "", rules.number);
  else ctx.note(rules.paths?.number ?? "/channelOrderId", bgm, 2, 1);

  const dtm = qualified(header, "DTM", ...rules.dates);
  const date = dtm && ctx.date(dtm);
  if (!dtm)
    ctx.problem(bgm, {}, "the document date is missing", undefined, `DTM+${rules.dates.join(" or DTM+")}`);
  else ctx.note(rules.paths?.date ?? "/placedAt", dtm, 1, 2);
  const issuedAt = date ? toTimestamp(date.date, date.time, ctx.utcOffset) : undefined;

  const cux = qualified(header, "CUX");
  let currency = cux ? valueAt(cux, 1, 2) : undefined;
  if (cux) ctx.note("/currency", cux, 1, 2);
  if ((currency === undefined || currency === "") && rules.needsCurrency === false) currency = undefined;
  else if (currency === undefined || currency === "") {
    currency = ctx.options.defaultCurrency;
    if (currency === undefined)
      ctx.problem(
        bgm,
        {},
        "the currency is missing and the partner has no default currency",
        undefined,
        "CUX+2:<ISO 4217 code>",
      );
    else
      ctx.warnings.push(
        `message ${message.reference}: no CUX; the partner's default currency ${currency} applies`,
      );
  }

  const parties = nadGroups(header);
  let customer: PartyValue | undefined;
  if (rules.customerRoles.length > 0) {
    const group = rules.customerRoles
      .map((role) => parties.find((g) => valueAt(g.nad, 1) === role))
      .find((g) => g !== undefined);
    customer = group && nadParty(group, ctx.channel);
    if (group) ctx.note(rules.paths?.customer ?? "/customer", group.nad);
    if (!customer)
      ctx.problem(
        bgm,
        {},
        "the customer is missing",
        undefined,
        `NAD+${rules.customerRoles.join(" or NAD+")} with an id or name`,
      );
  }
  const references = ownReferences(header);
  const extension = {
    messageRef: message.reference,
    messageType: [message.type, message.version, message.release, message.agency, message.association]
      .filter((part) => part !== undefined && part !== "")
      .join(":"),
    ...(bgm && valueAt(bgm, 1) !== "" ? { documentCode: valueAt(bgm, 1) } : {}),
    ...(bgm && valueAt(bgm, 3) !== "" ? { messageFunction: valueAt(bgm, 3) } : {}),
    parties: Object.fromEntries(parties.map((g) => [valueAt(g.nad, 1), valueAt(g.nad, 2)])),
    references: Object.fromEntries(references.map((s) => [valueAt(s, 1), valueAt(s, 1, 2)])),
  };
  return { bgm, number, issuedAt, currency, customer, parties, references, extension };
}
