import type { SimScheduler } from "./sim-scheduler.ts";

/**
 * When a failed webhook is tried again, in the fields of the house retry policy. Defaults (a compressed
 * version of Shopify's "8 retries over 4 hours"): 9 attempts, 10 s, x2, at most 1 hour apart.
 */
export interface WebhookRetryPolicy {
  /** Wait before the first retry, ms; default 10,000. */
  initialIntervalMs?: number;
  /** Each retry waits this many times longer than the one before; default 2. */
  backoffCoefficient?: number;
  /** Longest wait between attempts, ms; default 3,600,000. */
  maximumIntervalMs?: number;
  /** Attempts in all, the first included; default 9. After the last the delivery is `failed`. */
  maximumAttempts?: number;
}

/**
 * The delivery faults the real senders have. With none set, each webhook goes out once, in the order
 * its event happened, as soon as the scheduler runs.
 */
export interface WebhookFaults {
  /** Share of webhooks (0..1) delivered a second time with the same id, `duplicateDelayMs` later. */
  duplicateRate?: number;
  /** Delay of the duplicate copy, ms; default 1,000. */
  duplicateDelayMs?: number;
  /** Each webhook waits a random 0..`reorderWindowMs` before its first attempt, so later events can overtake earlier ones. */
  reorderWindowMs?: number;
}

/** One HTTP attempt, successful or not, as the sender saw it. */
export interface DeliveryAttempt {
  /** The webhook's id (the same on retries and on duplicate copies). */
  id: string;
  topic: string;
  url: string;
  /** 1 for the first try of this copy. */
  attempt: number;
  /** Emission order of the webhook's event, from 1: compare with arrival order to see reordering. */
  seq: number;
  /** True for the deliberate second copy of a duplicated webhook and for `redeliver()`. */
  duplicate: boolean;
  at: number;
  /** HTTP status, or undefined when the request failed (`error`). */
  status?: number;
  error?: string;
}

/** A webhook to send: the body is fixed, the headers are computed per attempt (some schemes sign a timestamp). */
export interface OutgoingWebhook {
  id: string;
  topic: string;
  url: string;
  body: Buffer;
  headers: (now: number) => Record<string, string>;
}

export interface WebhookSenderOptions {
  scheduler: SimScheduler;
  retry?: WebhookRetryPolicy;
  faults?: WebhookFaults;
  /** Randomness for faults; inject a seeded one for repeatable runs. */
  random: () => number;
  /** Default global `fetch`. */
  fetch?: typeof fetch;
  /** Per-attempt timeout, ms (real time: it bounds a network wait); default 5,000 like Shopify. */
  timeoutMs?: number;
  /** Webhooks and attempts kept for inspection and `redeliver`; the oldest are forgotten. Default 10,000. */
  keep?: number;
}

/** State of one webhook across its copies and attempts. */
export interface DeliveryState {
  id: string;
  topic: string;
  url: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
}

/**
 * Sends webhooks the way Shopify, EasyPost and 3PLs do: asynchronously, at least once, retried with
 * back-off on any non-2xx answer or network error, and (when `faults` say so) duplicated and out of
 * order. Every attempt is logged, so a test can compare what was sent with what its receiver saw.
 */
export class WebhookSender {
  readonly attempts: DeliveryAttempt[] = [];
  readonly deliveries = new Map<string, DeliveryState>();
  faults: WebhookFaults;
  readonly #options: WebhookSenderOptions;
  readonly #sent = new Map<string, { webhook: OutgoingWebhook; seq: number }>();
  #seq = 0;

  constructor(options: WebhookSenderOptions) {
    this.#options = options;
    this.faults = { ...options.faults };
  }

  /** Queues a webhook; returns its emission sequence number. */
  send(webhook: OutgoingWebhook): number {
    const seq = ++this.#seq;
    this.#forgetOldest();
    this.#sent.set(webhook.id, { webhook, seq });
    this.deliveries.set(webhook.id, {
      id: webhook.id,
      topic: webhook.topic,
      url: webhook.url,
      status: "pending",
      attempts: 0,
    });
    const { random } = this.#options;
    const delay = (this.faults.reorderWindowMs ?? 0) > 0 ? random() * (this.faults.reorderWindowMs ?? 0) : 0;
    this.#options.scheduler.at(delay, () => this.#attempt(webhook, seq, 1, false));
    if (random() < (this.faults.duplicateRate ?? 0)) {
      const again = delay + (this.faults.duplicateDelayMs ?? 1_000);
      this.#options.scheduler.at(again, () => this.#attempt(webhook, seq, 1, true));
    }
    return seq;
  }

  /** Sends an already sent webhook again, same id and body (Shopify's "resend"); false if unknown. */
  redeliver(id: string, delayMs = 0): boolean {
    const sent = this.#sent.get(id);
    if (!sent) return false;
    this.#options.scheduler.at(delayMs, () => this.#attempt(sent.webhook, sent.seq, 1, true));
    return true;
  }

  #forgetOldest(): void {
    const keep = this.#options.keep ?? 10_000;
    for (const map of [this.#sent, this.deliveries] as Map<string, unknown>[]) {
      while (map.size >= keep) map.delete(map.keys().next().value as string);
    }
    if (this.attempts.length > keep * 2) this.attempts.splice(0, this.attempts.length - keep);
  }

  async #attempt(webhook: OutgoingWebhook, seq: number, attempt: number, duplicate: boolean): Promise<void> {
    const now = this.#options.scheduler.clock.now();
    const record: DeliveryAttempt = {
      id: webhook.id,
      topic: webhook.topic,
      url: webhook.url,
      attempt,
      seq,
      duplicate,
      at: now,
    };
    const state = this.deliveries.get(webhook.id);
    if (state) state.attempts++;
    try {
      const response = await (this.#options.fetch ?? fetch)(webhook.url, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...webhook.headers(now) },
        body: webhook.body,
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 5_000),
        redirect: "manual",
      });
      record.status = response.status;
      await response.body?.cancel();
    } catch (error) {
      record.error = error instanceof Error ? error.message : String(error);
    }
    this.attempts.push(record);
    const ok = record.status !== undefined && record.status >= 200 && record.status < 300;
    if (ok) {
      if (state) state.status = "delivered";
      return;
    }
    const policy = this.#options.retry ?? {};
    if (attempt >= (policy.maximumAttempts ?? 9)) {
      if (state && state.status !== "delivered") state.status = "failed";
      return;
    }
    const wait = Math.min(
      (policy.initialIntervalMs ?? 10_000) * (policy.backoffCoefficient ?? 2) ** (attempt - 1),
      policy.maximumIntervalMs ?? 3_600_000,
    );
    this.#options.scheduler.at(wait, () => this.#attempt(webhook, seq, attempt + 1, duplicate));
  }
}
