/**
 * The GraphQL Admin API's `inventorySetQuantities` mutation (2024-10) in the sandbox storefront, sent
 * as the operation `CrossdockSetInventory($input: InventorySetQuantitiesInput!)`. It sets the same
 * levels as REST `inventory_levels/set.json`, so a REST read sees what it set.
 *
 * As Shopify answers it:
 * - variables are coerced first: `$input` missing, a field of the wrong type, an id that is not a
 *   global id (`gid://shopify/<Type>/<digits>`) give one top-level `INVALID_VARIABLE` error listing
 *   each problem's path; more than 250 quantities (Shopify's limit on every input array) give
 *   `MAX_INPUT_SIZE_EXCEEDED`. Nothing is charged, nothing is set;
 * - then every quantity is checked and each problem is a `userErrors` entry with its `code` and
 *   `field` path (`["input", "quantities", "3", "inventoryItemId"]`): unknown inventory item or
 *   location, an item not stocked at the location (Shopify's GraphQL does not connect an item to a
 *   location; REST `set.json` does), a quantity beyond +-1,000,000,000, the same item and location
 *   twice, a missing or stale `compareQuantity` unless `ignoreCompareQuantity`; and `name`
 *   (`available` or `on_hand`) and `reason` (Shopify's list);
 * - the group is atomic: with any user error nothing is set and `inventoryAdjustmentGroup` is null;
 * - cost: a mutation is 10 points, requested and actual, whatever the number of quantities.
 *
 * `changes` lists the quantities that moved (`available` and `on_hand`, the sandbox having no
 * committed stock: both move by the same delta). Shopify's REST set emits no webhook in the sandbox
 * (it has no `inventory_levels/update` topic), so neither does this.
 */
import type { GraphqlDeps, GraphqlOperation } from "./graphql-routes.ts";

/** The operation name Crossdock sends (the sandbox knows operations by name). */
export const SET_INVENTORY_OPERATION = "CrossdockSetInventory";
export const MUTATION_COST = 10;
const MAX_INPUT_ITEMS = 250;
const MAX_QUANTITY = 1_000_000_000;
/** Shopify's reasons for a quantity change (2024-10). */
const REASONS = new Set([
  "correction",
  "cycle_count_available",
  "damaged",
  "movement_canceled",
  "movement_created",
  "movement_received",
  "movement_updated",
  "other",
  "promotion",
  "quality_control",
  "received",
  "reservation_created",
  "reservation_deleted",
  "reservation_updated",
  "restock",
  "safety_stock",
  "shrinkage",
]);
const GID = /^gid:\/\/shopify\/([A-Za-z]+)\/([1-9][0-9]{0,19})$/;

