/**
 * The inventory's `ChannelStockPort` over a Shopify shop's GraphQL Admin API: a batch goes out as one
 * `inventorySetQuantities` mutation per 250 SKUs (Shopify's limit on an input array), `available` set
 * to absolute numbers at the channel's location with `ignoreCompareQuantity` (the hub is the source
 * of the channel's number, as with REST `set.json`). A mutation costs 10 points of the shop's GraphQL
 * bucket whatever its size, so 2,000 SKUs cost 8 calls and 80 points, where REST takes 2,000 calls of
 * a bucket leaking 2 a second. The GraphQL client waits for the points and waits out `THROTTLED`.
 *
 * SKUs are resolved like the REST port does (`ShopifySkuIndex`), and the contract is the same:
 * - accepted: the quantities of a mutation that answered without user errors;
 * - rejected (shown, retried next pass): SKUs with no variant or several on the shop, and SKUs a user
 *   error names (`field: ["input", "quantities", "<i>", ...]`), with Shopify's code and message;
 * - neither: quantities not attempted after a failure stopped the batch (transient: network, 5xx,
 *   `THROTTLED` past the client's retries; config: 401, a top-level GraphQL error, a user error that
 *   names no quantity such as `INVALID_REASON`). When nothing was accepted, `publish` throws it.
 *
 * Shopify applies a mutation's group atomically: one user error and nothing of it is set. So the
 * quantities the errors name are taken out and the rest is sent again, in the same `publish` (at most
 * `MAX_ROUNDS` times a group; Shopify reports every problem of a group at once, so one resend is usual).
 *
 * `ITEM_NOT_STOCKED_AT_LOCATION`: GraphQL sets only items already stocked at the location, where REST
 * `set.json` connects the item first. With `fallback` (the REST port of the same shop and location)
 * those SKUs go through it, which connects them, so the first publication to a new location works
 * and the next ones are batched; without it they are rejected.
 */
import { CrossdockError } from "../../core/errors.ts";
import type { ChannelPublishResult, ChannelStockPort } from "../../inventory/channel-stock-port.ts";
import type { StockUpdate } from "../../inventory/publication-planner.ts";
import type { ShopifyGraphqlClient } from "./shopify-graphql-client.ts";
import { resolveStockUpdates, type ShopifySkuIndex } from "./shopify-sku-index.ts";

export interface ShopifyGraphqlChannelStockOptions {
  index: Pick<ShopifySkuIndex, "resolve">;
  client: Pick<ShopifyGraphqlClient, "query">;
  /** The Shopify location the channel's stock is set at (digits; ids may exceed 2^53). */
  locationId: string;
  /** Where SKUs not stocked at the location go (the REST port connects them); default: rejected. */
  fallback?: ChannelStockPort;
  /** Shopify's reason for the change. Default "correction". */
  reason?: string;
}

/** Quantities per mutation: Shopify refuses input arrays above 250. */
export const MAX_QUANTITIES_PER_CALL = 250;
/** Sends of one group, the first included, before what is left waits for the next pass. */
const MAX_ROUNDS = 4;
/** Shopify's documented cost of a mutation. */
const MUTATION_COST = 10;

export const SET_INVENTORY_MUTATION = `mutation CrossdockSetInventory($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) {
    inventoryAdjustmentGroup { createdAt reason }
    userErrors { code field message }
  }
}`;

const NOT_STOCKED = "ITEM_NOT_STOCKED_AT_LOCATION";
const ID = /^[1-9][0-9]{0,19}$/;

interface UserError {
  code?: string | null;
  field?: string[] | null;
  message: string;
}
interface Payload {
  inventorySetQuantities?: { userErrors?: UserError[] } | null;
}

