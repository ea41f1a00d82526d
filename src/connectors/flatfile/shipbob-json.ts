/**
 * ShipBob's JSON documents as a 3PL sends or answers them, to canonical records:
 * - a WRO (warehouse receiving order, `GET /2.0/receiving/{id}`) -> one `receipt` of what was
 *   received so far (lines with `received_quantity` above 0; the WRO's id is the receipt id, its
 *   `purchase_order_number` the PO, the fulfillment center `shipbob-<id>` the warehouse);
 * - a product list (`GET /2.0/product`) -> one `product` per variant (the variant's SKU);
 * - a WRO box list (`/receiving/{id}/boxes`) is recognised and counted, but its items name inventory
 *   ids, not SKUs, so it gives no canonical record on its own.
 * Problems are located by JSON pointer. Nothing here throws on the document's content.
 */
import { checkModel, isValidGtin } from "../../core/model/model-checks.ts";

export interface ShipBobRead {
  readonly kind: "wro" | "wro-boxes" | "products" | "unknown";
  readonly documents: number;
  readonly records: readonly { readonly entity: "receipt" | "product"; readonly value: unknown }[];
  readonly problems: readonly { readonly path: string; readonly message: string }[];
  readonly warnings: readonly string[];
}

type Node = Record<string, unknown>;
const isObject = (v: unknown): v is Node => typeof v === "object" && v !== null && !Array.isArray(v);
const idText = (v: unknown) =>
  (typeof v === "number" && Number.isSafeInteger(v)) ||
  (typeof v === "string" && /^[0-9A-Za-z_-]{1,64}$/.test(v))
    ? String(v)
    : undefined;

function readWro(wro: Node): ShipBobRead {
  const problems: { path: string; message: string }[] = [];
  const id = idText(wro.id);
  if (id === undefined) problems.push({ path: "/id", message: "must be the WRO's id (a whole number)" });
  const items = Array.isArray(wro.inventory_quantities) ? wro.inventory_quantities : [];
  const lines: Node[] = [];
  items.forEach((item: unknown, i) => {
    const received = isObject(item) ? item.received_quantity : undefined;
    if (
      !isObject(item) ||
      typeof item.sku !== "string" ||
      !Number.isSafeInteger(received) ||
      (received as number) < 0
    ) {
      problems.push({
        path: `/inventory_quantities/${i}`,
        message: "must have a sku and a whole received_quantity, 0 or more",
      });
    } else if ((received as number) > 0) {
      const lineId = idText(item.inventory_id);
      lines.push({ ...(lineId ? { lineId } : {}), sku: item.sku, quantity: String(received), uom: "C62" });
    }
  });
  const center = isObject(wro.fulfillment_center) ? idText(wro.fulfillment_center.id) : undefined;
  if (center === undefined)
    problems.push({ path: "/fulfillment_center/id", message: "must be the fulfillment center's id" });
  if (problems.length > 0) return { kind: "wro", documents: 1, records: [], problems, warnings: [] };
  if (lines.length === 0) {
    return {
      kind: "wro",
      documents: 1,
      records: [],
      problems,
      warnings: [`WRO ${id} (${String(wro.status)}) has nothing received yet: no receipt`],
    };
  }
  const po =
    typeof wro.purchase_order_number === "string" && wro.purchase_order_number.trim() !== ""
      ? wro.purchase_order_number.trim()
      : undefined;
  const receipt = {
    schemaVersion: 1,
    receiptId: id,
    ...(po ? { poNumber: po } : {}),
    warehouse: `shipbob-${center}`,
    receivedAt: wro.last_updated_date,
    lines,
    refs: [{ system: "shipbob", kind: "wro", id }],
  };
  const checked = checkModel("receipt", receipt);
  if (!checked.ok)
    return {
      kind: "wro",
      documents: 1,
      records: [],
      problems: checked.problems.map((p) => ({ path: p.path, message: p.message })),
      warnings: [],
    };
  return {
    kind: "wro",
    documents: 1,
    records: [{ entity: "receipt", value: receipt }],
    problems,
    warnings: [],
  };
}

function barcodes(variant: Node): { value: string; kind: "gtin" | "other" }[] {
  const found = [variant.gtin, variant.upc, variant.barcode].filter(
    (v): v is string => typeof v === "string" && /^[0-9A-Za-z-]{1,48}$/.test(v),
  );
  const unique = [...new Set(found)];
  return unique.map((value) => ({ value, kind: isValidGtin(value) ? "gtin" : "other" }));
}

function readProducts(list: unknown[]): ShipBobRead {
  const problems: { path: string; message: string }[] = [];
  const records: { entity: "product"; value: unknown }[] = [];
  for (const [i, product] of list.entries()) {
    const variants = isObject(product) && Array.isArray(product.variants) ? product.variants : undefined;
    if (!isObject(product) || variants === undefined) {
      problems.push({ path: `/${i}/variants`, message: "must be a list of variants" });
      continue;
    }
    for (const [j, variant] of (variants as unknown[]).entries()) {
      const path = `/${i}/variants/${j}`;
      if (!isObject(variant)) {
        problems.push({ path, message: "must be an object" });
        continue;
      }
      const codes = barcodes(variant);
      const variantId = idText(variant.id);
      const value = {
        schemaVersion: 1,
        sku: variant.sku,
        name: typeof variant.name === "string" && variant.name !== "" ? variant.name : product.name,
        ...(codes.length > 0 ? { barcodes: codes } : {}),
        uom: "C62",
        storable: variant.is_digital !== true,
        active: variant.status === "Active",
        ...(variantId ? { refs: [{ system: "shipbob", kind: "variant", id: variantId }] } : {}),
      };
      const checked = checkModel("product", value);
      if (checked.ok) records.push({ entity: "product", value });
      else problems.push(...checked.problems.map((p) => ({ path: `${path}${p.path}`, message: p.message })));
    }
  }
  return { kind: "products", documents: list.length, records, problems, warnings: [] };
}

/** Reads one parsed ShipBob JSON document. */
export function readShipBobJson(document: unknown): ShipBobRead {
  if (isObject(document) && Array.isArray(document.inventory_quantities)) return readWro(document);
  if (
    Array.isArray(document) &&
    document.length > 0 &&
    document.every((d) => isObject(d) && Array.isArray(d.box_items))
  ) {
    return {
      kind: "wro-boxes",
      documents: document.length,
      records: [],
      problems: [],
      warnings: ["a WRO box list names inventory ids, not SKUs: receipts come from the WRO itself"],
    };
  }
  if (
    Array.isArray(document) &&
    document.length > 0 &&
    document.every((d) => isObject(d) && Array.isArray(d.variants))
  )
    return readProducts(document);
  return {
    kind: "unknown",
    documents: 0,
    records: [],
    problems: [{ path: "", message: "is not a ShipBob WRO, WRO box list or product list" }],
    warnings: [],
  };
}
