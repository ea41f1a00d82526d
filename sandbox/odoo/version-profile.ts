/**
 * Everything that differs between the Odoo versions the sandbox speaks, in one table: field names,
 * methods, wizards, modules and transports. Models read their profile instead of testing `version`.
 */
export interface VersionProfile {
  version: 16 | 17 | 18 | 19;
  /** `server_version` of common.version and /web/version. */
  serverVersion: string;
  /** 16/17: `detailed_type` (consu/service/product); 18+: `type` (consu/service/combo) + `is_storable`. */
  storableFlag: "detailed_type" | "is_storable";
  /** stock.move done quantity field: 16 `quantity_done`, 17+ `quantity` (with `picked`). */
  moveQtyField: "quantity_done" | "quantity";
  /** stock.move.line done quantity field: 16 `qty_done`, 17+ `quantity`. */
  moveLineQtyField: "qty_done" | "quantity";
  /** 16 asks for the immediate-transfer wizard when nothing is done. */
  immediateTransfer: boolean;
  /** 17+: `sale.order.locked`; 16: state `done` instead. */
  saleLocked: boolean;
  /** Module providing carriers: 16 `delivery`, 17+ `stock_delivery`. */
  deliveryModule: "delivery" | "stock_delivery";
  /** account.payment memo field: 16/17 `ref`, 18+ `memo`. */
  paymentMemoField: "ref" | "memo";
  /** stock.return.picking method: 16/17 `create_returns`, 18+ `action_create_returns`. */
  returnsMethod: "create_returns" | "action_create_returns";
  /** Rights probe: 16/17 `check_access_rights`, 18+ `has_access`. */
  rightsProbe: "check_access_rights" | "has_access";
  /** sale.order.line uom/tax field names: 19 renames them. */
  saleLineUom: "product_uom" | "product_uom_id";
  saleLineTax: "tax_id" | "tax_ids";
  /** 17+: stock.picking.return_id and sale.order.delivery_status. */
  returnId: boolean;
  deliveryStatus: boolean;
  /** 19: JSON-2 endpoint `/json/2/<model>/<method>`. */
  json2: boolean;
}

const BASE: Omit<VersionProfile, "version" | "serverVersion"> = {
  storableFlag: "detailed_type",
  moveQtyField: "quantity",
  moveLineQtyField: "quantity",
  immediateTransfer: false,
  saleLocked: true,
  deliveryModule: "stock_delivery",
  paymentMemoField: "ref",
  returnsMethod: "create_returns",
  rightsProbe: "check_access_rights",
  saleLineUom: "product_uom",
  saleLineTax: "tax_id",
  returnId: true,
  deliveryStatus: true,
  json2: false,
};

const PROFILES: Record<16 | 17 | 18 | 19, VersionProfile> = {
  16: {
    ...BASE,
    version: 16,
    serverVersion: "16.0",
    moveQtyField: "quantity_done",
    moveLineQtyField: "qty_done",
    immediateTransfer: true,
    saleLocked: false,
    deliveryModule: "delivery",
    returnId: false,
    deliveryStatus: false,
  },
  17: { ...BASE, version: 17, serverVersion: "17.0" },
  18: {
    ...BASE,
    version: 18,
    serverVersion: "18.0",
    storableFlag: "is_storable",
    paymentMemoField: "memo",
    returnsMethod: "action_create_returns",
    rightsProbe: "has_access",
  },
  19: {
    ...BASE,
    version: 19,
    serverVersion: "19.0",
    storableFlag: "is_storable",
    paymentMemoField: "memo",
    returnsMethod: "action_create_returns",
    rightsProbe: "has_access",
    saleLineUom: "product_uom_id",
    saleLineTax: "tax_ids",
    json2: true,
  },
};

/** The profile of a supported version (16-19). */
export function versionProfile(version: number): VersionProfile {
  const profile = PROFILES[version as 16 | 17 | 18 | 19];
  if (!profile) throw new Error(`unsupported Odoo version ${version} (16-19)`);
  return profile;
}
