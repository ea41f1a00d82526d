/**
 * Stores and changes webhook subscriptions: the one module the admin API, the CLI, the dispatcher and
 * the delivery handler go through. Records are written with optimistic versions, so two admins
 * editing at once get `CDK_STORE_CONFLICT` instead of losing one edit.
 *
 * Disabled subscriptions keep receiving deliveries, held: their jobs are enqueued as usual on the
 * target `webhook:<id>`, which is paused while the subscription is disabled (`store.targets.pause`);
 * enabling resumes it and the backlog goes out in order. Deleting a subscription resumes its target
 * too, and the delivery handler completes the leftover jobs as skipped.
 */
import type { Clock } from "../core/clock.ts";
import { CrossdockError } from "../core/errors.ts";
import type { IdGenerator } from "../core/ids.ts";
import type { Store, StoredRecord } from "../store/store.ts";
import { WEBHOOK_HEALTH_KIND } from "./endpoint-health.ts";
import type { UrlPolicy } from "./endpoint-url.ts";
import { generateWebhookSecret } from "./webhook-signer.ts";
import {
  checkSubscriptionInput,
  DEFAULT_DISABLE_AFTER_MS,
  DEFAULT_ROTATION_WINDOW_MS,
  type DisabledReason,
  type SubscriptionInput,
  subscriptionFromJson,
  subscriptionToJson,
  WEBHOOK_SUBSCRIPTION_KIND,
  type WebhookSubscription,
  webhookTarget,
} from "./webhook-subscription.ts";

export interface WebhookSubscriptionsOptions {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  urlPolicy: UrlPolicy;
  /** How long the previous secret keeps signing after a rotation. Default 24 h. */
  rotationWindowMs?: number;
}

export interface SubscriptionPage {
  items: WebhookSubscription[];
  /** Pass as `afterId` for the next page; absent when this page is not full (a full page may be the last). */
  nextAfterId?: string;
}

export interface WebhookSubscriptions {
  /** Creates a subscription; `secret` is the signing secret, returned only here. */
  create(input: SubscriptionInput): Promise<{ subscription: WebhookSubscription; secret: string }>;
  /** Throws `CDK_WEBHOOK_SUBSCRIPTION_NOT_FOUND`. */
  get(id: string): Promise<WebhookSubscription>;
  find(id: string): Promise<WebhookSubscription | undefined>;
  list(options?: { partner?: string; afterId?: string; limit?: number }): Promise<SubscriptionPage>;
  /** Every subscription, paging through the store (the dispatcher's view). */
  all(): Promise<WebhookSubscription[]>;
  update(id: string, input: SubscriptionInput): Promise<WebhookSubscription>;
  /** Deletes it and its health state; leftover deliveries complete as skipped. */
  remove(id: string): Promise<void>;
  /** A new secret signs from now on; the previous one also signs until `windowMs` (default 24 h) passes. */
  rotateSecret(
    id: string,
    options?: { windowMs?: number },
  ): Promise<{ subscription: WebhookSubscription; secret: string }>;
  /** Enables, forgets the failing streak and resumes the held deliveries. */
  enable(id: string): Promise<WebhookSubscription>;
  /** Disables and holds new deliveries (the target is paused). */
  disable(id: string, reason: DisabledReason, message?: string): Promise<WebhookSubscription>;
}

const MAX_WINDOW_MS = 30 * 24 * 3_600_000;
const ID_PATTERN = /^[A-Za-z0-9_-]{1,100}$/;

