import { createHmac } from "node:crypto";
import { stringifyJson } from "../partner-kit/http-kit.ts";
import { randomUuid } from "../partner-kit/sim-random.ts";
import type { WebhookSender } from "../partner-kit/webhook-sender.ts";
import { SHOP_TOPICS, type ShopTopic } from "./sandbox-shop.ts";
import { shopTime } from "./shop-format.ts";

/** The Admin API version the sandbox speaks and puts in `X-Shopify-API-Version`. */
export const API_VERSION = "2024-10";

/** A webhook subscription, as `webhooks.json` returns it. */
export interface ShopSubscription {
  id: bigint;
  topic: ShopTopic;
  address: string;
  format: "json";
  api_version: string;
  created_at: string;
  updated_at: string;
  fields: string[];
  metafield_namespaces: string[];
}

export function isShopTopic(value: unknown): value is ShopTopic {
  return typeof value === "string" && (SHOP_TOPICS as readonly string[]).includes(value);
}

/** Shopify's webhook signature: base64 HMAC-SHA256 of the raw body under the app's client secret. */
export function shopifyHmac(secret: string, body: Buffer): string {
  return createHmac("sha256", secret).update(body).digest("base64");
}

export interface ShopWebhooksDeps {
  sender: WebhookSender;
  secret: string;
  shopDomain: string;
  nextId: () => bigint;
  now: () => number;
  random: () => number;
  offsetMinutes: number;
}

/**
 * Subscriptions and delivery of the shop's webhooks. Each event gets one `X-Shopify-Event-Id`; each
 * subscription's copy gets its own `X-Shopify-Webhook-Id`, which stays the same on retries and
 * duplicate copies (what a receiver deduplicates on).
 */
export class ShopWebhooks {
  readonly subscriptions: ShopSubscription[] = [];
  readonly #deps: ShopWebhooksDeps;

  constructor(deps: ShopWebhooksDeps) {
    this.#deps = deps;
  }

  subscribe(topic: ShopTopic, address: string): ShopSubscription {
    const at = shopTime(this.#deps.now(), this.#deps.offsetMinutes);
    const subscription: ShopSubscription = {
      id: this.#deps.nextId(),
      topic,
      address,
      format: "json",
      api_version: API_VERSION,
      created_at: at,
      updated_at: at,
      fields: [],
      metafield_namespaces: [],
    };
    this.subscriptions.push(subscription);
    return subscription;
  }

  unsubscribe(id: bigint): boolean {
    const index = this.subscriptions.findIndex((s) => s.id === id);
    if (index < 0) return false;
    this.subscriptions.splice(index, 1);
    return true;
  }

  /** Sends `payload` to every subscription of `topic`; returns the webhook ids sent. */
  emit(topic: ShopTopic, payload: Record<string, unknown>): string[] {
    return this.emitRaw(topic, Buffer.from(stringifyJson(payload)));
  }

  /** Sends these exact bytes (correctly signed) as `topic`: how a malformed body is produced. */
  emitRaw(topic: ShopTopic, body: Buffer): string[] {
    const { random, secret, shopDomain } = this.#deps;
    const eventId = randomUuid(random);
    const triggeredAt = new Date(this.#deps.now()).toISOString();
    const hmac = shopifyHmac(secret, body);
    const ids: string[] = [];
    for (const subscription of this.subscriptions) {
      if (subscription.topic !== topic) continue;
      const id = randomUuid(random);
      ids.push(id);
      this.#deps.sender.send({
        id,
        topic,
        url: subscription.address,
        body,
        headers: () => ({
          "X-Shopify-Topic": topic,
          "X-Shopify-Hmac-Sha256": hmac,
          "X-Shopify-Shop-Domain": shopDomain,
          "X-Shopify-Webhook-Id": id,
          "X-Shopify-Event-Id": eventId,
          "X-Shopify-API-Version": API_VERSION,
          "X-Shopify-Triggered-At": triggeredAt,
          "User-Agent": "Shopify-Captain-Hook",
        }),
      });
    }
    return ids;
  }
}
