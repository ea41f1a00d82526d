/**
 * The order-to-cash workflow's `WarehousePort` over a 3PL's JSON API (the sandbox 3PL's, modelled on
 * common 3PL REST APIs): `release` is one `POST <url>/orders` fulfilment request.
 */
import { Agent, request } from "undici";
import { CrossdockError } from "../../core/errors.ts";
import type { Order } from "../../core/model/order.ts";
import type { WarehousePort } from "../../flows/order-to-cash/order-to-cash-ports.ts";
import { parseRetryAfter } from "../http/http-target.ts";

export interface HttpWarehouseOptions {
  /** Name used in error messages, e.g. the connection name. Default "warehouse". */
  name?: string;
  /** The 3PL API's base URL; requests go to `<url>/orders`. */
  url: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: { reveal(): string } | undefined;
  /** Where the 3PL posts its shipment confirmations (the hub's `/hooks/<connection>`). */
  callbackUrl: string;
  /** Carrier and service asked for when the order's first shipping line names none. */
  carrier?: string;
  service?: string;
  /** Time to the answer's headers and between body chunks, ms. Default 30,000. */
  timeoutMs?: number;
  /** Largest answer read, bytes; the rest is dropped. Default 1 MiB. */
  maxResponseBytes?: number;
  /** Sockets kept open to the 3PL. Default 4. */
  connections?: number;
  /** For `Retry-After` as an HTTP date. Default `Date.now`. */
  now?: () => number;
}

/** A fulfilment request as the 3PL's `POST /orders` takes it. */
export interface FulfilmentRequestBody {
  reference: string;
  lines: { sku: string; quantity: number }[];
  ship_to: Record<string, string>;
  carrier?: string;
  service?: string;
  callback_url: string;
}

/** The 3PL's limit per request, checked here so a too-big order fails before the call. */
const MAX_LINES = 500;
const MAX_QUANTITY = 1_000_000;

/**
 * The fulfilment request for an order: one line per SKU (the 3PL refuses repeats, so lines of the same
 * SKU are added up), whole units only, the ship-to in the 3PL's field names. An order the 3PL cannot
 * take as it stands (no ship-to, a fractional or huge quantity, too many lines) is refused here with
 * `CDK_TARGET_REJECTED`, the same class the 3PL's own 422 gets, so the workflow compensates.
 */
export function fulfilmentRequest(
  key: string,
  order: Order,
  options: Pick<HttpWarehouseOptions, "callbackUrl" | "carrier" | "service">,
): FulfilmentRequestBody {
  const problems: string[] = [];
  const totals = new Map<string, number>();
  order.lines.forEach((line, i) => {
    const quantity = Number(line.quantity);
    if (!/^[1-9][0-9]*$/.test(line.quantity)) {
      problems.push(`/lines/${i}/quantity ${line.quantity} is not a whole number of units`);
      return;
    }
    totals.set(line.sku, (totals.get(line.sku) ?? 0) + quantity);
  });
  for (const [sku, quantity] of totals) {
    if (quantity > MAX_QUANTITY)
      problems.push(`${sku}: ${quantity} units is above the 3PL's ${MAX_QUANTITY}`);
  }
  if (totals.size > MAX_LINES) problems.push(`${totals.size} SKUs is above the 3PL's ${MAX_LINES} lines`);
  const to = order.shipTo;
  if (!to) problems.push("/shipTo is missing: the warehouse needs an address to ship to");
  if (problems.length > 0) {
    throw new CrossdockError(
      "CDK_TARGET_REJECTED",
      `order ${key} cannot be sent to the warehouse: ${problems.join("; ")}`,
      { details: { key, problems } },
    );
  }
  const shipTo: Record<string, string> = {};
  const put = (field: string, value: string | undefined) => {
    if (value !== undefined && value !== "") shipTo[field] = value;
  };
  put("name", to?.name ?? order.customer.name);
  put("company", to?.company);
  put("address1", to?.street);
  put("address2", to?.street2);
  put("city", to?.city);
  put("zip", to?.postalCode);
  put("province", to?.region);
  put("country_code", to?.countryCode);
  put("phone", to?.phone ?? order.customer.phone);
  put("email", to?.email ?? order.customer.email);
  const shipping = order.shippingLines?.[0];
  const carrier = shipping?.carrier ?? options.carrier;
  const service = shipping?.service ?? options.service;
  return {
    reference: key,
    lines: [...totals].map(([sku, quantity]) => ({ sku, quantity })),
    ship_to: shipTo,
    ...(carrier ? { carrier } : {}),
    ...(service ? { service } : {}),
    callback_url: options.callbackUrl,
  };
}