export function createShopifyGraphqlChannelStock(
  options: ShopifyGraphqlChannelStockOptions,
): ChannelStockPort {
  const reason = options.reason ?? "correction";
  const location = `gid://shopify/Location/${options.locationId}`;

  /** Sends one group until it lands or nothing is left; what each quantity came to. */
  async function sendGroup(
    channel: string,
    group: { itemId: string; update: StockUpdate }[],
    out: {
      accepted: StockUpdate[];
      rejected: ChannelPublishResult["rejected"] & {};
      notStocked: StockUpdate[];
    },
  ): Promise<void> {
    let left = group;
    for (let round = 0; round < MAX_ROUNDS && left.length > 0; round++) {
      const input = {
        name: "available",
        reason,
        referenceDocumentUri: `gid://crossdock/StockChannel/${encodeURIComponent(channel)}`,
        ignoreCompareQuantity: true,
        quantities: left.map(({ itemId, update }) => ({
          inventoryItemId: `gid://shopify/InventoryItem/${itemId}`,
          locationId: location,
          quantity: update.quantity,
        })),
      };
      const { data } = await options.client.query<Payload>(
        SET_INVENTORY_MUTATION,
        { input },
        { estimatedCost: MUTATION_COST },
      );
      const payload = data?.inventorySetQuantities;
      if (!payload || !Array.isArray(payload.userErrors))
        throw new CrossdockError(
          "CDK_TARGET_UNAVAILABLE",
          `shopify: inventorySetQuantities answered without its payload: ${JSON.stringify(data).slice(0, 300)}`,
          { details: { data: JSON.stringify(data).slice(0, 2_000) } },
        );
      if (payload.userErrors.length === 0) {
        out.accepted.push(...left.map((q) => q.update));
        return;
      }
      const named = new Map<number, UserError>();
      const general: UserError[] = [];
      for (const error of payload.userErrors) {
        const [root, list, index] = error.field ?? [];
        const i = Number(index);
        if (root === "input" && list === "quantities" && Number.isInteger(i) && left[i]) {
          // the first error of a quantity is its reason; not-stocked yields to any other
          if (!named.has(i) || named.get(i)?.code === NOT_STOCKED) named.set(i, error);
        } else general.push(error);
      }
      if (general.length > 0 || named.size === 0) {
        const text = payload.userErrors.map(
          (e) => `${e.code ?? "error"} ${e.field?.join(".") ?? ""}: ${e.message}`,
        );
        throw new CrossdockError(
          "CDK_TARGET_REJECTED",
          `shopify: inventorySetQuantities refused the group: ${text.join("; ").slice(0, 500)}`,
          { failureClass: "config", details: { userErrors: payload.userErrors } },
        );
      }
      for (const [i, error] of named) {
        const { update } = left[i] as (typeof left)[number];
        if (error.code === NOT_STOCKED && options.fallback) out.notStocked.push(update);
        else out.rejected.push({ sku: update.sku, reason: `${error.code ?? "error"}: ${error.message}` });
      }
      left = left.filter((_, i) => !named.has(i));
    }
  }

  return {
    async publish(channel, updates) {
      const { found, rejected } = await resolveStockUpdates(options.index, updates);
      const out = {
        accepted: [] as StockUpdate[],
        rejected,
        notStocked: [] as StockUpdate[],
      };
      const byItem = new Map<string, StockUpdate>();
      for (const { update, inventoryItemId } of found) {
        if (!ID.test(inventoryItemId) || !Number.isSafeInteger(update.quantity)) {
          out.rejected.push({
            sku: update.sku,
            reason: `not a quantity Shopify can set: ${update.quantity}`,
          });
          continue;
        }
        byItem.set(inventoryItemId, update); // a SKU twice in a batch: the later number wins
      }
      const items = [...byItem].map(([itemId, update]) => ({ itemId, update }));
      let stoppedBy: CrossdockError | undefined;
      for (let at = 0; at < items.length && !stoppedBy; at += MAX_QUANTITIES_PER_CALL) {
        try {
          await sendGroup(channel, items.slice(at, at + MAX_QUANTITIES_PER_CALL), out);
        } catch (cause) {
          stoppedBy =
            cause instanceof CrossdockError
              ? cause
              : new CrossdockError("CDK_TARGET_UNAVAILABLE", `stock publication failed: ${String(cause)}`, {
                  cause,
                });
        }
      }
      if (out.notStocked.length > 0 && options.fallback && !stoppedBy) {
        try {
          const viaRest = await options.fallback.publish(channel, out.notStocked);
          out.accepted.push(...viaRest.accepted);
          out.rejected.push(...(viaRest.rejected ?? []));
        } catch (cause) {
          stoppedBy = cause as CrossdockError;
        }
      }
      if (out.accepted.length === 0 && stoppedBy) throw stoppedBy;
      return { accepted: out.accepted, ...(rejected.length > 0 ? { rejected } : {}) };
    },
  };
}