export function createWebhookSubscriptions(options: WebhookSubscriptionsOptions): WebhookSubscriptions {
  const { store, clock } = options;
  const rotationWindowMs = options.rotationWindowMs ?? DEFAULT_ROTATION_WINDOW_MS;

  function notFound(id: string): CrossdockError {
    return new CrossdockError(
      "CDK_WEBHOOK_SUBSCRIPTION_NOT_FOUND",
      `no webhook subscription ${JSON.stringify(id.slice(0, 100))}`,
      {
        details: { id: id.slice(0, 100) },
      },
    );
  }

  async function find(id: string): Promise<WebhookSubscription | undefined> {
    if (!ID_PATTERN.test(id)) return undefined;
    const record = await store.records.get(WEBHOOK_SUBSCRIPTION_KIND, id);
    return record ? subscriptionFromJson(record.data) : undefined;
  }

  /** Reads, changes and writes one subscription in a transaction, at the version it read. */
  async function change(
    id: string,
    fn: (current: WebhookSubscription, now: number) => WebhookSubscription,
    alsoResetHealth = false,
  ): Promise<WebhookSubscription> {
    if (!ID_PATTERN.test(id)) throw notFound(id);
    return store.transaction(async (tx) => {
      const record: StoredRecord | undefined = await tx.getRecord(WEBHOOK_SUBSCRIPTION_KIND, id);
      if (!record) throw notFound(id);
      const now = clock.now();
      const next = { ...fn(subscriptionFromJson(record.data), now), updatedAt: now };
      await tx.putRecord(WEBHOOK_SUBSCRIPTION_KIND, id, subscriptionToJson(next), {
        expectedVersion: record.version,
      });
      if (alsoResetHealth) await tx.deleteRecord(WEBHOOK_HEALTH_KIND, id);
      return next;
    });
  }

  const service: WebhookSubscriptions = {
    async create(input) {
      checkSubscriptionInput(input, options.urlPolicy, true);
      const now = clock.now();
      const secret = input.secret ?? generateWebhookSecret();
      const subscription: WebhookSubscription = {
        id: options.ids.next("whs_"),
        name: (input.name as string).trim(),
        ...(input.partner === undefined ? {} : { partner: input.partner.trim() }),
        url: input.url as string,
        events: [...(input.events as string[])],
        ...(input.filter ? { filter: { ...input.filter } } : {}),
        secrets: [{ secret, createdAt: now }],
        enabled: true,
        disableAfterMs: input.disableAfterMs ?? DEFAULT_DISABLE_AFTER_MS,
        createdAt: now,
        updatedAt: now,
      };
      await store.transaction(async (tx) => {
        await tx.putRecord(WEBHOOK_SUBSCRIPTION_KIND, subscription.id, subscriptionToJson(subscription), {
          expectedVersion: 0,
        });
      });
      return { subscription, secret };
    },

    async get(id) {
      const found = await find(id);
      if (!found) throw notFound(id);
      return found;
    },

    find,

    async list(listOptions = {}) {
      const limit = Math.min(Math.max(1, listOptions.limit ?? 50), 500);
      const items: WebhookSubscription[] = [];
      let afterKey = listOptions.afterId;
      // A partner filter may skip many records; keep reading pages until this one is full.
      for (;;) {
        const page = await store.records.list(WEBHOOK_SUBSCRIPTION_KIND, {
          ...(afterKey ? { afterKey } : {}),
          limit,
        });
        for (const record of page) {
          const subscription = subscriptionFromJson(record.data);
          afterKey = record.key;
          if (listOptions.partner !== undefined && subscription.partner !== listOptions.partner) continue;
          items.push(subscription);
          if (items.length === limit) return { items, nextAfterId: record.key };
        }
        if (page.length < limit) return { items };
      }
    },

    async all() {
      const out: WebhookSubscription[] = [];
      let afterKey: string | undefined;
      for (;;) {
        const page = await store.records.list(WEBHOOK_SUBSCRIPTION_KIND, {
          ...(afterKey ? { afterKey } : {}),
          limit: 1_000,
        });
        for (const record of page) out.push(subscriptionFromJson(record.data));
        if (page.length < 1_000) return out;
        afterKey = page.at(-1)?.key;
      }
    },

    async update(id, input) {
      checkSubscriptionInput(input, options.urlPolicy, false);
      return change(id, (current) => {
        const next: WebhookSubscription = { ...current };
        if (input.name !== undefined) next.name = input.name.trim();
        if (input.partner !== undefined) next.partner = input.partner.trim();
        if (input.url !== undefined) next.url = input.url;
        if (input.events !== undefined) next.events = [...input.events];
        if (input.filter === null) delete next.filter;
        else if (input.filter !== undefined) next.filter = { ...input.filter };
        if (input.disableAfterMs !== undefined) next.disableAfterMs = input.disableAfterMs;
        return next;
      });
    },

    async remove(id) {
      if (!ID_PATTERN.test(id)) throw notFound(id);
      const removed = await store.transaction(async (tx) => {
        const gone = await tx.deleteRecord(WEBHOOK_SUBSCRIPTION_KIND, id);
        await tx.deleteRecord(WEBHOOK_HEALTH_KIND, id);
        return gone;
      });
      if (!removed) throw notFound(id);
      await store.targets.resume(webhookTarget(id));
    },

    async rotateSecret(id, rotateOptions = {}) {
      const windowMs = rotateOptions.windowMs ?? rotationWindowMs;
      if (!Number.isInteger(windowMs) || windowMs < 0 || windowMs > MAX_WINDOW_MS) {
        throw new CrossdockError(
          "CDK_API_INVALID_REQUEST",
          `/windowMs must be an integer from 0 to ${MAX_WINDOW_MS}`,
          {
            details: { path: "/windowMs" },
          },
        );
      }
      const secret = generateWebhookSecret();
      const subscription = await change(id, (current, now) => {
        // Only the newest previous secret stays: a second rotation inside the window ends the oldest at once.
        const [previous] = current.secrets;
        const kept =
          previous && windowMs > 0
            ? [{ secret: previous.secret, createdAt: previous.createdAt, expiresAt: now + windowMs }]
            : [];
        return { ...current, secrets: [{ secret, createdAt: now }, ...kept] };
      });
      return { subscription, secret };
    },

    async enable(id) {
      const subscription = await change(
        id,
        (current) => {
          const { disabledReason: _reason, disabledAt: _at, ...rest } = current;
          return { ...rest, enabled: true };
        },
        true,
      );
      await store.targets.resume(webhookTarget(id));
      return subscription;
    },

    async disable(id, reason, message) {
      const subscription = await change(id, (current, now) => ({
        ...current,
        enabled: false,
        disabledReason: reason,
        disabledAt: now,
      }));
      await store.targets.pause(webhookTarget(id), {
        code: "CDK_WEBHOOK_ENDPOINT_DISABLED",
        message:
          message ??
          `webhook subscription ${id} disabled (${reason}); deliveries are held until it is enabled`,
        failureClass: "config",
        details: { subscriptionId: id, reason },
      });
      return subscription;
    },
  };
  return service;
}
