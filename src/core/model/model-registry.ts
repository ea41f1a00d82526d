/**
 * The canonical distribution model v1, in one place: every entity's JSON Schema by `$id` (for docs,
 * the OpenAPI document and `crossdock catalog`) and its cached validator.
 *
 * `validateModel` never throws on bad input. It first walks the document against `ModelLimits`
 * (`json-limits.ts`), then runs the entity's schema compiled once by Ajv (JSON Schema 2020-12,
 * `allErrors`, no coercion, no defaults: the document is never modified). The answer is the typed
 * value or every located problem, capped at `MAX_PROBLEMS`.
 *
 * Versioning: an entity's `$id` ends in `/v<n>` and its documents carry `schemaVersion: n`. A change
 * that accepts strictly more (a new optional field, a new enum value) keeps the version; anything that
 * refuses a document v1 accepted, or changes what a field means, is a new version beside the old one.
 *
 * @example
 * const result = validateModel("order", JSON.parse(body));
 * if (!result.ok) return exception(result.problems); // [{ path: "/lines/0/quantity", message, rule }]
 * submit(result.value); // typed as Order
 */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import type Type from "typebox";
import type { TSchema } from "typebox";
import { CustomerReturn } from "./customer-return.ts";
import { Invoice } from "./invoice.ts";
import { checkJsonLimits, DEFAULT_MODEL_LIMITS, type ModelLimits } from "./json-limits.ts";
import { capProblems, type ModelProblem, type ModelResult, problemFromAjv } from "./model-problem.ts";
import { Order } from "./order.ts";
import { Address, Party } from "./party.ts";
import { Payment } from "./payment.ts";
import { Product } from "./product.ts";
import { PurchaseOrder } from "./purchase-order.ts";
import { Receipt } from "./receipt.ts";
import { Shipment } from "./shipment.ts";
import { Reservation, StockLevel } from "./stock.ts";
import { SupplierAcknowledgement } from "./supplier-acknowledgement.ts";

/** Every entity of the model by its short name (the `$id` path segment). Names are stored: never rename. */
export const MODEL_ENTITIES = {
  product: Product,
  party: Party,
  address: Address,
  order: Order,
  "stock-level": StockLevel,
  reservation: Reservation,
  shipment: Shipment,
  invoice: Invoice,
  payment: Payment,
  return: CustomerReturn,
  "purchase-order": PurchaseOrder,
  "supplier-acknowledgement": SupplierAcknowledgement,
  receipt: Receipt,
} as const;

export type ModelEntityName = keyof typeof MODEL_ENTITIES;
/** The TypeScript type of an entity, from the same schema the validator runs. */
export type ModelValue<N extends ModelEntityName> = Type.Static<(typeof MODEL_ENTITIES)[N]>;

/** The `$id` every entity schema carries (TypeBox keeps it as an untyped option). */
function idOf(schema: object): string {
  return (schema as { $id: string }).$id;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<string | symbol, unknown>)[key]);
  }
  return value;
}

for (const schema of Object.values(MODEL_ENTITIES)) deepFreeze(schema);

const SCHEMAS_BY_ID: Readonly<Record<string, TSchema>> = Object.freeze(
  Object.fromEntries(Object.values(MODEL_ENTITIES).map((schema) => [idOf(schema), schema])),
);

/** Every schema of the model by `$id`, e.g. `https://crossdock.dev/model/order/v1`. Frozen. */
export function schemas(): Readonly<Record<string, TSchema>> {
  return SCHEMAS_BY_ID;
}

/** The entity name for a `$id`, or `undefined` when the model has no such schema. */
export function entityOfSchemaId(id: string): ModelEntityName | undefined {
  const found = Object.entries(MODEL_ENTITIES).find(([, schema]) => idOf(schema) === id);
  return found?.[0] as ModelEntityName | undefined;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The calendar part of the `date` and `date-time` formats; their patterns already fix the syntax. */
function isRealDate(text: string): boolean {
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(5, 7));
  const day = Number(text.slice(8, 10));
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (month === 2 && day === 29) return leap;
  return month >= 1 && month <= 12 && day >= 1 && day <= (DAYS_IN_MONTH[month - 1] ?? 0);
}

const ajv = new Ajv2020({
  allErrors: true,
  coerceTypes: false,
  useDefaults: false,
  removeAdditional: false,
  verbose: true,
  strict: true,
});
ajv.addFormat("date", { type: "string", validate: isRealDate });
ajv.addFormat("date-time", { type: "string", validate: isRealDate });
const validators = new Map<ModelEntityName, ValidateFunction>();

function validatorFor(name: ModelEntityName): ValidateFunction {
  let validate = validators.get(name);
  if (!validate) {
    validate = ajv.compile(MODEL_ENTITIES[name]);
    validators.set(name, validate);
  }
  return validate;
}

/**
 * Checks a document's shape against an entity's schema. Never throws on bad input: a value that is
 * not plain JSON, too big, too deep or hostile gives located problems like any other.
 */
export function validateModel<N extends ModelEntityName>(
  name: N,
  value: unknown,
  limits: ModelLimits = DEFAULT_MODEL_LIMITS,
): ModelResult<ModelValue<N>> {
  if (!Object.hasOwn(MODEL_ENTITIES, name)) {
    return {
      ok: false,
      problems: [{ path: "", message: `the model has no entity "${String(name)}"`, rule: "entity" }],
    };
  }
  let problems: ModelProblem[];
  try {
    problems = checkJsonLimits(value, limits);
    if (problems.length === 0) {
      const validate = validatorFor(name);
      if (validate(value)) return { ok: true, value: value as ModelValue<N> };
      problems = (validate.errors ?? []).flatMap((error) => problemFromAjv(error) ?? []);
    }
  } catch (cause) {
    // a getter or proxy that throws while being read: the document cannot be inspected, so it is refused
    const reason = cause instanceof Error ? cause.message : String(cause);
    problems = [
      { path: "", message: `could not be read as JSON: ${reason.slice(0, 200)}`, rule: "not-json" },
    ];
  }
  return { ok: false, problems: capProblems(problems) };
}
