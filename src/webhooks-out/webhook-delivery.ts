/**
 * The job handler for `webhook:*` targets: sends one delivery as a signed `POST` and sorts the answer.
 *
 * Request: body `{ "type", "timestamp", "data" }` (serialised the same way every time), Standard
 * Webhooks headers (`webhook-id` = the delivery id, stable across retries and replays;
 * `webhook-timestamp` = this attempt's time; `webhook-signature` with every active secret),
 * `Idempotency-Key` (the job's key), `X-Crossdock-Attempt` and `traceparent`. One undici `Agent` per
 * endpoint origin, a timeout per attempt, redirects not followed.
 *
 * Answer:
 * - 2xx: done; a failing streak ends (written with the job's completion).
 * - 408, 425, 429, 5xx, network failure or timeout: transient; retried on the Svix schedule
 *   (`retry-schedule.ts`), never sooner than the endpoint's `Retry-After`.
 * - 410 Gone: the partner withdrew the endpoint: the subscription is disabled at once.
 * - any other status (3xx, 4xx): business, an exception record for a person (no retry).
 * Every failure extends the endpoint's failing streak; past the subscription's `disableAfterMs` the
 * subscription is disabled, its target paused (later deliveries are held), an alert is logged and
 * the delivery becomes an exception record with `CDK_WEBHOOK_ENDPOINT_DISABLED`.
 *
 * A delivery for a disabled subscription fails with the config-class `CDK_WEBHOOK_ENDPOINT_DISABLED`,
 * which pauses its target without counting the attempt (in case the pause after disabling was lost);
 * one for a deleted subscription completes as skipped.
 */
import { Agent, request } from "undici";
import { parseRetryAfter } from "../connectors/http/http-target.ts";
import type { Clock } from "../core/clock.ts";
import { CrossdockError } from "../core/errors.ts";
import type { JobHandler } from "../delivery/job-handler.ts";
import { type StructuredLogger, silentLogger } from "../delivery/structured-logger.ts";
import type { ClaimedJob, JsonValue, Store } from "../store/store.ts";
import {
  afterFailure,
  afterSuccess,
  healthFromJson,
  healthToJson,
  WEBHOOK_HEALTH_KIND,
} from "./endpoint-health.ts";
import { endpointUrlProblem, guardedLookup, type UrlPolicy } from "./endpoint-url.ts";
import { webhookRetryDelay } from "./retry-schedule.ts";
import type { DeliveryPayload } from "./webhook-dispatcher.ts";
import { signWebhook } from "./webhook-signer.ts";
import { activeSecrets, type WebhookSubscription } from "./webhook-subscription.ts";
import type { WebhookSubscriptions } from "./webhook-subscriptions.ts";

export interface WebhookDeliveryOptions {
  store: Store;
  clock: Clock;
  subscriptions: WebhookSubscriptions;
  urlPolicy: UrlPolicy;
  logger?: StructuredLogger;
  /** Time budget of one attempt (connect, headers and body), ms. Default 15,000. */
  timeoutMs?: number;
  /** Most of a response body read, bytes; the rest is discarded. Default 64 KiB. */
  maxResponseBytes?: number;
  /** Sockets per endpoint origin. Default 4. */
  connectionsPerEndpoint?: number;
  /** Agents kept open (one per origin); the least recently used is closed past it. Default 256. */
  maxAgents?: number;
  /** For the retry jitter. */
  random?: () => number;
}

export interface WebhookDelivery {
  /** Register for the worker as `handlers["webhook:*"]`. */
  readonly handler: JobHandler;
  /** Closes every endpoint's sockets. */
  close(): Promise<void>;
}

/** What a delivered attempt stores as the job's result (the delivery log shows it). */
export interface DeliveryResult {
  status: number;
  durationMs: number;
  at: number;
  attempt: number;
}

const USER_AGENT = "Crossdock-Webhooks/1";

