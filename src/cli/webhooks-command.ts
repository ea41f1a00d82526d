import type { Command } from "commander";
import { systemClock } from "../core/clock.ts";
import { CrossdockError } from "../core/errors.ts";
import { createIdGenerator } from "../core/ids.ts";
import type { Store } from "../store/store.ts";
import { listDeliveries, replayDeliveries, replayDelivery } from "../webhooks-out/webhook-deliveries.ts";
import { publicView } from "../webhooks-out/webhook-subscription.ts";
import {
  createWebhookSubscriptions,
  type WebhookSubscriptions,
} from "../webhooks-out/webhook-subscriptions.ts";
import { actor, type CliIo, type GlobalOptions, withStore } from "./cli-io.ts";
import { iso, json, table } from "./format.ts";

function usage(message: string): CrossdockError {
  return new CrossdockError("CDK_CLI_USAGE", message);
}

function list(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function parseJson(value: string, flag: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    throw usage(`${flag} must be JSON, e.g. '{"data.channel":"b2b"}'`);
  }
}

function parseTime(value: string, flag: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw usage(`${flag} must be an ISO 8601 time, e.g. 2026-01-31T08:00:00Z`);
  return ms;
}

/**
 * `crossdock webhooks ...`: outbound webhook subscriptions, straight on the configured store (no API
 * key needed: whoever can read the store file or database is already trusted). URLs on private
 * networks are refused unless `--allow-private` is given; the hub's own delivery policy still applies.
 */
