/**
 * Parties (customers, suppliers, carriers: Odoo's `res.partner`) and their postal addresses.
 *
 * `partyFields` is also embedded in documents (an order's customer, a purchase order's supplier) as a
 * snapshot of the party at the time of the document; the standalone `Party` adds the schema version
 * and the party's address book.
 */
import Type from "typebox";
import {
  Code,
  CountryCode,
  closed,
  Email,
  Extensions,
  MODEL_BASE_URI,
  Refs,
  SchemaVersion,
  Text,
} from "./model-primitives.ts";

const addressFields = {
  name: Type.Optional(Text(256)),
  company: Type.Optional(Text(256)),
  street: Text(256),
  street2: Type.Optional(Text(256)),
  city: Text(128),
  postalCode: Type.Optional(Text(32)),
  region: Type.Optional(
    Text(
      64,
      "the ISO 3166-2 subdivision code without the country prefix when known (CA, NSW), else the name",
    ),
  ),
  countryCode: CountryCode,
  phone: Type.Optional(Text(64)),
  email: Type.Optional(Email),
};

/** A postal address, embedded in parties, orders, shipments and invoices. */
export const AddressValue = Type.Object(addressFields, closed);

/** The address schema as published by `schemas()`: an embedded value, so it has no `schemaVersion`. */
export const Address = Type.Object(addressFields, {
  ...closed,
  $id: `${MODEL_BASE_URI}address/v1`,
  title: "Address",
  description: "a postal address; always embedded in another entity",
});
export type Address = Type.Static<typeof Address>;

export const PartyRole = Type.Enum(["customer", "supplier", "carrier", "warehouse"]);

export const partyFields = {
  kind: Type.Enum(["person", "company"]),
  code: Type.Optional(Code),
  name: Text(256),
  company: Type.Optional(Text(256)),
  email: Type.Optional(Email),
  phone: Type.Optional(Text(64)),
  taxId: Type.Optional(Text(64, "VAT number or other tax id, as printed on invoices")),
  refs: Type.Optional(Refs),
};

/** A party as embedded in a document: who it is, without the address book. */
export const PartyValue = Type.Object(partyFields, closed);
export type PartyValue = Type.Static<typeof PartyValue>;

export const Party = Type.Object(
  {
    schemaVersion: SchemaVersion(1),
    ...partyFields,
    roles: Type.Optional(Type.Array(PartyRole, { maxItems: 4, uniqueItems: true })),
    addresses: Type.Optional(
      Type.Array(
        Type.Object({ use: Type.Enum(["billing", "shipping", "other"]), ...addressFields }, closed),
        { maxItems: 100 },
      ),
    ),
    extensions: Type.Optional(Extensions),
  },
  {
    ...closed,
    $id: `${MODEL_BASE_URI}party/v1`,
    title: "Party",
    description: "a customer, supplier or other partner (Odoo res.partner)",
  },
);
export type Party = Type.Static<typeof Party>;
