/**
 * The X12 code lists the 855 mapper (`x12-855-ack.ts`) reads: ACK01 line item status (element 668),
 * BAK02 acknowledgement type (element 587), and the date qualifiers (element 374) it prefers for a
 * line's expected date.
 */

/** What an ACK01 code makes of (part of) a line. */
export type Kind = "accepted" | "changed" | "rejected";

/** ACK01 line item status codes (X12 element 668) the mapper knows, with what they mean. */
export const X12_ACK_CODES: Readonly<Record<string, { kind: Kind; text: string }>> = {
  IA: { kind: "accepted", text: "item accepted" },
  AC: { kind: "accepted", text: "item accepted and shipped" },
  AR: { kind: "accepted", text: "item accepted and released for shipment" },
  IE: { kind: "accepted", text: "item accepted, price pending" },
  SP: { kind: "accepted", text: "item accepted, schedule date pending" },
  IQ: { kind: "changed", text: "quantity changed" },
  IP: { kind: "changed", text: "price changed" },
  IC: { kind: "changed", text: "item accepted with changes" },
  DR: { kind: "changed", text: "date rescheduled" },
  IB: { kind: "changed", text: "item backordered" },
  BP: { kind: "changed", text: "partial shipment, balance backordered" },
  IS: { kind: "changed", text: "substitution made" },
  IH: { kind: "changed", text: "item on hold" },
  IF: { kind: "changed", text: "item on hold, incomplete description" },
  IW: { kind: "changed", text: "item on hold, waiver required" },
  IR: { kind: "rejected", text: "item rejected" },
  ID: { kind: "rejected", text: "item deleted" },
  R1: { kind: "rejected", text: "rejected, not a contract item" },
  R2: { kind: "rejected", text: "rejected, invalid item product number" },
  R3: { kind: "rejected", text: "rejected, invalid unit of issue" },
  R4: { kind: "rejected", text: "rejected, contract item not available" },
  R5: { kind: "rejected", text: "rejected, reorder as a just-in-time order" },
  R6: { kind: "rejected", text: "rejected, reorder as an extended delivery order" },
  R7: { kind: "rejected", text: "rejected, reorder as a drop shipment" },
  R8: { kind: "rejected", text: "rejected, reorder as a surge order" },
};

/** BAK02 acknowledgement types: whether a PO1 without an ACK is rejected, and whether only exceptions are listed. */
export const BAK02_TYPES: Readonly<Record<string, { rejects: boolean; exceptionsOnly: boolean }>> = {
  AC: { rejects: false, exceptionsOnly: false },
  AD: { rejects: false, exceptionsOnly: false },
  AE: { rejects: false, exceptionsOnly: true },
  AK: { rejects: false, exceptionsOnly: false },
  AP: { rejects: false, exceptionsOnly: false },
  AT: { rejects: false, exceptionsOnly: false },
  RD: { rejects: true, exceptionsOnly: false },
  RF: { rejects: false, exceptionsOnly: true },
  RJ: { rejects: true, exceptionsOnly: false },
  RO: { rejects: true, exceptionsOnly: false },
};

/** Date qualifiers, best first: delivery dates, then ship dates. */
export const DATE_RANK = ["067", "017", "069", "002", "371", "074", "068", "079", "010", "011"];