interface QuantityInput {
  item: { type: string; id: bigint };
  location: { type: string; id: bigint };
  quantity: number;
  compareQuantity: number | null;
}
interface SetInput {
  name: string;
  reason: string;
  referenceDocumentUri: string | null;
  ignoreCompareQuantity: boolean;
  quantities: QuantityInput[];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number =>
  typeof v === "number" && Number.isInteger(v) && Math.abs(v) <= 2_147_483_647;

/** Coerces `$input` as GraphQL would, or the top-level error Shopify answers. */
function coerce(
  variables: Record<string, unknown>,
): { ok: true; input: SetInput } | { ok: false; error: Record<string, unknown> } {
  const input = variables.input;
  const problems: { path: (string | number)[]; explanation: string }[] = [];
  const problem = (path: (string | number)[], explanation: string) => problems.push({ path, explanation });
  if (!isObject(input)) {
    const message = "Variable $input of type InventorySetQuantitiesInput! was provided invalid value";
    const extensions = { code: "INVALID_VARIABLE", value: input ?? null, problems: [] };
    return { ok: false, error: { message, extensions } };
  }
  for (const field of ["name", "reason"])
    if (typeof input[field] !== "string") problem([field], "Expected value to be a String");
  if (input.referenceDocumentUri != null && typeof input.referenceDocumentUri !== "string")
    problem(["referenceDocumentUri"], "Expected value to be a String");
  if (input.ignoreCompareQuantity != null && typeof input.ignoreCompareQuantity !== "boolean")
    problem(["ignoreCompareQuantity"], "Could not coerce value to Boolean");
  if (!Array.isArray(input.quantities)) problem(["quantities"], "Expected value to be a list");
  else if (input.quantities.length > MAX_INPUT_ITEMS) {
    const message = `The input array size of ${input.quantities.length} is greater than the maximum allowed of ${MAX_INPUT_ITEMS}.`;
    const path = ["inventorySetQuantities", "input", "quantities"];
    return { ok: false, error: { message, path, extensions: { code: "MAX_INPUT_SIZE_EXCEEDED" } } };
  }
  const quantities: QuantityInput[] = [];
  for (const [i, q] of (Array.isArray(input.quantities) ? input.quantities : []).entries()) {
    if (!isObject(q)) {
      problem(["quantities", i], "Expected value to be an object");
      continue;
    }
    const gid = (field: string) => {
      const match = typeof q[field] === "string" ? GID.exec(q[field] as string) : null;
      if (!match) problem(["quantities", i, field], `Invalid global id '${String(q[field] ?? "")}'`);
      return match ? { type: match[1] as string, id: BigInt(match[2] as string) } : undefined;
    };
    const item = gid("inventoryItemId");
    const location = gid("locationId");
    if (!isInt(q.quantity)) problem(["quantities", i, "quantity"], "Could not coerce value to Int");
    if (q.compareQuantity != null && !isInt(q.compareQuantity))
      problem(["quantities", i, "compareQuantity"], "Could not coerce value to Int");
    if (item && location && isInt(q.quantity))
      quantities.push({
        item,
        location,
        quantity: q.quantity,
        compareQuantity: isInt(q.compareQuantity) ? q.compareQuantity : null,
      });
  }
  if (problems.length > 0) {
    const [first] = problems;
    const message = `Variable $input of type InventorySetQuantitiesInput! was provided invalid value for ${first?.path.join(".")} (${first?.explanation})`;
    const extensions = {
      code: "INVALID_VARIABLE",
      value: input,
      problems: problems.map((p) => ({ ...p, message: p.explanation })),
    };
    return { ok: false, error: { message, extensions } };
  }
  return {
    ok: true,
    input: {
      name: input.name as string,
      reason: input.reason as string,
      referenceDocumentUri: (input.referenceDocumentUri as string | undefined) ?? null,
      ignoreCompareQuantity: input.ignoreCompareQuantity === true,
      quantities,
    },
  };
}

type UserError = { code: string; field: string[]; message: string };

/** Every user error of the group; empty when it can be applied. */
function check(input: SetInput, deps: GraphqlDeps): UserError[] {
  const errors: UserError[] = [];
  const { catalog } = deps;
  if (input.name !== "available" && input.name !== "on_hand")
    errors.push({
      code: "INVALID_NAME",
      field: ["input", "name"],
      message: "The quantity name must be either 'available' or 'on_hand'.",
    });
  if (!REASONS.has(input.reason))
    errors.push({
      code: "INVALID_REASON",
      field: ["input", "reason"],
      message: "The specified reason is invalid.",
    });
  const seen = new Set<string>();
  for (const [i, q] of input.quantities.entries()) {
    const at = (field?: string) => ["input", "quantities", String(i), ...(field ? [field] : [])];
    const item = q.item.type === "InventoryItem" && catalog.hasItem(q.item.id);
    const location = q.location.type === "Location" && catalog.hasLocation(q.location.id);
    if (!item)
      errors.push({
        code: "INVALID_INVENTORY_ITEM",
        field: at("inventoryItemId"),
        message: "The specified inventory item could not be found.",
      });
    if (!location)
      errors.push({
        code: "INVALID_LOCATION",
        field: at("locationId"),
        message: "The specified location could not be found.",
      });
    const current = item && location ? catalog.available(q.item.id, q.location.id) : undefined;
    if (item && location && current === undefined)
      errors.push({
        code: "ITEM_NOT_STOCKED_AT_LOCATION",
        field: at("locationId"),
        message: "The specified inventory item is not stocked at the location.",
      });
    if (q.quantity > MAX_QUANTITY || q.quantity < -MAX_QUANTITY)
      errors.push({
        code: q.quantity > 0 ? "INVALID_QUANTITY_TOO_HIGH" : "INVALID_QUANTITY_TOO_LOW",
        field: at("quantity"),
        message: `The total quantity can't be ${q.quantity > 0 ? "higher" : "lower"} than ${q.quantity > 0 ? "" : "-"}1,000,000,000.`,
      });
    const key = `${q.item.id}:${q.location.id}`;
    if (seen.has(key))
      errors.push({
        code: "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR",
        field: at(),
        message: "The combination of inventoryItemId and locationId must be unique.",
      });
    seen.add(key);
    if (!input.ignoreCompareQuantity && q.compareQuantity === null)
      errors.push({
        code: "COMPARE_QUANTITY_REQUIRED",
        field: at("compareQuantity"),
        message:
          "The compareQuantity argument must be given to each quantity or ignored using ignoreCompareQuantity.",
      });
    else if (!input.ignoreCompareQuantity && current !== undefined && q.compareQuantity !== current)
      errors.push({
        code: "COMPARE_QUANTITY_STALE",
        field: at("compareQuantity"),
        message: "The compareQuantity value does not match persisted value.",
      });
  }
  return errors;
}

export const INVENTORY_SET_QUANTITIES: GraphqlOperation = {
  cost: (variables) => {
    const coerced = coerce(variables);
    return coerced.ok ? MUTATION_COST : coerced.error;
  },
  run: (variables, deps) => {
    const coerced = coerce(variables);
    if (!coerced.ok) return { ok: false, error: coerced.error };
    const { input } = coerced;
    const userErrors = check(input, deps);
    if (userErrors.length > 0) {
      const data = { inventorySetQuantities: { inventoryAdjustmentGroup: null, userErrors } };
      return { ok: true, data, actualCost: MUTATION_COST };
    }
    const now = deps.now();
    const changes = input.quantities.flatMap((q) => {
      const before = deps.catalog.available(q.item.id, q.location.id) ?? 0;
      deps.catalog.setAvailable(q.item.id, q.location.id, q.quantity, now);
      const delta = q.quantity - before;
      const change = (name: string) => ({
        name,
        delta,
        quantityAfterChange: q.quantity,
        item: { id: `gid://shopify/InventoryItem/${q.item.id}` },
        location: { id: `gid://shopify/Location/${q.location.id}` },
      });
      return delta === 0 ? [] : [change("available"), change("on_hand")];
    });
    const group = {
      createdAt: new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z"),
      reason: input.reason,
      referenceDocumentUri: input.referenceDocumentUri,
      changes,
    };
    return {
      ok: true,
      data: { inventorySetQuantities: { inventoryAdjustmentGroup: group, userErrors: [] } },
      actualCost: MUTATION_COST,
    };
  },
};
