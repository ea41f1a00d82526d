/**
 * A message's segments sorted into the parts every trade message shares: the header (before the first
 * CPS or LIN), item groups (each LIN with the segments after it, and the CPS it sits under), the
 * summary (after UNS), NAD groups with their RFF/CTA/COM, and item numbers (LIN-03, PIA).
 */
import type { Address, PartyValue } from "../../core/model/party.ts";
import type { EdifactMessage } from "./edifact-reader.ts";
import { type EdifactSegment, valueAt } from "./edifact-syntax.ts";

export interface ItemGroup {
  readonly lin: EdifactSegment;
  /** The segments after LIN up to the next LIN, CPS or UNS. */
  readonly segments: readonly EdifactSegment[];
  /** The CPS (packing hierarchy level) the item is under, in a DESADV. */
  readonly cps?: EdifactSegment;
  /** Segments between that CPS and its first LIN (PAC, GIN, MEA, ...). */
  readonly packaging: readonly EdifactSegment[];
}

export interface MessageSections {
  readonly header: readonly EdifactSegment[];
  readonly items: readonly ItemGroup[];
  readonly summary: readonly EdifactSegment[];
}

/** Splits UNH..UNT (exclusive) into header, items and summary. */
export function sections(message: EdifactMessage): MessageSections {
  const body = message.segments.slice(1, -1);
  const header: EdifactSegment[] = [];
  const items: {
    lin: EdifactSegment;
    segments: EdifactSegment[];
    cps?: EdifactSegment;
    packaging: EdifactSegment[];
  }[] = [];
  const summary: EdifactSegment[] = [];
  let part: "header" | "items" | "summary" = "header";
  let cps: EdifactSegment | undefined;
  let packaging: EdifactSegment[] = [];
  let current: EdifactSegment[] | undefined;
  for (const segment of body) {
    if (segment.tag === "UNS") {
      part = "summary";
      continue;
    }
    if (part === "summary") summary.push(segment);
    else if (segment.tag === "CPS") {
      part = "items";
      cps = segment;
      packaging = [];
      current = packaging;
    } else if (segment.tag === "LIN") {
      part = "items";
      const group = { lin: segment, segments: [] as EdifactSegment[], packaging, ...(cps ? { cps } : {}) };
      items.push(group);
      current = group.segments;
    } else if (part === "header") header.push(segment);
    else current?.push(segment);
  }
  return { header, items, summary };
}

/** The first segment with `tag` whose first component is `qualifier` (any qualifier when omitted). */
export function qualified(
  segments: readonly EdifactSegment[],
  tag: string,
  ...qualifiers: string[]
): EdifactSegment | undefined {
  for (const qualifier of qualifiers.length === 0 ? [undefined] : qualifiers) {
    const found = segments.find(
      (s) => s.tag === tag && (qualifier === undefined || valueAt(s, 1) === qualifier),
    );
    if (found) return found;
  }
  return undefined;
}

export interface NadGroup {
  readonly nad: EdifactSegment;
  readonly details: readonly EdifactSegment[];
}

const NAD_DETAILS = new Set(["RFF", "CTA", "COM", "LOC", "FII", "DOC"]);

/** NAD segments with the RFF/CTA/COM/LOC that follow each. */
export function nadGroups(segments: readonly EdifactSegment[]): NadGroup[] {
  const groups: { nad: EdifactSegment; details: EdifactSegment[] }[] = [];
  let open: EdifactSegment[] | undefined;
  for (const segment of segments) {
    if (segment.tag === "NAD") {
      const group = { nad: segment, details: [] as EdifactSegment[] };
      groups.push(group);
      open = group.details;
    } else if (open && NAD_DETAILS.has(segment.tag)) open.push(segment);
    else open = undefined;
  }
  return groups;
}

/** RFF segments of a section that do not belong to a NAD group. */
export function ownReferences(segments: readonly EdifactSegment[]): EdifactSegment[] {
  const inNad = new Set(nadGroups(segments).flatMap((group) => group.details));
  return segments.filter((s) => s.tag === "RFF" && !inNad.has(s));
}

