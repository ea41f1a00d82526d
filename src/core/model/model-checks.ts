/**
 * Consistency checks beyond shape, one function per entity, and `checkModel`, which runs the shape
 * validation and then the entity's check. Each rule is named (`rule` of the problem) so mappings and
 * the exception queue can tell a wrong total from a wrong status.
 *
 * The rules, besides those of priced documents (`priced-document-checks.ts`):
 * - quantities that move goods (shipment, reservation, return and receipt lines) are positive;
 * - a currency is set, and known, wherever an amount is present (shipment cost, refund, changed price);
 * - a product's GTIN barcodes have a valid check digit; its pack size is positive;
 * - a stock level never offers more than `onHand - reserved`; reserved and incoming are not negative;
 * - a reservation expires after it was made;
 * - a package holds no SKU beyond what the shipment's lines ship;
 * - a payment is positive and its allocations do not exceed it;
 * - an acknowledgement's header status agrees with its lines, and a changed line says what changed;
 * - line ids are unique where other documents refer to them (purchase orders, acknowledgements);
 * - lots add up to their line's quantity.
 */
import { compareDecimals, subtractDecimals, sumDecimals } from "./decimal.ts";
import type { ModelProblem, ModelResult } from "./model-problem.ts";
import { type ModelEntityName, type ModelValue, validateModel } from "./model-registry.ts";
import {
  type CheckOptions,
  checkCurrency,
  checkPositive,
  checkPricedDocument,
} from "./priced-document-checks.ts";

type Check<N extends ModelEntityName> = (value: ModelValue<N>, options: CheckOptions) => ModelProblem[];

/** True when the digits end in a valid GS1 check digit (EAN-8, UPC-A, EAN-13, GTIN-14). */
export function isValidGtin(value: string): boolean {
  if (!/^(\d{8}|\d{12}|\d{13}|\d{14})$/.test(value)) return false;
  const digits = [...value].map(Number).reverse();
  const sum = digits.slice(1).reduce((total, digit, index) => total + digit * (index % 2 === 0 ? 3 : 1), 0);
  return (10 - (sum % 10)) % 10 === digits[0];
}

function currencyWhenMoney(
  amount: string | undefined,
  currency: string | undefined,
  amountPath: string,
): ModelProblem[] {
  if (currency !== undefined) return checkCurrency(currency, "/currency");
  if (amount === undefined) return [];
  return [{ path: "/currency", message: `is required when ${amountPath} is set`, rule: "currency-required" }];
}

function uniqueLineIds(lines: readonly { lineId?: string | undefined }[]): ModelProblem[] {
  const seen = new Map<string, number>();
  const problems: ModelProblem[] = [];
  lines.forEach((line, index) => {
    if (line.lineId === undefined) return;
    const first = seen.get(line.lineId);
    if (first === undefined) seen.set(line.lineId, index);
    else
      problems.push({
        path: `/lines/${index}/lineId`,
        message: `repeats the lineId of /lines/${first}`,
        rule: "unique-line-id",
      });
  });
  return problems;
}

function lotsAddUp(
  lines: readonly { quantity: string; lots?: readonly { quantity: string }[] | undefined }[],
): ModelProblem[] {
  return lines.flatMap((line, index) => {
    if (line.lots === undefined || line.lots.length === 0) return [];
    const total = sumDecimals(line.lots.map((lot) => lot.quantity));
    return compareDecimals(total, line.quantity) === 0
      ? []
      : [
          {
            path: `/lines/${index}/lots`,
            message: `lots add up to ${total}, the line's quantity is ${line.quantity}`,
            rule: "lots-sum",
          },
        ];
  });
}

const positiveLines = (lines: readonly { quantity: string }[]) =>
  lines.flatMap((line, index) => checkPositive(line.quantity, `/lines/${index}/quantity`, "quantity"));