export function registerWebhooksCommand(program: Command, io: CliIo, globals: () => GlobalOptions): void {
  const webhooks = program
    .command("webhooks")
    .description("outbound webhook subscriptions, their deliveries and replay");
  const run = <T>(allowPrivate: boolean, fn: (subs: WebhookSubscriptions, store: Store) => Promise<T>) =>
    withStore(globals(), io, (store) =>
      fn(
        createWebhookSubscriptions({
          store,
          clock: systemClock,
          ids: createIdGenerator(systemClock),
          urlPolicy: { allowPrivateNetworks: allowPrivate },
        }),
        store,
      ),
    );
  const show = (value: unknown, text: () => string) => io.out(globals().json ? json(value) : text());

  webhooks
    .command("ls")
    .description("subscriptions (never their secrets)")
    .option("--partner <name>", "only this partner's")
    .action(async (options: { partner?: string }) => {
      await run(false, async (subs) => {
        const items: ReturnType<typeof publicView>[] = [];
        let afterId: string | undefined;
        do {
          const page = await subs.list({
            limit: 500,
            ...(options.partner ? { partner: options.partner } : {}),
            ...(afterId ? { afterId } : {}),
          });
          items.push(...page.items.map(publicView));
          afterId = page.nextAfterId;
        } while (afterId);
        show(items, () =>
          items.length === 0
            ? "no webhook subscriptions"
            : table(
                ["id", "name", "partner", "enabled", "events", "url"],
                items.map((s) => [
                  s.id,
                  s.name,
                  s.partner ?? "-",
                  s.enabled ? "yes" : `no (${s.disabledReason})`,
                  s.events.join(","),
                  s.url,
                ]),
              ),
        );
      });
    });

  webhooks
    .command("show <id>")
    .description("one subscription")
    .action(async (id: string) => {
      await run(false, async (subs) => {
        const view = publicView(await subs.get(id));
        show(view, () => json(view));
      });
    });

  webhooks
    .command("create")
    .description("subscribe an endpoint; prints the signing secret once")
    .requiredOption("--name <name>", "what it is for")
    .requiredOption("--url <url>", "the endpoint (http or https)")
    .requiredOption("--events <patterns>", "comma-separated: order.confirmed,shipment.*")
    .option("--partner <name>", "who it is for")
    .option("--filter <json>", 'field filters, e.g. {"data.channel":"b2b"}')
    .option("--disable-after-hours <n>", "disable after failing this long (default 120)")
    .option("--allow-private", "allow a URL on a private network")
    .action(
      async (options: {
        name: string;
        url: string;
        events: string;
        partner?: string;
        filter?: string;
        disableAfterHours?: string;
        allowPrivate?: boolean;
      }) => {
        const hours = options.disableAfterHours === undefined ? undefined : Number(options.disableAfterHours);
        if (hours !== undefined && !(hours > 0))
          throw usage("--disable-after-hours must be a positive number");
        await run(options.allowPrivate === true, async (subs) => {
          const { subscription, secret } = await subs.create({
            name: options.name,
            url: options.url,
            events: list(options.events),
            ...(options.partner ? { partner: options.partner } : {}),
            ...(options.filter
              ? { filter: parseJson(options.filter, "--filter") as Record<string, never> }
              : {}),
            ...(hours === undefined ? {} : { disableAfterMs: Math.round(hours * 3_600_000) }),
          });
          show(
            { subscription: publicView(subscription), secret },
            () =>
              `created ${subscription.id}\nsigning secret (shown once, give it to the partner): ${secret}`,
          );
        });
      },
    );

  webhooks
    .command("update <id>")
    .description("change name, URL, events, filter or partner")
    .option("--name <name>")
    .option("--url <url>")
    .option("--events <patterns>")
    .option("--partner <name>")
    .option("--filter <json>", "new filter; 'null' removes it")
    .option("--allow-private", "allow a URL on a private network")
    .action(
      async (
        id: string,
        options: {
          name?: string;
          url?: string;
          events?: string;
          partner?: string;
          filter?: string;
          allowPrivate?: boolean;
        },
      ) => {
        await run(options.allowPrivate === true, async (subs) => {
          const updated = await subs.update(id, {
            ...(options.name ? { name: options.name } : {}),
            ...(options.url ? { url: options.url } : {}),
            ...(options.events ? { events: list(options.events) } : {}),
            ...(options.partner ? { partner: options.partner } : {}),
            ...(options.filter
              ? { filter: parseJson(options.filter, "--filter") as Record<string, never> | null }
              : {}),
          });
          show(publicView(updated), () => `updated ${id}`);
        });
      },
    );

  webhooks
    .command("rm <id>")
    .description("delete a subscription (its queued deliveries are skipped)")
    .action(async (id: string) => {
      await run(false, async (subs) => {
        await subs.remove(id);
        io.out(`deleted ${id}`);
      });
    });

  webhooks
    .command("rotate <id>")
    .description("new signing secret (printed once); the previous one signs until the window ends")
    .option("--window-hours <n>", "how long the previous secret keeps signing (default 24)")
    .action(async (id: string, options: { windowHours?: string }) => {
      const hours = options.windowHours === undefined ? undefined : Number(options.windowHours);
      if (hours !== undefined && !(hours >= 0)) throw usage("--window-hours must be a number >= 0");
      await run(false, async (subs) => {
        const { secret } = await subs.rotateSecret(
          id,
          hours === undefined ? {} : { windowMs: Math.round(hours * 3_600_000) },
        );
        show({ id, secret }, () => `rotated ${id}\nnew signing secret (shown once): ${secret}`);
      });
    });

  for (const action of ["enable", "disable"] as const) {
    webhooks
      .command(`${action} <id>`)
      .description(
        action === "enable" ? "send again, held deliveries first" : "hold new deliveries until enabled",
      )
      .action(async (id: string) => {
        await run(false, async (subs) => {
          if (action === "enable") await subs.enable(id);
          else await subs.disable(id, "manual");
          io.out(`${action}d ${id}`);
        });
      });
  }

  webhooks
    .command("deliveries <id>")
    .description("the delivery log: each delivery and its attempts")
    .option("--status <status>", "waiting, ready, running, done, exception or discarded")
    .option("--limit <n>", "how many (default 50)")
    .action(async (id: string, options: { status?: string; limit?: string }) => {
      const statuses = ["waiting", "ready", "running", "done", "exception", "discarded"];
      if (options.status && !statuses.includes(options.status))
        throw usage(`--status must be one of ${statuses.join(", ")}`);
      const limit = options.limit === undefined ? 50 : Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw usage("--limit must be 1-500");
      await run(false, async (subs, store) => {
        await subs.get(id);
        const { items } = await listDeliveries(store, id, {
          limit,
          ...(options.status ? { status: options.status as "done" } : {}),
        });
        show(items, () =>
          items.length === 0
            ? "no deliveries"
            : table(
                ["job", "event", "status", "attempts", "last attempt"],
                items.map((d) => {
                  const last = d.attemptLog.at(-1);
                  const lastText = last
                    ? `${iso(last.at)} ${last.status ?? last.code ?? ""} ${last.durationMs ?? "?"}ms`
                    : "-";
                  return [d.jobId, d.eventType, d.status, d.attempts, lastText];
                }),
              ),
        );
      });
    });

  webhooks
    .command("replay <id> [jobId]")
    .description("send deliveries again with the same webhook-id: one (jobId), --failed, or --since <time>")
    .option("--failed", "every delivery that ended in an exception")
    .option("--since <time>", "every finished delivery created since this time")
    .option("--by <who>", "who is replaying (default the OS user)")
    .action(
      async (
        id: string,
        jobId: string | undefined,
        options: { failed?: boolean; since?: string; by?: string },
      ) => {
        if (!jobId && !options.failed && !options.since)
          throw usage("give a jobId, --failed or --since <time>");
        const by = actor(options.by, io);
        await run(false, async (subs, store) => {
          await subs.get(id);
          if (jobId) {
            const outcome = await replayDelivery(store, id, jobId, by);
            return show({ jobId, outcome }, () => `${jobId}: ${outcome}`);
          }
          const result = await replayDeliveries(store, id, {
            by,
            ...(options.failed ? { failedOnly: true } : {}),
            ...(options.since ? { since: parseTime(options.since, "--since") } : {}),
          });
          show(
            result,
            () =>
              `replayed ${result.replayed}, retried ${result.retried}, skipped ${result.skipped} of ${result.scanned}${result.truncated ? " (stopped at the limit: run again)" : ""}`,
          );
        });
      },
    );
}
