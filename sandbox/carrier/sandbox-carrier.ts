import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type Clock, systemClock } from "../../src/core/clock.ts";
import {
  closeServer,
  guarded,
  isObject,
  listen,
  parseJson,
  readBody,
  sendJson,
  stringifyJson,
} from "../partner-kit/http-kit.ts";
import { seededRandom } from "../partner-kit/sim-random.ts";
import { SimScheduler } from "../partner-kit/sim-scheduler.ts";
import { type WebhookFaults, type WebhookRetryPolicy, WebhookSender } from "../partner-kit/webhook-sender.ts";
import {
  DEFAULT_TIMINGS,
  TrackerBook,
  type TrackerJson,
  type TrackerStatus,
  type TrackerTimings,
} from "./tracker-book.ts";

export type { TrackerJson, TrackerStatus, TrackerTimings } from "./tracker-book.ts";

/** How to start the sandbox carrier; every field optional (README.md lists the defaults). */
export interface SandboxCarrierOptions {
  port?: number;
  host?: string;
  /** API key (HTTP Basic user name, or Bearer); default "EZTK_sandbox". */
  apiKey?: string;
  /** Webhooks to create at start; `secret` signs them (EasyPost's `webhook_secret`). */
  webhooks?: { url: string; secret?: string }[];
  /** Time in each status; default 2 h pre-transit, 24 h in transit, 4 h out for delivery. */
  timings?: Partial<TrackerTimings>;
  mode?: "test" | "production";
  webhookRetry?: WebhookRetryPolicy;
  webhookFaults?: WebhookFaults;
  clock?: Clock;
  autoRunMs?: number | false;
  seed?: number;
  /** Default 64 KiB. */
  maxBodyBytes?: number;
  fetch?: typeof fetch;
}

interface Webhook {
  id: string;
  url: string;
  secret: string | undefined;
  created_at: string;
}

/** A running sandbox carrier and its controls. */
export interface SandboxCarrier {
  readonly url: string;
  readonly apiKey: string;
  /** Trackers, and `advance(id)` to move one a step now. */
  readonly trackers: TrackerBook;
  /** Events sent (`tracker.created`, `tracker.updated`), in order; the last 10,000. */
  readonly events: Record<string, unknown>[];
  readonly deliveries: WebhookSender;
  addWebhook(url: string, secret?: string): string;
  runDue(): Promise<number>;
  close(): Promise<void>;
}

/** EasyPost's signature: `hmac-sha256-hex=` + hex HMAC-SHA256 of the raw body, secret NFKD-normalised. */
export function easyPostSignature(secret: string, body: Buffer): string {
  return `hmac-sha256-hex=${createHmac("sha256", Buffer.from(secret.normalize("NFKD"), "utf8"))
    .update(body)
    .digest("hex")}`;
}

function easyPostError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  errors: unknown[] = [],
): void {
  sendJson(res, status, { error: { code, message, errors } });
}

function apiKeyOf(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization ?? "";
  if (header.startsWith("Bearer ")) return header.slice(7);
  if (header.startsWith("Basic "))
    return Buffer.from(header.slice(6), "base64").toString("utf8").split(":")[0];
  return undefined;
}

/**
 * Starts a simulated EasyPost-like carrier API (see README.md): trackers whose status moves with the
 * sandbox clock, and `tracker.updated` Event webhooks signed with `X-Hmac-Signature`.
 *
 * @example
 * const carrier = await startSandboxCarrier({ clock, webhooks: [{ url: hookUrl, secret: "sécret" }] });
 * // POST `${carrier.url}/v2/trackers` { tracker: { tracking_code: "1ZSBX00000000001", carrier: "UPS" } }
 * clock.advance(2 * 3_600_000); await carrier.runDue(); // tracker.updated: pre_transit -> in_transit
 */
