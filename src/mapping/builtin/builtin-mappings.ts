import type { Mapping } from "../mapping.ts";
import { shopifyOrderMapping } from "./shopify-order-mapper.ts";
import { shopifyProductMapping } from "./shopify-product-mapper.ts";
import { woocommerceOrderMapping } from "./woocommerce-order-mapper.ts";

/** Every built-in mapping, found by `name@version` before the user's mapping files. */
export const BUILTIN_MAPPINGS: readonly Mapping[] = Object.freeze([
  shopifyOrderMapping,
  shopifyProductMapping,
  woocommerceOrderMapping,
]);