/**
 * `WarehousePort` over HTTP. `cancel` is `POST <url>/orders/<reference>/cancel` (a 409 `not_cancellable`
 * is the answer "too late", not a failure). `release` POSTs the fulfilment request with the step's idempotency key in
 * `Idempotency-Key`, so a retry after a lost answer is replayed by the 3PL, not made twice; a 409
 * `duplicate_reference` (the order already reached the 3PL under another key) is success too, with the
 * existing order id: the reference is the order key, so it is the same order. Failures are classified
 * like `http-target.ts`: network, 408, 425, 429 and 5xx transient (with `Retry-After`), 401 and 403
 * config, any other status business with the 3PL's body kept in the details.
 *
 * Returns `{ reference }` = the 3PL's own order id (e.g. `FO-000001`).
 */
export function createHttpWarehouse(
  options: HttpWarehouseOptions,
): WarehousePort & { close(): Promise<void> } {
  const name = options.name ?? "warehouse";
  const endpoint = `${options.url.replace(/\/+$/, "")}/orders`;
  const timeout = options.timeoutMs ?? 30_000;
  const agent = new Agent({
    connections: options.connections ?? 4,
    headersTimeout: timeout,
    bodyTimeout: timeout,
  });
  const maxBytes = options.maxResponseBytes ?? 1_048_576;
  const now = options.now ?? Date.now;
  /** One JSON call; answers the status and parsed body, or throws the classified failure. */
  async function call(
    method: "POST",
    url: string,
    what: string,
    idempotencyKey: string,
    body: string | undefined,
    accept: (status: number, answer: Record<string, unknown> | undefined, text: string) => boolean,
  ): Promise<{ status: number; answer: Record<string, unknown> | undefined; text: string }> {
    const headers: Record<string, string> = {
      accept: "application/json",
      "idempotency-key": idempotencyKey,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    };
    if (options.token) headers.authorization = `Bearer ${options.token.reveal()}`;
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(url, { method, headers, body, dispatcher: agent });
    } catch (cause) {
      throw new CrossdockError("CDK_TARGET_UNAVAILABLE", `${what} failed: ${(cause as Error).message}`, {
        cause,
        details: { url },
      });
    }
    const text = await readLimited(response.body, maxBytes);
    const status = response.statusCode;
    const answer = parseObject(text);
    if (accept(status, answer, text)) return { status, answer, text };
    const details = { status, body: text.slice(0, 2_000), url };
    const message = `${what} answered ${status}${typeof answer?.error === "string" ? ` ${answer.error}` : ""}`;
    if (status === 408 || status === 425 || status === 429 || status >= 500) {
      const retryAfterMs = parseRetryAfter(response.headers["retry-after"], now());
      throw new CrossdockError("CDK_TARGET_UNAVAILABLE", message, {
        details,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
    }
    if (status === 401 || status === 403) throw new CrossdockError("CDK_TARGET_AUTH", message, { details });
    throw new CrossdockError("CDK_TARGET_REJECTED", message, { details });
  }

  return {
    async release({ key, order }, idempotencyKey) {
      const body = JSON.stringify(fulfilmentRequest(key, order, options));
      const what = `warehouse ${name}: POST ${endpoint} for order ${key}`;
      const { status, answer, text } = await call(
        "POST",
        endpoint,
        what,
        idempotencyKey,
        body,
        (status, answer) =>
          status === 200 || status === 201 || (status === 409 && answer?.error === "duplicate_reference"),
      );
      return { reference: idOf(answer, status === 409 ? "order_id" : "id", what, text) };
    },
    async cancel(reference, idempotencyKey) {
      const url = `${endpoint}/${encodeURIComponent(reference)}/cancel`;
      const what = `warehouse ${name}: POST ${url}`;
      const { status, answer } = await call(
        "POST",
        url,
        what,
        idempotencyKey,
        undefined,
        (status, answer) => status === 200 || (status === 409 && answer?.error === "not_cancellable"),
      );
      if (status === 200) return { cancelled: true };
      const reason = typeof answer?.message === "string" ? answer.message.slice(0, 200) : "not cancellable";
      return { cancelled: false, reason };
    },
    close: () => agent.close(),
  };
}

function idOf(
  answer: Record<string, unknown> | undefined,
  field: string,
  what: string,
  text: string,
): string {
  const id = answer?.[field];
  if (typeof id === "string" && id.length > 0 && id.length <= 255) return id;
  // A 2xx without the order id: the order may exist, so this is not safe to treat as refused; a retry
  // with the same key gets the stored answer again.
  throw new CrossdockError("CDK_TARGET_UNAVAILABLE", `${what}: the answer has no ${field}`, {
    details: { body: text.slice(0, 2_000) },
  });
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

async function readLimited(body: AsyncIterable<Buffer>, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size + chunk.length <= maxBytes) chunks.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(chunks).toString("utf8");
}
