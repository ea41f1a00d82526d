/**
 * NAD segments from canonical parties and addresses: the party id (its `code`, else its GLN or first
 * ref for this channel; `::9` marks a 13-digit GLN), the name in C080 and the address in C059 and the
 * following elements. `nadParty` and `nadAddress` read exactly this back. Names and streets are not
 * cut to the directory's 35 characters: partners that enforce it need shorter master data.
 */
import type { Address, PartyValue } from "../../core/model/party.ts";
import type { DraftSegment } from "./edifact-writer.ts";

/** The id a party is known by in EDI, and whether it is a GLN. */
export function partyId(party: PartyValue | undefined): { id: string; gln: boolean } | undefined {
  if (party === undefined) return undefined;
  const ref = party.refs?.find((r) => r.kind === "gln") ?? party.refs?.[0];
  const id = party.code ?? ref?.id;
  return id === undefined ? undefined : { id, gln: /^[0-9]{13}$/.test(id) };
}

/** `NAD+<role>+<id>::9++<name>+<street>:<street2>+<city>+<region>+<postal code>+<country>`. */
export function nadSegment(role: string, party: PartyValue | undefined, address?: Address): DraftSegment {
  const id = partyId(party);
  const name = address?.name ?? party?.name ?? "";
  const identification = id ? [id.id, "", id.gln ? "9" : ""] : "";
  if (!address) return ["NAD", role, identification, "", name === id?.id ? "" : name];
  return [
    "NAD",
    role,
    identification,
    "",
    name,
    [address.street, address.street2 ?? ""],
    address.city,
    address.region ?? "",
    address.postalCode ?? "",
    address.countryCode,
  ];
}

/** NAD plus RFF+VA (VAT id) when the party has one. */
export function partySegments(
  role: string,
  party: PartyValue | undefined,
  address?: Address,
): DraftSegment[] {
  const segments = [nadSegment(role, party, address)];
  if (party?.taxId) segments.push(["RFF", ["VA", party.taxId]]);
  return segments;
}
