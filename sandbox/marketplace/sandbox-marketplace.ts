import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type Clock, systemClock } from "../../src/core/clock.ts";
import { closeServer, guarded, listen, readBody, sendJson } from "../partner-kit/http-kit.ts";
import { seededRandom } from "../partner-kit/sim-random.ts";
import { DEFAULT_CREDENTIALS, MarketplaceAuth, type MarketplaceCredentials } from "./marketplace-auth.ts";
import { MarketplaceData } from "./marketplace-data.ts";
import { FaultQueue, type FaultScope, type MarketplaceFault, ServerRateLimit } from "./marketplace-faults.ts";
import { listOffers, listOrders, postShipment, putStock, type RouteContext } from "./marketplace-routes.ts";

export type { MarketplaceCredentials } from "./marketplace-auth.ts";
export type { MarketplaceOffer, MarketplaceOrder, MarketplaceShipment } from "./marketplace-data.ts";
export type { FaultScope, MarketplaceFault } from "./marketplace-faults.ts";

/** How to start the sandbox marketplace; every field optional (README.md lists the defaults). */
export interface SandboxMarketplaceOptions {
  port?: number;
  host?: string;
  clock?: Clock;
  /** Accepted credentials; default all three kinds with the sandbox values (`DEFAULT_CREDENTIALS`). */
  credentials?: MarketplaceCredentials;
  /** The marketplace's rate limit on `/v1/*`. Default 10 requests a second, bursts of 20. */
  rateLimit?: { requestsPerSecond: number; burst: number };
  /** SKUs with an offer. Default SKU-001 .. SKU-025. */
  skus?: readonly string[];
  /** Orders placed at start. Default 0. */
  orders?: number;
  seed?: number;
  /** Default 64 KiB. */
  maxBodyBytes?: number;
}

/** One request as the marketplace saw it, for assertions (rate, auth kinds, paths). */
export interface MarketplaceRequest {
  at: number;
  method: string;
  path: string;
  status: number;
  auth?: string;
}

/** A running sandbox marketplace and its controls. */
export interface SandboxMarketplace {
  readonly url: string;
  /** `<url>/oauth/token`. */
  readonly tokenUrl: string;
  readonly credentials: MarketplaceCredentials;
  readonly data: MarketplaceData;
  readonly auth: MarketplaceAuth;
  /** Every request answered (or dropped), in arrival order. */
  readonly requests: MarketplaceRequest[];
  /** Spoils the next matching answer(s). */
  fail(fault: MarketplaceFault, scope?: FaultScope): void;
  close(): Promise<void>;
}

/**
 * Starts a **simulated** marketplace seller API (not a real service) shaped like the common ones:
 * OAuth2 client credentials with expiring tokens (also API key and Basic), orders listed by
 * `updated_since` with keyset cursors, offers paged with `Link` headers, stock updates, shipments, a
 * rate limit answered with 429 + `Retry-After`, and faults on demand.
 *
 * @example
 * const market = await startSandboxMarketplace({ clock, orders: 45 });
 * market.fail({ kind: "status", status: 503, retryAfter: "2" });
 * // GET `${market.url}/v1/orders?limit=20` with a token from POST `${market.tokenUrl}`
 */