export async function startSandboxCarrier(options: SandboxCarrierOptions = {}): Promise<SandboxCarrier> {
  const clock = options.clock ?? systemClock;
  const random = seededRandom(options.seed ?? 1);
  const scheduler = new SimScheduler({ clock, autoRunMs: options.autoRunMs ?? (options.clock ? false : 50) });
  const sender = new WebhookSender({
    scheduler,
    random,
    ...(options.webhookRetry ? { retry: options.webhookRetry } : {}),
    ...(options.webhookFaults ? { faults: options.webhookFaults } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const newId = (prefix: string) =>
    `${prefix}_${Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join("")}`;
  const iso = () => new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
  const webhooks: Webhook[] = [];
  const events: Record<string, unknown>[] = [];
  const mode = options.mode ?? "test";
  const addWebhook = (url: string, secret?: string) => {
    const id = newId("hook");
    webhooks.push({ id, url, secret, created_at: iso() });
    return id;
  };
  const emit = (description: string, tracker: TrackerJson, previous?: TrackerStatus) => {
    const at = iso();
    const event = {
      description,
      mode,
      previous_attributes: previous ? { status: previous } : {},
      created_at: at,
      pending_urls: webhooks.map((w) => w.url),
      completed_urls: [],
      updated_at: at,
      id: newId("evt"),
      user_id: "user_sandbox",
      status: "pending",
      object: "Event",
      result: tracker,
    };
    events.push(JSON.parse(stringifyJson(event)) as Record<string, unknown>);
    if (events.length > 10_000) events.splice(0, events.length - 10_000);
    const body = Buffer.from(stringifyJson(event));
    for (const hook of webhooks) {
      const signature = hook.secret === undefined ? undefined : easyPostSignature(hook.secret, body);
      sender.send({
        // EasyPost keeps the Event id across retries; one Event to several webhooks shares it too.
        id: webhooks.length > 1 ? `${event.id}@${hook.id}` : event.id,
        topic: description,
        url: hook.url,
        body,
        headers: () => ({
          "User-Agent": "EasyPost WebHook Agent 1.0",
          ...(signature ? { "X-Hmac-Signature": signature } : {}),
        }),
      });
    }
  };
  const trackers = new TrackerBook({
    scheduler,
    timings: { ...DEFAULT_TIMINGS, ...options.timings },
    mode,
    newId,
    event: emit,
  });
  for (const w of options.webhooks ?? []) addWebhook(w.url, w.secret);
  const apiKey = options.apiKey ?? "EZTK_sandbox";
  const maxBody = options.maxBodyBytes ?? 64 * 1024;

  const body = async (
    req: IncomingMessage,
    res: ServerResponse,
    root: string,
  ): Promise<Record<string, unknown> | undefined> => {
    const parsed = parseJson(await readBody(req, maxBody));
    if (!parsed.ok)
      return void easyPostError(res, 422, "PARAMETER.INVALID", `Malformed JSON body: ${parsed.reason}`);
    if (!isObject(parsed.value) || !isObject(parsed.value[root])) {
      return void easyPostError(res, 422, "PARAMETER.REQUIRED", `Missing required parameter: ${root}`);
    }
    return parsed.value[root];
  };

  const server = createServer(
    guarded(
      async (req, res) => {
        if (apiKeyOf(req) !== apiKey) {
          req.resume();
          return easyPostError(
            res,
            401,
            "APIKEY.REQUIRED",
            "The request could not be authorized: a valid API key is required.",
          );
        }
        const path = new URL(req.url ?? "/", "http://sandbox").pathname;
        if (path === "/v2/trackers" && req.method === "POST") {
          const input = await body(req, res, "tracker");
          if (!input) return;
          const code = input.tracking_code;
          const carrier = input.carrier ?? "USPS";
          if (typeof code !== "string" || !/^[A-Za-z0-9-]{4,64}$/.test(code)) {
            return easyPostError(res, 422, "TRACKER.TRACKING_CODE.INVALID", "Invalid tracking code.", [
              { field: "tracking_code", message: "must be 4 to 64 letters, digits or dashes" },
            ]);
          }
          if (typeof carrier !== "string" || !/^[A-Za-z0-9 _-]{1,64}$/.test(carrier)) {
            return easyPostError(res, 422, "PARAMETER.INVALID", "Invalid carrier.", [
              { field: "carrier", message: "must be a carrier name" },
            ]);
          }
          const { tracker, created } = trackers.create(code, carrier);
          return sendJson(res, created ? 201 : 200, tracker);
        }
        if (path === "/v2/trackers" && req.method === "GET") {
          return sendJson(res, 200, { trackers: [...trackers.trackers.values()].reverse(), has_more: false });
        }
        const tracker = /^\/v2\/trackers\/(trk_[0-9a-f]{1,64})$/.exec(path);
        if (tracker && req.method === "GET") {
          const found = trackers.trackers.get(tracker[1] as string);
          return found
            ? sendJson(res, 200, found)
            : easyPostError(res, 404, "NOT_FOUND", "The requested resource could not be found.");
        }
        if (path === "/v2/webhooks" && req.method === "POST") {
          const input = await body(req, res, "webhook");
          if (!input) return;
          let ok = false;
          try {
            ok =
              typeof input.url === "string" &&
              input.url.length <= 2048 &&
              /^https?:$/.test(new URL(input.url).protocol);
          } catch {}
          const secret = input.webhook_secret;
          if (!ok) return easyPostError(res, 422, "WEBHOOK.URL.INVALID", "Invalid webhook URL.");
          if (secret !== undefined && (typeof secret !== "string" || secret.length > 256)) {
            return easyPostError(
              res,
              422,
              "PARAMETER.INVALID",
              "webhook_secret must be a string of at most 256 characters.",
            );
          }
          const id = addWebhook(input.url as string, secret as string | undefined);
          return sendJson(res, 201, {
            id,
            object: "Webhook",
            mode,
            url: input.url,
            created_at: iso(),
            disabled_at: null,
          });
        }
        if (path === "/v2/webhooks" && req.method === "GET") {
          return sendJson(res, 200, {
            webhooks: webhooks.map((w) => ({
              id: w.id,
              object: "Webhook",
              mode,
              url: w.url,
              created_at: w.created_at,
              disabled_at: null,
            })),
          });
        }
        const hook = /^\/v2\/webhooks\/(hook_[0-9a-f]{1,64})$/.exec(path);
        if (hook && req.method === "DELETE") {
          const index = webhooks.findIndex((w) => w.id === hook[1]);
          if (index < 0)
            return easyPostError(res, 404, "NOT_FOUND", "The requested resource could not be found.");
          webhooks.splice(index, 1);
          return sendJson(res, 200, {});
        }
        easyPostError(res, 404, "NOT_FOUND", "The requested resource could not be found.");
      },
      (status) => ({
        error: {
          code: status === 413 ? "REQUEST.TOO_LARGE" : "INTERNAL_SERVER_ERROR",
          message: status === 413 ? "Request entity too large." : "Internal server error.",
          errors: [],
        },
      }),
    ),
  );
  const url = await listen(server, options.port, options.host);
  let closed = false;
  return {
    url,
    apiKey,
    trackers,
    events,
    deliveries: sender,
    addWebhook,
    runDue: () => scheduler.runDue(),
    close: async () => {
      if (closed) return;
      closed = true;
      await scheduler.close();
      await closeServer(server);
    },
  };
}
