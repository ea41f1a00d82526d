/**
 * `crossdock identities ls|show|create|rotate|revoke|update|delete` and `crossdock audit ls`. They work
 * on the store directly, without the API: that is how the first admin identity is made
 * (`crossdock identities create --name ops --scopes admin:identities`). A gateway running against the
 * same store sees the changes within its cache TTL (5 s). Changes are audited with the actor
 * `cli:<user>` (or `--by`).
 */
import type { Command } from "commander";
import { systemClock } from "../core/clock.ts";
import { CrossdockError } from "../core/errors.ts";
import { createIdGenerator } from "../core/ids.ts";
import type { IdentityView } from "../security/identities/identity-records.ts";
import { IdentityService } from "../security/identities/identity-service.ts";
import type { Store } from "../store/store.ts";
import { actor, type CliIo, type GlobalOptions, withStore } from "./cli-io.ts";
import { iso, json, table } from "./format.ts";

function usage(message: string): CrossdockError {
  return new CrossdockError("CDK_CLI_USAGE", message);
}

function parseInteger(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw usage(`${flag} must be an integer from ${min} to ${max} (got "${value.slice(0, 40)}")`);
  }
  return n;
}

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30s`, `15m`, `2h`, `7d` (a duration) or an ISO 8601 time. */
function parseDuration(flag: string, value: string): number {
  const match = /^(\d{1,9})([smhd])$/.exec(value);
  if (!match)
    throw usage(`${flag} must be a duration like 30s, 15m, 24h or 7d (got "${value.slice(0, 40)}")`);
  return Number(match[1]) * UNITS[match[2]!]!;
}

/** A time: ISO 8601, or a duration meaning "that long ago" (`--since 1h`). */
function parseTime(flag: string, value: string, now: number, direction: -1 | 1 = -1): number {
  if (/^\d{1,9}[smhd]$/.test(value)) return now + direction * parseDuration(flag, value);
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw usage(`${flag} must be an ISO 8601 time or a duration like 1h (got "${value.slice(0, 40)}")`);
  return ms;
}

function scopesOf(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function describeIdentity(view: IdentityView): string {
  const lines = [
    `identity   ${view.id}${view.disabled ? "  (disabled)" : ""}`,
    `name       ${view.name}`,
    `scopes     ${view.scopes.join(", ") || "-"}`,
    `rate       ${view.rateLimitPerMinute} requests/minute (per gateway process)`,
    `created    ${iso(view.createdAt)}  updated ${iso(view.updatedAt)}`,
    "keys:",
    table(
      ["key id", "status", "created", "expires", "revoked"],
      view.keys.map((k) => [
        k.keyId,
        k.status,
        iso(k.createdAt),
        iso(k.expiresAt ?? undefined),
        iso(k.revokedAt ?? undefined),
      ]),
    ),
  ];
  return lines.join("\n");
}

function showKeyOnce(io: CliIo, apiKey: string, extra = ""): void {
  io.out(`\nAPI key (shown once, store it now; only its hash is kept):\n\n  ${apiKey}\n${extra}`);
}

async function withIdentities<T>(
  globals: () => GlobalOptions,
  io: CliIo,
  fn: (service: IdentityService, store: Store) => Promise<T>,
): Promise<T> {
  return withStore(globals(), io, (store) =>
    fn(new IdentityService({ store, clock: systemClock, ids: createIdGenerator(systemClock) }), store),
  );
}

/** Registers `identities` and `audit`. */
export function registerIdentitiesCommand(program: Command, io: CliIo, globals: () => GlobalOptions): void {
  const identities = program.command("identities").description("machine identities and their API keys");
  const out = (value: unknown, text: () => string) => io.out(globals().json ? json(value) : text());

  identities
    .command("ls")
    .description("list identities (never secrets)")
    .option("--limit <n>", "at most n identities", "100")
    .action(async (options: { limit: string }) => {
      const limit = parseInteger("--limit", options.limit, 1, 1_000);
      await withIdentities(globals, io, async (service) => {
        const list = await service.list({ limit });
        if (!globals().json && list.length === 0)
          return io.out(
            "no identities (create one with: crossdock identities create --name ops --scopes admin:identities)",
          );
        out(list, () =>
          table(
            ["id", "name", "scopes", "rate/min", "keys", "state"],
            list.map((v) => [
              v.id,
              v.name,
              v.scopes.join(",") || "-",
              v.rateLimitPerMinute,
              `${v.keys.filter((k) => k.status === "active").length}/${v.keys.length}`,
              v.disabled ? "disabled" : "enabled",
            ]),
          ),
        );
      });
    });

  identities
    .command("show <id>")
    .description("one identity and its keys")
    .action(async (id: string) => {
      await withIdentities(globals, io, async (service) => {
        const view = await service.get(id);
        out(view, () => describeIdentity(view));
      });
    });

  identities
    .command("create")
    .description("create an identity and print its first API key once")
    .requiredOption("--name <name>", "who it is, e.g. the partner or integration")
    .requiredOption("--scopes <list>", "comma-separated scopes, e.g. orders:write,stock:read")
    .option("--rate-limit <n>", "requests per minute (default 600)")
    .option("--expires <time>", "when the key stops working: ISO 8601 or a duration from now (e.g. 90d)")
    .option("--by <name>", "who does it, for the audit log (default: your user name)")
    .action(
      async (options: {
        name: string;
        scopes: string;
        rateLimit?: string;
        expires?: string;
        by?: string;
      }) => {
        const now = systemClock.now();
        const input = {
          name: options.name,
          scopes: scopesOf(options.scopes),
          ...(options.rateLimit
            ? { rateLimitPerMinute: parseInteger("--rate-limit", options.rateLimit, 1, 1_000_000) }
            : {}),
          ...(options.expires ? { keyExpiresAt: parseTime("--expires", options.expires, now, 1) } : {}),
        };
        await withIdentities(globals, io, async (service) => {
          const issued = await service.create(input, actor(options.by, io));
          if (globals().json) return io.out(json(issued));
          io.out(describeIdentity(issued.identity));
          showKeyOnce(io, issued.apiKey);
        });
      },
    );

  identities
    .command("rotate <id>")
    .description("issue a new key; the previous keys keep working until the window ends")
    .option("--window <duration>", "how long the previous keys keep working (e.g. 24h, 0s)", "24h")
    .option("--expires <time>", "when the new key stops working: ISO 8601 or a duration from now")
    .option("--by <name>", "who does it, for the audit log")
    .action(async (id: string, options: { window: string; expires?: string; by?: string }) => {
      const windowMs = parseDuration("--window", options.window);
      const expires = options.expires
        ? parseTime("--expires", options.expires, systemClock.now(), 1)
        : undefined;
      await withIdentities(globals, io, async (service) => {
        const issued = await service.rotateKey(
          id,
          { windowMs, ...(expires === undefined ? {} : { keyExpiresAt: expires }) },
          actor(options.by, io),
        );
        if (globals().json) return io.out(json(issued));
        io.out(describeIdentity(issued.identity));
        showKeyOnce(io, issued.apiKey, `\nprevious keys work until ${iso(issued.previousKeysValidUntil)}`);
      });
    });

  identities
    .command("revoke <id> <keyId>")
    .description("end one key at once")
    .option("--by <name>", "who does it, for the audit log")
    .action(async (id: string, keyId: string, options: { by?: string }) => {
      await withIdentities(globals, io, async (service) => {
        const view = await service.revokeKey(id, keyId, actor(options.by, io));
        out(view, () => `revoked ${keyId}\n${describeIdentity(view)}`);
      });
    });

  identities
    .command("update <id>")
    .description("change name, scopes, rate limit or the disabled flag")
    .option("--name <name>", "new name")
    .option("--scopes <list>", "replace the scopes (comma-separated; empty for none)")
    .option("--rate-limit <n>", "requests per minute")
    .option("--disable", "refuse every key of the identity")
    .option("--enable", "accept its keys again")
    .option("--by <name>", "who does it, for the audit log")
    .action(
      async (
        id: string,
        options: {
          name?: string;
          scopes?: string;
          rateLimit?: string;
          disable?: boolean;
          enable?: boolean;
          by?: string;
        },
      ) => {
        if (options.disable && options.enable) throw usage("use --disable or --enable, not both");
        const patch = {
          ...(options.name === undefined ? {} : { name: options.name }),
          ...(options.scopes === undefined ? {} : { scopes: scopesOf(options.scopes) }),
          ...(options.rateLimit === undefined
            ? {}
            : { rateLimitPerMinute: parseInteger("--rate-limit", options.rateLimit, 1, 1_000_000) }),
          ...(options.disable ? { disabled: true } : options.enable ? { disabled: false } : {}),
        };
        if (Object.keys(patch).length === 0)
          throw usage("nothing to change: give --name, --scopes, --rate-limit, --disable or --enable");
        await withIdentities(globals, io, async (service) => {
          const view = await service.update(id, patch, actor(options.by, io));
          out(view, () => describeIdentity(view));
        });
      },
    );

  identities
    .command("delete <id>")
    .description("delete an identity and all its keys (they stop working at once)")
    .option("--yes", "really delete")
    .option("--by <name>", "who does it, for the audit log")
    .action(async (id: string, options: { yes?: boolean; by?: string }) => {
      if (!options.yes) throw usage(`deleting ${id} cannot be undone; add --yes to confirm`);
      await withIdentities(globals, io, async (service) => {
        await service.delete(id, actor(options.by, io));
        out({ deleted: id }, () => `deleted ${id}`);
      });
    });

  program
    .command("audit")
    .description("the audit log: API calls and admin changes")
    .command("ls")
    .description("audit entries, newest last (the latest --limit by default)")
    .option("--actor <actor>", "only this actor (an identity id, anonymous, cli:<user>)")
    .option("--action <action>", 'only this action, e.g. "POST /api/v1/orders" or identity.create')
    .option("--since <time>", "from this time: ISO 8601 or a duration ago (e.g. 1h)")
    .option("--until <time>", "before this time: ISO 8601 or a duration ago")
    .option("--limit <n>", "at most n entries", "50")
    .action(
      async (options: { actor?: string; action?: string; since?: string; until?: string; limit: string }) => {
        const now = systemClock.now();
        const filter = {
          limit: parseInteger("--limit", options.limit, 1, 1_000),
          latest: true,
          ...(options.actor ? { actor: options.actor } : {}),
          ...(options.action ? { action: options.action } : {}),
          ...(options.since ? { since: parseTime("--since", options.since, now) } : {}),
          ...(options.until ? { until: parseTime("--until", options.until, now) } : {}),
        };
        await withStore(globals(), io, async (store) => {
          const entries = await store.audit.list(filter);
          if (!globals().json && entries.length === 0) return io.out("no audit entries");
          out(entries, () =>
            table(
              ["at", "actor", "action", "resource", "outcome", "status", "details"],
              entries.map((e) => [
                iso(e.at),
                e.actor,
                e.action,
                e.resource ?? "-",
                e.outcome,
                e.status ?? "-",
                e.details === undefined ? "" : JSON.stringify(e.details).slice(0, 80),
              ]),
            ),
          );
        });
      },
    );
}
