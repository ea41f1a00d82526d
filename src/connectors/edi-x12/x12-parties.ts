/**
 * The N1 loop (N1 name and id, N2 more name, N3 street, N4 city/state/postcode/country, PER contact) as
 * parties, and a party as a canonical address. Shared by the 850, 945, 944 and 846 mappers.
 */
import type { Address } from "../../core/model/party.ts";
import { el, type X12Segment } from "./x12-segment.ts";
import { countryFromX12 } from "./x12-values.ts";

/** One N1 loop. `role` is N1-01 (`ST` ship to, `BT` bill to, `BY` buyer, `WH` warehouse, ...). */
export interface X12Party {
  readonly role: string;
  readonly n1: X12Segment;
  name: string;
  readonly idQualifier: string;
  readonly id: string;
  street?: string;
  street2?: string;
  city?: string;
  region?: string;
  postalCode?: string;
  country?: string;
  n4?: X12Segment;
  contact?: string;
  phone?: string;
  email?: string;
}

const LOOP_TAGS = new Set(["N2", "N3", "N4", "PER"]);

/** Collects N1 loops; `accept` takes a segment when it belongs to one. */
export class N1Loops {
  readonly parties: X12Party[] = [];
  #current: X12Party | undefined;

  accept(segment: X12Segment): boolean {
    if (segment.tag === "N1") {
      this.#current = {
        role: el(segment, 1).trim(),
        n1: segment,
        name: el(segment, 2).trim(),
        idQualifier: el(segment, 3).trim(),
        id: el(segment, 4).trim(),
      };
      this.parties.push(this.#current);
      return true;
    }
    const party = this.#current;
    if (party === undefined || !LOOP_TAGS.has(segment.tag)) {
      this.#current = undefined;
      return false;
    }
    if (segment.tag === "N2") party.name = party.name || el(segment, 1).trim();
    else if (segment.tag === "N3") {
      if (party.street === undefined) {
        party.street = el(segment, 1).trim();
        party.street2 = el(segment, 2).trim() || undefined;
      } else party.street2 = [party.street2, el(segment, 1).trim()].filter(Boolean).join(", ");
    } else if (segment.tag === "N4") {
      party.city = el(segment, 1).trim();
      party.region = el(segment, 2).trim() || undefined;
      party.postalCode = el(segment, 3).trim() || undefined;
      party.country = el(segment, 4).trim() || undefined;
      party.n4 = segment;
    } else {
      party.contact = el(segment, 2).trim() || undefined;
      for (let i = 3; i <= 7; i += 2) {
        const value = el(segment, i + 1).trim();
        if (el(segment, i) === "TE" && value) party.phone ??= value;
        if (el(segment, i) === "EM" && value) party.email ??= value;
      }
    }
    return true;
  }

  /** The first party with one of the roles, in the order given. */
  find(...roles: string[]): X12Party | undefined {
    for (const role of roles) {
      const party = this.parties.find((p) => p.role === role);
      if (party !== undefined) return party;
    }
    return undefined;
  }
}

/**
 * The party's postal address, or undefined when it has none (an N1 with only a location code, as many
 * retailers send, or no street or city). Country: N4-04, else `defaultCountry`.
 */
export function partyAddress(party: X12Party | undefined, defaultCountry: string): Address | undefined {
  if (party?.street === undefined || party.street === "" || !party.city) return undefined;
  const countryCode = party.country === undefined ? defaultCountry : countryFromX12(party.country);
  if (countryCode === undefined) return undefined;
  return {
    ...(party.name ? { name: party.name.slice(0, 256) } : {}),
    street: party.street.slice(0, 256),
    ...(party.street2 ? { street2: party.street2.slice(0, 256) } : {}),
    city: party.city.slice(0, 128),
    ...(party.postalCode ? { postalCode: party.postalCode.slice(0, 32) } : {}),
    ...(party.region ? { region: party.region.slice(0, 64) } : {}),
    countryCode,
    ...(party.phone ? { phone: party.phone.slice(0, 64) } : {}),
  };
}