function readPayload(job: ClaimedJob): DeliveryPayload {
  const p = job.payload as Partial<DeliveryPayload> | null;
  if (
    !p ||
    typeof p !== "object" ||
    typeof p.subscriptionId !== "string" ||
    typeof p.deliveryId !== "string" ||
    typeof p.type !== "string" ||
    typeof p.timestamp !== "string" ||
    p.data === undefined
  ) {
    throw new CrossdockError("CDK_JOB_PAYLOAD_INVALID", `webhook delivery ${job.id} has a malformed payload`);
  }
  return p as DeliveryPayload;
}

/** The body a receiver gets: the same bytes on every attempt of a delivery. */
export function deliveryBody(payload: DeliveryPayload): string {
  return JSON.stringify({ type: payload.type, timestamp: payload.timestamp, data: payload.data });
}

export function createWebhookDelivery(options: WebhookDeliveryOptions): WebhookDelivery {
  const { store, clock } = options;
  const logger = options.logger ?? silentLogger;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxBytes = options.maxResponseBytes ?? 65_536;
  const maxAgents = options.maxAgents ?? 256;
  const random = options.random ?? Math.random;
  const agents = new Map<string, Agent>();

  function agentFor(origin: string): Agent {
    const found = agents.get(origin);
    if (found) {
      agents.delete(origin);
      agents.set(origin, found);
      return found;
    }
    const agent = new Agent({
      connections: options.connectionsPerEndpoint ?? 4,
      keepAliveTimeout: 10_000,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connect: {
        timeout: timeoutMs,
        ...(options.urlPolicy.allowPrivateNetworks ? {} : { lookup: guardedLookup }),
      },
    });
    agents.set(origin, agent);
    if (agents.size > maxAgents) {
      const [oldest, old] = agents.entries().next().value as [string, Agent];
      agents.delete(oldest);
      old.close().catch(() => {});
    }
    return agent;
  }

  /** Extends the failing streak; disables the subscription when it has lasted too long. */
  async function failed(
    subscription: WebhookSubscription,
    error: CrossdockError,
    gone: boolean,
    log: StructuredLogger,
  ): Promise<never> {
    const now = clock.now();
    const disable = await store.transaction(async (tx) => {
      const record = await tx.getRecord(WEBHOOK_HEALTH_KIND, subscription.id);
      const step = afterFailure(healthFromJson(record?.data), now, subscription.disableAfterMs);
      await tx.putRecord(WEBHOOK_HEALTH_KIND, subscription.id, healthToJson(step.next));
      return step.disable ? { failingSince: step.next.failingSince as number } : undefined;
    });
    if (!gone && !disable) throw error;
    const reason = gone ? "gone" : "endpoint-failing";
    const why = gone
      ? `endpoint ${subscription.url} answered 410 Gone`
      : `endpoint ${subscription.url} has failed without a success since ${new Date(disable?.failingSince ?? now).toISOString()}`;
    await options.subscriptions.disable(
      subscription.id,
      reason,
      `webhook subscription ${subscription.id} disabled: ${why}`,
    );
    log.error(
      { alert: "webhook-endpoint-disabled", subscriptionId: subscription.id, url: subscription.url, reason },
      `ALERT webhook subscription ${subscription.name} (${subscription.id}) disabled: ${why}; later deliveries are held until it is enabled`,
    );
    throw new CrossdockError(
      "CDK_WEBHOOK_ENDPOINT_DISABLED",
      `webhook subscription ${subscription.id} disabled: ${why}`,
      {
        cause: error,
        failureClass: "business",
        details: { ...error.details, subscriptionId: subscription.id, reason, lastError: error.code },
      },
    );
  }

  const handler: JobHandler = async (job, ctx) => {
    const payload = readPayload(job);
    const subscription = await options.subscriptions.find(payload.subscriptionId);
    if (!subscription) return { result: { skipped: "subscription deleted" } };
    if (!subscription.enabled) {
      throw new CrossdockError(
        "CDK_WEBHOOK_ENDPOINT_DISABLED",
        `webhook subscription ${subscription.id} is disabled (${subscription.disabledReason ?? "manual"}); delivery held`,
        { details: { subscriptionId: subscription.id } },
      );
    }
    const urlProblem = endpointUrlProblem(subscription.url, options.urlPolicy);
    if (urlProblem) {
      throw new CrossdockError("CDK_TARGET_REJECTED", `webhook URL ${urlProblem}`, {
        failureClass: "config",
        details: { subscriptionId: subscription.id },
      });
    }

    const body = deliveryBody(payload);
    const sentAt = clock.now();
    const headers: Record<string, string> = {
      ...signWebhook({
        id: payload.deliveryId,
        timestampS: Math.floor(sentAt / 1_000),
        body,
        secrets: activeSecrets(subscription, sentAt),
      }),
      "content-type": "application/json",
      "user-agent": USER_AGENT,
      "idempotency-key": ctx.idempotencyKey,
      "x-crossdock-attempt": String(ctx.attempt),
    };
    if (job.trace) headers.traceparent = job.trace.traceparent;

    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]);
    let status: number;
    let text: string;
    let retryAfter: string | string[] | undefined;
    try {
      const response = await request(subscription.url, {
        method: "POST",
        headers,
        body,
        dispatcher: agentFor(new URL(subscription.url).origin),
        signal,
      });
      status = response.statusCode;
      retryAfter = response.headers["retry-after"];
      text = await readLimited(response.body, maxBytes);
    } catch (cause) {
      if (ctx.signal.aborted) throw cause;
      const message =
        (cause as Error).name === "TimeoutError"
          ? `timed out after ${timeoutMs} ms`
          : (cause as Error).message;
      const delay = webhookRetryDelay(ctx.attempt, undefined, random);
      const error = new CrossdockError(
        "CDK_TARGET_UNAVAILABLE",
        `webhook POST ${subscription.url} failed: ${message}`,
        {
          cause,
          details: { durationMs: elapsed(), subscriptionId: subscription.id },
          ...(delay === undefined ? {} : { retryAfterMs: delay }),
        },
      );
      return failed(subscription, error, false, ctx.logger);
    }

    const durationMs = elapsed();
    if (status >= 200 && status < 300) {
      const result: DeliveryResult = { status, durationMs, at: sentAt, attempt: ctx.attempt };
      return {
        result: result as unknown as JsonValue,
        commit: async (tx) => {
          const record = await tx.getRecord(WEBHOOK_HEALTH_KIND, subscription.id);
          if (!record) return;
          const step = afterSuccess(healthFromJson(record.data), clock.now());
          if (step.changed) await tx.putRecord(WEBHOOK_HEALTH_KIND, subscription.id, healthToJson(step.next));
        },
      };
    }
    const details = { status, durationMs, body: text.slice(0, 2_000), subscriptionId: subscription.id };
    const what = `webhook POST ${subscription.url} answered ${status}`;
    if (status === 408 || status === 425 || status === 429 || status >= 500) {
      const hinted = parseRetryAfter(retryAfter, clock.now());
      const delay = webhookRetryDelay(ctx.attempt, hinted, random);
      const error = new CrossdockError("CDK_TARGET_UNAVAILABLE", what, {
        details,
        ...(delay === undefined ? {} : { retryAfterMs: delay }),
      });
      return failed(subscription, error, false, ctx.logger);
    }
    const refused = new CrossdockError(
      "CDK_TARGET_REJECTED",
      status < 400 ? `${what} (redirects are not followed)` : what,
      { details },
    );
    return failed(subscription, refused, status === 410, ctx.logger);
  };

  return {
    handler,
    async close() {
      const all = [...agents.values()];
      agents.clear();
      await Promise.all(all.map((agent) => agent.close()));
      logger.debug({ agents: all.length }, "webhook agents closed");
    },
  };
}

async function readLimited(body: AsyncIterable<Buffer>, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk.subarray(0, maxBytes - size));
    size += chunk.length;
    // Leaving the loop destroys the stream: an endpoint that streams forever cannot hold the attempt.
    if (size >= maxBytes) break;
  }
  return Buffer.concat(chunks).toString("utf8");
}