export async function startSandboxMarketplace(
  options: SandboxMarketplaceOptions = {},
): Promise<SandboxMarketplace> {
  const clock = options.clock ?? systemClock;
  const credentials = options.credentials ?? DEFAULT_CREDENTIALS;
  const skus = options.skus ?? Array.from({ length: 25 }, (_, i) => `SKU-${String(i + 1).padStart(3, "0")}`);
  const data = new MarketplaceData(clock, seededRandom(options.seed ?? 7), skus);
  data.addOrders(options.orders ?? 0);
  const auth = new MarketplaceAuth(credentials, clock);
  const limits = options.rateLimit ?? { requestsPerSecond: 10, burst: 20 };
  const rate = new ServerRateLimit(clock, limits.requestsPerSecond, limits.burst);
  const faults = new FaultQueue();
  const requests: MarketplaceRequest[] = [];
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;

  const route = async (req: IncomingMessage, res: ServerResponse, log: MarketplaceRequest): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const fault = faults.take(url.pathname);
    if (fault && fault.kind !== "loop") return spoil(req, res, fault, log);
    if (url.pathname === "/oauth/token" && req.method === "POST") {
      const answer = auth.token(req, new URLSearchParams((await readBody(req, maxBodyBytes)).toString()));
      const extra: Record<string, string> = { "Cache-Control": "no-store" };
      if (answer.status === 401) extra["WWW-Authenticate"] = 'Basic realm="sandbox-marketplace"';
      return sendJson(res, answer.status, answer.body, extra);
    }
    const who = auth.check(req);
    if (!who.ok) {
      req.resume();
      const error = who.reason === "expired" ? "invalid_token" : "unauthorized";
      const description =
        who.reason === "expired" ? "The access token expired" : "missing or invalid credentials";
      const challenge = `Bearer error="${error}", error_description="${description}"`;
      return sendJson(res, 401, { error, message: description }, { "WWW-Authenticate": challenge });
    }
    log.auth = who.kind;
    const slot = rate.take();
    const rateHeaders = {
      "X-RateLimit-Limit": String(rate.burst),
      "X-RateLimit-Remaining": String(slot.remaining),
    };
    if (slot.retryAfterSeconds !== undefined) {
      req.resume();
      const body = { error: "rate_limited", message: `at most ${rate.requestsPerSecond} requests a second` };
      return sendJson(res, 429, body, { ...rateHeaders, "Retry-After": String(slot.retryAfterSeconds) });
    }
    const ctx: RouteContext = { data, loop: fault?.kind === "loop", maxBodyBytes };
    const path = url.pathname;
    if (path === "/v1/orders" && req.method === "GET") return listOrders(url, res, ctx);
    if (path === "/v1/offers" && req.method === "GET") return listOffers(req, url, res, ctx);
    const stock = /^\/v1\/inventory\/([^/]+)$/.exec(path);
    if (stock && req.method === "PUT") return putStock(req, decodeURIComponent(stock[1] as string), res, ctx);
    const order = /^\/v1\/orders\/([^/]+)(\/shipments)?$/.exec(path);
    if (order?.[2] && req.method === "POST") return postShipment(req, order[1] as string, res, ctx);
    if (order && !order[2] && req.method === "GET") {
      const found = data.orders.get(order[1] as string);
      return found ? sendJson(res, 200, found) : sendJson(res, 404, { error: "order_not_found" });
    }
    req.resume();
    sendJson(res, 404, { error: "not_found", message: `${req.method} ${path}` });
  };

  const server = createServer(
    guarded(
      async (req, res) => {
        const log: MarketplaceRequest = {
          at: clock.now(),
          method: req.method ?? "GET",
          path: req.url ?? "/",
          status: 0,
        };
        requests.push(log);
        res.on("finish", () => {
          log.status = res.statusCode;
        });
        await route(req, res, log);
      },
      (status) => ({ error: status === 413 ? "payload_too_large" : "internal_error" }),
    ),
  );
  const url = await listen(server, options.port, options.host);
  return {
    url,
    tokenUrl: `${url}/oauth/token`,
    credentials,
    data,
    auth,
    requests,
    fail: (fault, scope) => faults.add(fault, scope),
    close: () => closeServer(server),
  };
}

function spoil(req: IncomingMessage, res: ServerResponse, fault: MarketplaceFault, log: MarketplaceRequest) {
  req.resume();
  switch (fault.kind) {
    case "status":
      return sendJson(
        res,
        fault.status,
        fault.body ?? { error: "server_error", message: "simulated failure" },
        {
          ...(fault.retryAfter ? { "Retry-After": fault.retryAfter } : {}),
        },
      );
    case "hang":
      log.status = -1;
      return;
    case "reset":
      log.status = -1;
      req.socket.destroy();
      return;
    case "malformed": {
      const text = '{"data": [{"id": "MP-1", "status": "SHIPPING",\n "lines": [{"sku": "A"';
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": String(text.length) });
      return void res.end(text);
    }
    case "oversized": {
      const text = `{"data": [], "padding": "${"x".repeat(Math.max(0, fault.bytes - 30))}"}`;
      res.writeHead(200, { "Content-Type": "application/json" });
      res.on("error", () => undefined);
      return void res.end(text);
    }
  }
}
