import { createHash, createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type Clock, systemClock } from "../../src/core/clock.ts";
import {
  closeServer,
  guarded,
  listen,
  parseJson,
  readBody,
  sendJson,
  stringifyJson,
} from "../partner-kit/http-kit.ts";
import { randomUuid, seededRandom } from "../partner-kit/sim-random.ts";
import { SimScheduler } from "../partner-kit/sim-scheduler.ts";
import { type WebhookFaults, type WebhookRetryPolicy, WebhookSender } from "../partner-kit/webhook-sender.ts";
import { checkFulfilmentRequest } from "./fulfilment-request.ts";
import { type ShipmentConfirmation, Warehouse, type WarehouseOrder } from "./warehouse.ts";

export type { FulfilmentRequest } from "./fulfilment-request.ts";
export type { ConfirmationLine, ShipmentConfirmation, ShippingPlan, WarehouseOrder } from "./warehouse.ts";

/** How to start the sandbox 3PL; every field optional (README.md lists the defaults). */
export interface SandboxWarehouse3plOptions {
  port?: number;
  host?: string;
  /** Bearer token the API accepts; default "sandbox-3pl-key". */
  apiKey?: string;
  /** Where shipment confirmations are posted; none are sent without it. */
  callbackUrl?: string;
  /** Standard Webhooks secret (`whsec_<base64>`) signing the callbacks; default a fixed sandbox secret. */
  callbackSecret?: string;
  /** Receipt to first shipment, ms on the sandbox clock; default 60,000. */
  shipDelayMs?: number;
  /** On-hand stock per SKU; SKUs not listed are unlimited. Default: none listed. */
  stock?: Record<string, number>;
  /** Default 5. */
  unitsPerPackage?: number;
  /** Default 500. */
  gramsPerUnit?: number;
  callbackRetry?: WebhookRetryPolicy;
  callbackFaults?: WebhookFaults;
  clock?: Clock;
  /** Default 50 with the system clock, false with an injected one (drive with `runDue()`). */
  autoRunMs?: number | false;
  seed?: number;
  /** Default 256 KiB. */
  maxBodyBytes?: number;
  fetch?: typeof fetch;
}

/** A running sandbox 3PL and its controls. */
export interface SandboxWarehouse3pl {
  readonly url: string;
  readonly apiKey: string;
  readonly callbackSecret: string;
  /** Orders, stock, `plan(reference, plan)`, `planNext(...plans)`. */
  readonly warehouse: Warehouse;
  /** Callback attempts and states; mutable `faults`. */
  readonly callbacks: WebhookSender;
  /** `POST /orders` requests received per Idempotency-Key, repeats included (orders made: `warehouse.orders`). */
  readonly requestsByKey: Map<string, number>;
  /** Every API answer is 503 with `Retry-After` for `durationMs` of sandbox time from now. */
  outage(durationMs: number, retryAfterSeconds?: number): void;
  runDue(): Promise<number>;
  close(): Promise<void>;
}

const DEFAULT_SECRET = `whsec_${Buffer.from("crossdock-sandbox-3pl-callback-key").toString("base64")}`;

/** Standard Webhooks signature `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` under a `whsec_` secret. */
export function signStandardWebhook(secret: string, id: string, timestampS: number, body: Buffer): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const mac = createHmac("sha256", key).update(`${id}.${timestampS}.`).update(body).digest("base64");
  return `v1,${mac}`;
}

function orderJson(order: WarehouseOrder): Record<string, unknown> {
  return {
    id: order.id,
    reference: order.reference,
    status: order.status,
    created_at: order.created_at,
    lines: order.request.lines,
    ship_to: order.request.ship_to,
    shipments: order.shipments,
  };
}

/**
 * Starts a simulated 3PL warehouse with an HTTP API (see README.md): idempotent fulfilment requests,
 * shipments later on the sandbox clock posted to a callback URL (Standard Webhooks signed), partial
 * shipments, stock discrepancies and outages.
 *
 * @example
 * const wh = await startSandboxWarehouse3pl({ clock, callbackUrl: hookUrl, stock: { "FURN_0001": 3 } });
 * wh.warehouse.planNext({ kind: "partial", ship: "half", rest: "later", restAfterMs: 3_600_000 });
 * // POST `${wh.url}/orders` with Authorization: Bearer sandbox-3pl-key and an Idempotency-Key
 * clock.advance(60_000); await wh.runDue(); // the first shipment confirmation was answered
 */
