/**
 * Every difference between the Odoo versions Crossdock supports (16 to 19), in one place. Actions ask
 * the dialect for field and method names instead of testing version numbers themselves, so supporting
 * a new version means changing this file and its test.
 */
import { CrossdockError } from "../../core/errors.ts";

export type OdooTransportKind = "jsonrpc" | "json2";

export interface OdooDialect {
  /** Major version, e.g. 17. */
  readonly major: number;
  /** JSON-2 from 19 (JSON-RPC is deprecated there and removed in 22); JSON-RPC before. */
  readonly preferredTransport: OdooTransportKind;
  /** Product fields that say what kind of product it is. */
  readonly productTypeFields: readonly string[];
  /** A domain selecting storable (stock-tracked) products. */
  readonly storableDomain: readonly unknown[];
  /** Whether a product record read with `productTypeFields` is storable. */
  isStorable(product: Record<string, unknown>): boolean;
  /** `stock.move` done quantity field: 16 `quantity_done`; 17+ `quantity` (with `picked`). */
  readonly moveDoneQuantity: "quantity_done" | "quantity";
  /** 17+ marks moves as picked for the quantity to count at validation. */
  readonly moveHasPicked: boolean;
  /** `stock.move.line` done quantity: 16 `qty_done`; 17+ `quantity`. */
  readonly moveLineQuantity: "qty_done" | "quantity";
  /** `sale.order.line` unit of measure: 19 `product_uom_id`; before `product_uom`. */
  readonly saleLineUom: "product_uom" | "product_uom_id";
  /** `sale.order.line` taxes: 19 `tax_ids`; before `tax_id`. */
  readonly saleLineTaxes: "tax_id" | "tax_ids";
  /** `account.payment` memo: 16/17 `ref`; 18+ `memo`. */
  readonly paymentMemo: "ref" | "memo";
  /** `stock.return.picking` button: 16/17 `create_returns`; 18+ `action_create_returns`. */
  readonly createReturnsMethod: "create_returns" | "action_create_returns";
  /** Rights probe: 16/17 `check_access_rights(op, raise_exception=False)`; 18+ `has_access(op)`. */
  readonly accessProbe: "check_access_rights" | "has_access";
  /** The module that holds carriers and tracking refs: 16 `delivery`; 17+ `stock_delivery`. */
  readonly deliveryModule: "delivery" | "stock_delivery";
  /** Context for `button_validate` that avoids the wizards Odoo can answer with. */
  validateContext(options: { backorder: boolean; pickingIds: number[] }): Record<string, unknown>;
}

export const SUPPORTED_ODOO_VERSIONS = [16, 17, 18, 19] as const;

/** The dialect of an Odoo major version; versions outside 16-19 are refused with a config error. */
export function odooDialect(major: number): OdooDialect {
  if (!Number.isInteger(major) || major < 16 || major > 19) {
    throw new CrossdockError(
      "CDK_ODOO_CONFIG",
      `Odoo ${major} is not supported (supported: ${SUPPORTED_ODOO_VERSIONS.join(", ")})`,
      { details: { version: major } },
    );
  }
  const legacyProduct = major <= 17;
  return Object.freeze({
    major,
    preferredTransport: major >= 19 ? "json2" : "jsonrpc",
    productTypeFields: legacyProduct ? ["type", "detailed_type"] : ["type", "is_storable"],
    storableDomain: legacyProduct ? [["detailed_type", "=", "product"]] : [["is_storable", "=", true]],
    isStorable: (product: Record<string, unknown>) =>
      legacyProduct ? product.detailed_type === "product" : product.is_storable === true,
    moveDoneQuantity: major === 16 ? "quantity_done" : "quantity",
    moveHasPicked: major >= 17,
    moveLineQuantity: major === 16 ? "qty_done" : "quantity",
    saleLineUom: major >= 19 ? "product_uom_id" : "product_uom",
    saleLineTaxes: major >= 19 ? "tax_ids" : "tax_id",
    paymentMemo: major >= 18 ? "memo" : "ref",
    createReturnsMethod: major >= 18 ? "action_create_returns" : "create_returns",
    accessProbe: major >= 18 ? "has_access" : "check_access_rights",
    deliveryModule: major === 16 ? "delivery" : "stock_delivery",
    validateContext({ backorder, pickingIds }: { backorder: boolean; pickingIds: number[] }) {
      return {
        skip_sms: true,
        skip_backorder: true,
        ...(backorder ? {} : { picking_ids_not_to_backorder: pickingIds }),
        ...(major === 16 ? { skip_immediate: true } : {}),
      };
    },
  } satisfies OdooDialect);
}

/**
 * Reads the major version from `/web/version`'s `version_info` or `common.version`'s
 * `server_version_info`; SaaS builds name it `"saas~17"` with the minor as the second element.
 */
export function parseOdooMajor(versionInfo: unknown, versionText?: unknown): number | undefined {
  const first = Array.isArray(versionInfo) ? versionInfo[0] : undefined;
  const fromInfo =
    typeof first === "number" ? first : typeof first === "string" ? leadingNumber(first) : undefined;
  if (fromInfo !== undefined) return fromInfo;
  return typeof versionText === "string" ? leadingNumber(versionText) : undefined;
}

function leadingNumber(text: string): number | undefined {
  const match = /(\d+)/.exec(text);
  return match ? Number(match[1]) : undefined;
}