const joined = (segment: EdifactSegment, element: number) =>
  (segment.elements[element - 1] ?? [])
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .join(" ");

/** The NAD's postal address when it has street, city and an ISO country code; otherwise undefined. */
export function nadAddress(nad: EdifactSegment): Address | undefined {
  const street = valueAt(nad, 5, 1).trim();
  const city = valueAt(nad, 6).trim();
  const countryCode = valueAt(nad, 9).trim();
  if (street === "" || city === "" || !/^[A-Z]{2}$/.test(countryCode)) return undefined;
  const name = joined(nad, 4);
  const street2 = (nad.elements[4] ?? [])
    .slice(1)
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .join(" ");
  const region = valueAt(nad, 7).trim();
  const postalCode = valueAt(nad, 8).trim();
  return {
    ...(name === "" ? {} : { name }),
    street,
    ...(street2 === "" ? {} : { street2 }),
    city,
    ...(postalCode === "" ? {} : { postalCode }),
    ...(region === "" ? {} : { region }),
    countryCode,
  };
}

/** A party snapshot from a NAD group: name (C080, else the party id), GLN or other id as a ref, VAT id. */
export function nadParty(group: NadGroup, channel: string): PartyValue | undefined {
  const id = valueAt(group.nad, 2).trim();
  const name = joined(group.nad, 4) || id;
  if (name === "") return undefined;
  const agency = valueAt(group.nad, 2, 3);
  const vat = group.details.find((s) => s.tag === "RFF" && valueAt(s, 1) === "VA");
  const phone = group.details.find((s) => s.tag === "COM" && valueAt(s, 1, 2) === "TE");
  const email = group.details.find((s) => s.tag === "COM" && valueAt(s, 1, 2) === "EM");
  return {
    kind: "company",
    name: name.slice(0, 256),
    ...(/^[A-Za-z0-9][A-Za-z0-9_./-]{0,63}$/.test(id) ? { code: id } : {}),
    ...(vat && valueAt(vat, 1, 2) !== "" ? { taxId: valueAt(vat, 1, 2) } : {}),
    ...(phone ? { phone: valueAt(phone, 1) } : {}),
    ...(email ? { email: valueAt(email, 1) } : {}),
    ...(id === "" ? {} : { refs: [{ system: channel, kind: agency === "9" ? "gln" : "party-id", id }] }),
  };
}

export interface ItemNumber {
  readonly id: string;
  readonly type: string;
  readonly segment: EdifactSegment;
  readonly element: number;
}

/** Every item number of an item group: LIN-03 and PIA-02..06 (type in component 2; a PIA without one is `""`). */
export function itemNumbers(item: ItemGroup): ItemNumber[] {
  const numbers: ItemNumber[] = [];
  const linId = valueAt(item.lin, 3).trim();
  if (linId !== "") numbers.push({ id: linId, type: valueAt(item.lin, 3, 2), segment: item.lin, element: 3 });
  for (const pia of item.segments.filter((s) => s.tag === "PIA")) {
    for (let element = 2; element <= 6; element++) {
      const id = valueAt(pia, element).trim();
      if (id !== "") numbers.push({ id, type: valueAt(pia, element, 2), segment: pia, element });
    }
  }
  return numbers;
}

/** The item number that becomes the SKU: the first by preference, else the first there is. */
export function preferredItem(
  numbers: readonly ItemNumber[],
  preference: readonly string[],
): ItemNumber | undefined {
  for (const type of preference) {
    const found = numbers.find((n) => n.type === type);
    if (found) return found;
  }
  return numbers[0];
}

/** Free-text item description from IMD C273 (components 4 and 5). */
export function itemName(item: ItemGroup): string | undefined {
  const imd = item.segments.find((s) => s.tag === "IMD");
  if (!imd) return undefined;
  const text = [valueAt(imd, 3, 4), valueAt(imd, 3, 5)]
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .join(" ");
  return text === "" ? undefined : text.slice(0, 2_000);
}
