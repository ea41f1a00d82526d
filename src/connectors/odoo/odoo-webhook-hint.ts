/**
 * Odoo's base_automation "Send Webhook Notification" (17+) as a wake-up hint for the change pollers.
 *
 * Odoo posts `{"_model", "_id", "_action", "id", ...fields}` with a 1 s timeout, no retry and no
 * signature, and in 17/18 it posts *before* its transaction commits, so the payload can describe data
 * that is not visible yet, or that is rolled back. The hint therefore trusts nothing in it but the model
 * name: it wakes that model's pollers, which read the truth. A burst is coalesced: the first hint wakes
 * at once, and one trailing wake follows `minIntervalMs` later (it also catches the commit that the
 * first hint ran ahead of); hints in between add nothing. A lost hint costs only latency: the pollers'
 * own interval still finds the change.
 *
 * The caller (the gateway) decides the HTTP answer from the result; nothing here throws on bad input.
 *
 * @example
 * const hint = createOdooWebhookHint({ feedsByModel: { "sale.order": [orderPoller] }, clock });
 * const result = hint.handle(rawBody); // { ok: true, model: "sale.order", woken: 1, coalesced: false }
 */
import type { Clock } from "../../core/clock.ts";
import { systemTimers, type Timers } from "../../core/timers.ts";

/** What a hint wakes: a change poller, or anything else with `wake()`. */
export interface Wakeable {
  wake(): void;
}

export interface OdooWebhookHintOptions {
  /** Pollers per Odoo model name, e.g. `{ "sale.order": [salePoller] }`. */
  feedsByModel: Readonly<Record<string, Wakeable | readonly Wakeable[]>>;
  clock: Clock;
  /** Least time between two wakes of one model's pollers, ms. Default 1,000. */
  minIntervalMs?: number;
  /** Largest body accepted, bytes. Default 65,536 (Odoo sends the record's selected fields). */
  maxBodyBytes?: number;
  timers?: Timers;
}

export type OdooWebhookHintResult =
  | { ok: true; model: string; id: number | undefined; woken: number; coalesced: boolean }
  | { ok: false; reason: HintRejection; message: string };

export type HintRejection = "too-large" | "not-json" | "not-object" | "bad-model" | "unknown-model";

export interface OdooWebhookHint {
  handle(body: Uint8Array | string): OdooWebhookHintResult;
  /** Cancels pending trailing wakes. */
  close(): void;
}

const MODEL_NAME = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/;

export function createOdooWebhookHint(options: OdooWebhookHintOptions): OdooWebhookHint {
  const minIntervalMs = options.minIntervalMs ?? 1_000;
  const maxBodyBytes = options.maxBodyBytes ?? 65_536;
  const timers = options.timers ?? systemTimers;
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const models = new Map<string, { lastWakeAt: number; trailing: unknown }>();
  const feeds = new Map<string, readonly Wakeable[]>();
  for (const [model, value] of Object.entries(options.feedsByModel)) {
    feeds.set(model, Array.isArray(value) ? value : [value as Wakeable]);
  }

  function wakeAll(model: string): number {
    const targets = feeds.get(model) ?? [];
    for (const target of targets) {
      try {
        target.wake();
      } catch {
        // A poller that cannot wake keeps its own interval; a hint never fails the sender for it.
      }
    }
    return targets.length;
  }

  function trailing(model: string, state: { lastWakeAt: number; trailing: unknown }): void {
    if (state.trailing !== undefined) return;
    const delay = Math.max(0, state.lastWakeAt + minIntervalMs - options.clock.now());
    state.trailing = timers.setTimeout(() => {
      state.trailing = undefined;
      state.lastWakeAt = options.clock.now();
      wakeAll(model);
    }, delay);
  }

  return {
    handle(body) {
      const size = typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
      if (size > maxBodyBytes) {
        return reject("too-large", `body of ${size} bytes is over the ${maxBodyBytes}-byte limit`);
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(typeof body === "string" ? body : decoder.decode(body));
      } catch (error) {
        return reject(
          "not-json",
          `body is not JSON: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        return reject("not-object", "body must be a JSON object");
      }
      const model = (parsed as Record<string, unknown>)._model;
      if (typeof model !== "string" || model.length > 128 || !MODEL_NAME.test(model)) {
        return reject("bad-model", "_model must be an Odoo model name such as sale.order");
      }
      if (!feeds.has(model)) return reject("unknown-model", `no change feed watches ${model}`);
      const rawId = (parsed as Record<string, unknown>)._id ?? (parsed as Record<string, unknown>).id;
      const id = Number.isSafeInteger(rawId) && (rawId as number) > 0 ? (rawId as number) : undefined;
      const now = options.clock.now();
      let state = models.get(model);
      if (state === undefined || now - state.lastWakeAt >= minIntervalMs) {
        state ??= { lastWakeAt: now, trailing: undefined };
        state.lastWakeAt = now;
        models.set(model, state);
        const woken = wakeAll(model);
        trailing(model, state);
        return { ok: true, model, id, woken, coalesced: false };
      }
      trailing(model, state);
      return { ok: true, model, id, woken: 0, coalesced: true };
    },
    close() {
      for (const state of models.values()) {
        if (state.trailing !== undefined) timers.clearTimeout(state.trailing);
        state.trailing = undefined;
      }
    },
  };
}

function reject(reason: HintRejection, message: string): OdooWebhookHintResult {
  return { ok: false, reason, message };
}
