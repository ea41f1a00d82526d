/**
 * The payloads of the jobs an Odoo target runs, one schema per job kind. Job kinds are stored: never
 * rename one. Payloads are checked before any call to Odoo; a payload that does not match is a business
 * failure with the path of each problem, so a person can edit and replay it.
 */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import Type from "typebox";
import { CrossdockError } from "../../core/errors.ts";

export const ODOO_JOB_KINDS = Object.freeze({
  upsertPartner: "odoo.partner.upsert",
  placeOrder: "odoo.order.place",
  cancelOrder: "odoo.order.cancel",
  validatePicking: "odoo.picking.validate",
  invoiceOrder: "odoo.order.invoice",
  registerPayment: "odoo.payment.register",
  adjustInventory: "odoo.inventory.adjust",
  placePurchase: "odoo.purchase.place",
  receivePurchase: "odoo.purchase.receive",
  createReturn: "odoo.return.create",
} as const);

export type OdooJobKind = (typeof ODOO_JOB_KINDS)[keyof typeof ODOO_JOB_KINDS];

const Id = Type.Integer({ minimum: 1 });
const Decimal = Type.Union([Type.String({ pattern: "^-?\\d{1,15}(\\.\\d{1,6})?$" }), Type.Number()]);
const Money = Type.String({ pattern: "^-?\\d{1,15}(\\.\\d{1,6})?$" });
const Key = Type.String({ minLength: 1, maxLength: 500 });
const Text = (max: number) => Type.String({ maxLength: max });
const closed = { additionalProperties: false } as const;

const PickedLine = Type.Object(
  {
    productId: Id,
    quantity: Decimal,
    lots: Type.Optional(
      Type.Array(Type.Object({ name: Text(128), quantity: Decimal }, closed), { maxItems: 1000 }),
    ),
  },
  closed,
);

export const ODOO_PAYLOAD_SCHEMAS = {
  [ODOO_JOB_KINDS.upsertPartner]: Type.Object(
    {
      key: Key,
      name: Type.String({ minLength: 1, maxLength: 256 }),
      email: Type.Optional(Text(256)),
      phone: Type.Optional(Text(64)),
      ref: Type.Optional(Text(128)),
      isCompany: Type.Optional(Type.Boolean()),
      street: Type.Optional(Text(256)),
      street2: Type.Optional(Text(256)),
      city: Type.Optional(Text(128)),
      zip: Type.Optional(Text(32)),
      countryId: Type.Optional(Id),
      parentKey: Type.Optional(Key),
      type: Type.Optional(
        Type.Union([
          Type.Literal("contact"),
          Type.Literal("invoice"),
          Type.Literal("delivery"),
          Type.Literal("other"),
        ]),
      ),
    },
    closed,
  ),
  [ODOO_JOB_KINDS.placeOrder]: Type.Object(
    {
      key: Key,
      partnerId: Id,
      invoicePartnerId: Type.Optional(Id),
      shippingPartnerId: Type.Optional(Id),
      clientOrderRef: Type.Optional(Text(256)),
      origin: Type.Optional(Text(256)),
      warehouseId: Type.Optional(Id),
      lines: Type.Array(
        Type.Object(
          {
            productId: Id,
            quantity: Decimal,
            priceUnit: Money,
            discount: Type.Optional(Money),
            description: Type.Optional(Text(2000)),
            taxIds: Type.Optional(Type.Array(Id, { maxItems: 20 })),
          },
          closed,
        ),
        { minItems: 1, maxItems: 1000 },
      ),
    },
    closed,
  ),
  [ODOO_JOB_KINDS.cancelOrder]: Type.Object(
    { orderIds: Type.Array(Id, { minItems: 1, maxItems: 500 }) },
    closed,
  ),
  [ODOO_JOB_KINDS.validatePicking]: Type.Object(
    {
      pickingId: Id,
      lines: Type.Array(PickedLine, { maxItems: 1000 }),
      trackingRef: Type.Optional(Text(256)),
      carrierId: Type.Optional(Id),
      backorder: Type.Optional(Type.Boolean()),
    },
    closed,
  ),
  [ODOO_JOB_KINDS.invoiceOrder]: Type.Object(
    { orderIds: Type.Array(Id, { minItems: 1, maxItems: 500 }) },
    closed,
  ),
  [ODOO_JOB_KINDS.registerPayment]: Type.Object(
    {
      invoiceIds: Type.Array(Id, { minItems: 1, maxItems: 500 }),
      amount: Type.Optional(Money),
      date: Type.Optional(Type.String({ pattern: "^\\d{4}-\\d{2}-\\d{2}$" })),
      journalId: Type.Optional(Id),
      memo: Type.Optional(Text(256)),
    },
    closed,
  ),
  [ODOO_JOB_KINDS.adjustInventory]: Type.Object(
    {
      locationId: Id,
      counts: Type.Array(Type.Object({ productId: Id, quantity: Decimal }, closed), {
        minItems: 1,
        maxItems: 10_000,
      }),
    },
    closed,
  ),
  [ODOO_JOB_KINDS.placePurchase]: Type.Object(
    {
      key: Key,
      supplierId: Id,
      partnerRef: Type.Optional(Text(256)),
      origin: Type.Optional(Text(256)),
      lines: Type.Array(Type.Object({ productId: Id, quantity: Decimal, priceUnit: Money }, closed), {
        minItems: 1,
        maxItems: 1000,
      }),
    },
    closed,
  ),
  [ODOO_JOB_KINDS.receivePurchase]: Type.Object(
    {
      purchaseId: Id,
      lines: Type.Array(PickedLine, { maxItems: 1000 }),
      backorder: Type.Optional(Type.Boolean()),
    },
    closed,
  ),
  [ODOO_JOB_KINDS.createReturn]: Type.Object(
    {
      pickingId: Id,
      lines: Type.Array(Type.Object({ productId: Id, quantity: Decimal }, closed), {
        minItems: 1,
        maxItems: 1000,
      }),
    },
    closed,
  ),
} as const;

const ajv = new Ajv2020({ allErrors: true, coerceTypes: false, strict: false });
const validators = new Map<string, ValidateFunction>(
  Object.entries(ODOO_PAYLOAD_SCHEMAS).map(([kind, schema]) => [kind, ajv.compile(schema)]),
);

/** Checks a job payload against its kind's schema; throws a business error listing every problem. */
export function checkOdooPayload<T>(kind: string, payload: unknown): T {
  const validate = validators.get(kind);
  if (!validate) {
    throw new CrossdockError(
      "CDK_JOB_HANDLER_MISSING",
      `the Odoo target has no job kind ${JSON.stringify(kind)}`,
      {
        details: { kind, known: Object.values(ODOO_JOB_KINDS) },
      },
    );
  }
  if (validate(payload)) return payload as T;
  const problems = (validate.errors ?? []).slice(0, 20).map((error) => {
    const where = error.instancePath === "" ? "payload" : `payload${error.instancePath.replaceAll("/", ".")}`;
    const extra =
      error.keyword === "additionalProperties"
        ? ` '${String((error.params as { additionalProperty?: string }).additionalProperty)}'`
        : "";
    return `${where}: ${error.message ?? "invalid"}${extra}`;
  });
  throw new CrossdockError("CDK_JOB_PAYLOAD_INVALID", `${kind} payload is invalid: ${problems.join("; ")}`, {
    details: { kind, problems },
  });
}