export async function startSandboxWarehouse3pl(
  options: SandboxWarehouse3plOptions = {},
): Promise<SandboxWarehouse3pl> {
  const clock = options.clock ?? systemClock;
  const random = seededRandom(options.seed ?? 1);
  const scheduler = new SimScheduler({ clock, autoRunMs: options.autoRunMs ?? (options.clock ? false : 50) });
  const callbacks = new WebhookSender({
    scheduler,
    random,
    ...(options.callbackRetry ? { retry: options.callbackRetry } : {}),
    ...(options.callbackFaults ? { faults: options.callbackFaults } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const secret = options.callbackSecret ?? DEFAULT_SECRET;
  const apiKey = options.apiKey ?? "sandbox-3pl-key";
  const warehouse = new Warehouse({
    scheduler,
    shipDelayMs: options.shipDelayMs ?? 60_000,
    unitsPerPackage: options.unitsPerPackage ?? 5,
    gramsPerUnit: options.gramsPerUnit ?? 500,
    stock: new Map(Object.entries(options.stock ?? {})),
    confirm: (confirmation: ShipmentConfirmation) => {
      if (!options.callbackUrl) return;
      const id = `msg_${randomUuid(random).replaceAll("-", "")}`;
      const body = Buffer.from(stringifyJson(confirmation));
      callbacks.send({
        id,
        topic: confirmation.event,
        url: options.callbackUrl,
        body,
        headers: (now) => {
          const ts = Math.floor(now / 1000);
          return {
            "webhook-id": id,
            "webhook-timestamp": String(ts),
            "webhook-signature": signStandardWebhook(secret, id, ts, body),
          };
        },
      });
    },
  });
  const idempotency = new Map<string, { fingerprint: string; status: number; body: unknown }>();
  const requestsByKey = new Map<string, number>();
  let outageUntil = Number.NEGATIVE_INFINITY;
  let outageRetryAfter = 30;
  const maxBody = options.maxBodyBytes ?? 256 * 1024;

  const createOrder = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const key = req.headers["idempotency-key"];
    if (typeof key !== "string" || !/^[\x21-\x7e]{1,255}$/.test(key)) {
      return sendJson(res, 400, {
        error: "idempotency_key_required",
        message: "send an Idempotency-Key header of 1 to 255 printable characters",
      });
    }
    requestsByKey.set(key, (requestsByKey.get(key) ?? 0) + 1);
    const parsed = parseJson(await readBody(req, maxBody));
    if (!parsed.ok) return sendJson(res, 400, { error: "invalid_json", message: parsed.reason });
    const fingerprint = createHash("sha256").update(stringifyJson(parsed.value)).digest("hex");
    const seen = idempotency.get(key);
    if (seen) {
      if (seen.fingerprint !== fingerprint) {
        return sendJson(res, 422, {
          error: "idempotency_key_reused",
          message: "this Idempotency-Key was used with a different request body",
        });
      }
      return sendJson(res, seen.status, seen.body, { "Idempotent-Replayed": "true" });
    }
    const checked = checkFulfilmentRequest(parsed.value);
    // Like Stripe, a request refused before any work is not remembered: the client may fix it and reuse the key.
    if (!checked.ok) return sendJson(res, 422, { error: "validation_failed", details: checked.problems });
    const existing = warehouse.byReference(checked.value.reference);
    if (existing) {
      return sendJson(res, 409, {
        error: "duplicate_reference",
        message: `reference ${existing.reference} is order ${existing.id}`,
        order_id: existing.id,
      });
    }
    const body = orderJson(warehouse.receive(checked.value));
    idempotency.set(key, { fingerprint, status: 201, body });
    sendJson(res, 201, body);
  };

  const server = createServer(
    guarded(
      async (req, res) => {
        if (clock.now() < outageUntil) {
          req.resume();
          return sendJson(
            res,
            503,
            { error: "service_unavailable", message: "the warehouse system is down for maintenance" },
            { "Retry-After": String(outageRetryAfter) },
          );
        }
        if (req.headers.authorization !== `Bearer ${apiKey}`) {
          req.resume();
          return sendJson(
            res,
            401,
            { error: "unauthorized", message: "missing or invalid bearer token" },
            { "WWW-Authenticate": "Bearer" },
          );
        }
        const path = new URL(req.url ?? "/", "http://sandbox").pathname;
        if (path === "/orders" && req.method === "POST") return createOrder(req, res);
        if (path === "/inventory" && req.method === "GET") {
          return sendJson(res, 200, {
            items: [...warehouse.stock].map(([sku, on_hand]) => ({ sku, on_hand })),
          });
        }
        const match = /^\/orders\/([A-Za-z0-9-]{1,32})(\/cancel)?$/.exec(path);
        const order = match ? warehouse.orders.get(match[1] as string) : undefined;
        if (match && !order) return sendJson(res, 404, { error: "not_found" });
        if (order && !match?.[2] && req.method === "GET") return sendJson(res, 200, orderJson(order));
        if (order && match?.[2] && req.method === "POST") {
          if (!warehouse.cancel(order))
            return sendJson(res, 409, { error: "not_cancellable", message: `order is ${order.status}` });
          return sendJson(res, 200, orderJson(order));
        }
        sendJson(res, match ? 405 : 404, { error: match ? "method_not_allowed" : "not_found" });
      },
      (status) => ({ error: status === 413 ? "payload_too_large" : "internal_error" }),
    ),
  );
  const url = await listen(server, options.port, options.host);
  let closed = false;
  return {
    url,
    apiKey,
    callbackSecret: secret,
    warehouse,
    callbacks,
    requestsByKey,
    outage: (durationMs, retryAfterSeconds = 30) => {
      outageUntil = clock.now() + durationMs;
      outageRetryAfter = retryAfterSeconds;
    },
    runDue: () => scheduler.runDue(),
    close: async () => {
      if (closed) return;
      closed = true;
      await scheduler.close();
      await closeServer(server);
    },
  };
}