const MODEL_CHECKS: { readonly [N in ModelEntityName]: Check<N> } = {
  product: (product) => [
    ...(product.packSize === undefined ? [] : checkPositive(product.packSize, "/packSize", "packSize")),
    ...(product.barcodes ?? []).flatMap((barcode, index) =>
      barcode.kind === "gtin" && !isValidGtin(barcode.value)
        ? [
            {
              path: `/barcodes/${index}/value`,
              message: `${barcode.value} is not a GTIN with a valid check digit`,
              rule: "gtin",
            },
          ]
        : [],
    ),
    ...(product.prices ?? []).flatMap((price, index) =>
      checkCurrency(price.currency, `/prices/${index}/currency`),
    ),
  ],
  party: () => [],
  address: () => [],
  order: (order, options) => checkPricedDocument(order, options),
  invoice: (invoice, options) => {
    const problems = checkPricedDocument(invoice, options);
    const due = invoice.amountDue;
    if (
      due !== undefined &&
      (compareDecimals(due, "0") < 0 || compareDecimals(due, invoice.totals.grandTotal) > 0)
    ) {
      problems.push({
        path: "/amountDue",
        message: `must be between 0 and grandTotal ${invoice.totals.grandTotal}, got ${due}`,
        rule: "amount-due",
      });
    }
    if (invoice.status === "paid" && due !== undefined && compareDecimals(due, "0") !== 0) {
      problems.push({
        path: "/amountDue",
        message: `is ${due} but the invoice's status is paid`,
        rule: "amount-due",
      });
    }
    return problems;
  },
  "purchase-order": (order, options) => [
    ...checkPricedDocument(order, options),
    ...uniqueLineIds(order.lines),
  ],
  "stock-level": (level) => {
    const problems: ModelProblem[] = [];
    if (compareDecimals(level.reserved, "0") < 0)
      problems.push({
        path: "/reserved",
        message: `must not be negative, got ${level.reserved}`,
        rule: "stock-sign",
      });
    if (level.incoming !== undefined && compareDecimals(level.incoming, "0") < 0) {
      problems.push({
        path: "/incoming",
        message: `must not be negative, got ${level.incoming}`,
        rule: "stock-sign",
      });
    }
    const free = subtractDecimals(level.onHand, level.reserved);
    if (compareDecimals(level.available, free) > 0) {
      problems.push({
        path: "/available",
        message: `${level.available} is more than onHand - reserved = ${free}`,
        rule: "stock-available",
      });
    }
    return problems;
  },
  reservation: (reservation) => [
    ...checkPositive(reservation.quantity, "/quantity", "quantity"),
    ...(reservation.expiresAt !== undefined &&
    Date.parse(reservation.expiresAt) <= Date.parse(reservation.createdAt)
      ? [
          {
            path: "/expiresAt",
            message: `${reservation.expiresAt} is not after createdAt ${reservation.createdAt}`,
            rule: "time-order",
          },
        ]
      : []),
  ],
  shipment: (shipment) => {
    const problems = [...positiveLines(shipment.lines), ...lotsAddUp(shipment.lines)];
    problems.push(...currencyWhenMoney(shipment.cost, shipment.currency, "/cost"));
    const shipped = new Map<string, string>();
    for (const line of shipment.lines)
      shipped.set(line.sku, sumDecimals([shipped.get(line.sku) ?? "0", line.quantity]));
    const packed = new Map<string, string>();
    (shipment.packages ?? []).forEach((pack, packIndex) => {
      (pack.contents ?? []).forEach((content, index) => {
        const path = `/packages/${packIndex}/contents/${index}`;
        problems.push(...checkPositive(content.quantity, `${path}/quantity`, "quantity"));
        const total = sumDecimals([packed.get(content.sku) ?? "0", content.quantity]);
        packed.set(content.sku, total);
        const limit = shipped.get(content.sku);
        if (limit === undefined)
          problems.push({
            path: `${path}/sku`,
            message: `${content.sku} is in a package but not in the shipment's lines`,
            rule: "package-contents",
          });
        else if (compareDecimals(total, limit) > 0) {
          problems.push({
            path: `${path}/quantity`,
            message: `packages hold ${total} of ${content.sku}, the lines ship ${limit}`,
            rule: "package-contents",
          });
        }
      });
    });
    return problems;
  },
  payment: (payment) => {
    const problems = [
      ...checkPositive(payment.amount, "/amount", "amount"),
      ...checkCurrency(payment.currency, "/currency"),
    ];
    const allocations = payment.allocations ?? [];
    allocations.forEach((allocation, index) => {
      problems.push(...checkPositive(allocation.amount, `/allocations/${index}/amount`, "amount"));
      if (allocation.invoiceNumber === undefined && allocation.order === undefined) {
        problems.push({
          path: `/allocations/${index}`,
          message: "must name an invoiceNumber or an order",
          rule: "allocation-target",
        });
      }
    });
    const allocated = sumDecimals(allocations.map((allocation) => allocation.amount));
    if (compareDecimals(allocated, payment.amount) > 0) {
      problems.push({
        path: "/allocations",
        message: `allocate ${allocated}, more than the amount ${payment.amount}`,
        rule: "allocation-sum",
      });
    }
    return problems;
  },
  return: (rma) => [
    ...positiveLines(rma.lines),
    ...currencyWhenMoney(rma.refundAmount, rma.currency, "/refundAmount"),
    ...(rma.refundAmount !== undefined && compareDecimals(rma.refundAmount, "0") < 0
      ? [
          {
            path: "/refundAmount",
            message: `must not be negative, got ${rma.refundAmount}`,
            rule: "refund-sign",
          },
        ]
      : []),
  ],
  "supplier-acknowledgement": (ack) => {
    const problems = uniqueLineIds(ack.lines);
    const statuses = new Set(ack.lines.map((line) => line.status));
    const expected =
      statuses.size === 1 && statuses.has("accepted")
        ? "accepted"
        : statuses.size === 1 && statuses.has("rejected")
          ? "rejected"
          : "accepted_with_changes";
    if (ack.status !== expected)
      problems.push({
        path: "/status",
        message: `is ${ack.status} but the lines make it ${expected}`,
        rule: "ack-status",
      });
    ack.lines.forEach((line, index) => {
      const path = `/lines/${index}`;
      if (
        line.status === "changed" &&
        line.quantity === undefined &&
        line.unitPrice === undefined &&
        line.expectedOn === undefined
      ) {
        problems.push({
          path,
          message: "is changed but gives no new quantity, unitPrice or expectedOn",
          rule: "ack-change",
        });
      }
      if (
        line.status === "rejected" &&
        line.quantity !== undefined &&
        compareDecimals(line.quantity, "0") !== 0
      ) {
        problems.push({
          path: `${path}/quantity`,
          message: `is ${line.quantity} on a rejected line`,
          rule: "ack-change",
        });
      }
      if (line.quantity !== undefined && compareDecimals(line.quantity, "0") < 0) {
        problems.push({
          path: `${path}/quantity`,
          message: `must not be negative, got ${line.quantity}`,
          rule: "positive",
        });
      }
    });
    const priced = ack.lines.find((line) => line.unitPrice !== undefined);
    problems.push(...currencyWhenMoney(priced?.unitPrice, ack.currency, "a line's unitPrice"));
    return problems;
  },
  receipt: (receipt) => [...positiveLines(receipt.lines), ...lotsAddUp(receipt.lines)],
};

/** The consistency check of one entity, on a document that passed `validateModel`. */
export function checkConsistency<N extends ModelEntityName>(
  name: N,
  value: ModelValue<N>,
  options: CheckOptions = {},
): ModelProblem[] {
  return (MODEL_CHECKS[name] as Check<N>)(value, options);
}

/**
 * Shape, then consistency: the full check a mapping's output or an API submission goes through.
 * Never throws on bad input; consistency runs only on a document whose shape is valid.
 */
export function checkModel<N extends ModelEntityName>(
  name: N,
  value: unknown,
  options: CheckOptions = {},
): ModelResult<ModelValue<N>> {
  const shape = validateModel(name, value);
  if (!shape.ok) return shape;
  const problems = checkConsistency(name, shape.value, options);
  return problems.length === 0 ? shape : { ok: false, problems };
}
