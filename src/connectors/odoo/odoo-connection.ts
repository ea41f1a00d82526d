/**
 * An `odoo` connection in `crossdock.yaml`, checked and turned into client options:
 *
 * ```yaml
 * connections:
 *   odoo:
 *     type: odoo
 *     url: https://erp.example.com
 *     database: prod
 *     login: crossdock-bot
 *     apiKey: env:ODOO_API_KEY      # a secret reference, never a literal outside dev/test
 *     maxInFlight: 3                # calls in flight to this database, shared by every flow
 *     timeoutMs: 60000
 *     maxBatch: 100                 # orders per load()/action_confirm
 *     context: { lang: en_US, tz: UTC, allowed_company_ids: [1] }
 *     poll:                         # change capture (scheduler role)
 *       intervalMs: 5000
 *       overlapSeconds: 120
 *       since: now                  # or beginning
 *       feeds: [sale-orders, pickings, invoices, products, stock-quants, purchase-orders, partners]
 *     cacheRefreshMs: 60000         # master data cache (products, partners, ...) refresh
 *     hintToken: env:ODOO_HINT_TOKEN  # optional: required ?token= on Odoo's webhook wake-ups
 * ```
 * Problems are reported all at once with their path (`connections.odoo.url: ...`).
 */
import { CrossdockError } from "../../core/errors.ts";
import { isSecret } from "../../security/secret-ref.ts";
import type { OdooClientOptions } from "./odoo-client.ts";

export const ODOO_CONNECTION_TYPE = "odoo";

/** The built-in change feeds, by the name used in `poll.feeds`. */
export const ODOO_FEED_NAMES = [
  "sale-orders",
  "pickings",
  "invoices",
  "products",
  "stock-quants",
  "purchase-orders",
  "partners",
] as const;

export interface OdooPollConfig {
  readonly enabled: boolean;
  readonly intervalMs: number;
  readonly overlapMs: number;
  readonly since: "now" | "beginning";
  readonly feeds: readonly string[];
}

export interface OdooConnectionConfig {
  readonly client: OdooClientOptions;
  readonly maxBatch: number;
  readonly poll: OdooPollConfig;
  readonly cacheRefreshMs: number;
  readonly hintToken: { reveal(): string } | undefined;
}

/** A problem with one field of the connection; `field` is relative to the connection. */
export interface ConnectionProblem {
  field: string;
  message: string;
}

const KNOWN_KEYS = [
  "type",
  "url",
  "database",
  "login",
  "apiKey",
  "maxInFlight",
  "timeoutMs",
  "maxBatch",
  "context",
  "poll",
  "cacheRefreshMs",
  "hintToken",
];
const POLL_KEYS = ["enabled", "intervalMs", "overlapSeconds", "since", "feeds"];

/** Every problem of an `odoo` connection's settings (empty when they are fine). */
export function checkOdooConnection(settings: Readonly<Record<string, unknown>>): ConnectionProblem[] {
  const problems: ConnectionProblem[] = [];
  for (const field of ["url", "database", "login"]) {
    const value = settings[field];
    if (typeof value !== "string" || value.trim() === "") {
      problems.push({
        field,
        message: `required, a non-empty string (got ${value === undefined ? "nothing" : JSON.stringify(value)})`,
      });
    }
  }
  const url = settings.url;
  if (typeof url === "string" && url.trim() !== "" && !/^https?:\/\/[^\s/]+/.test(url)) {
    problems.push({
      field: "url",
      message: `must be an http(s) URL such as https://erp.example.com (got ${url})`,
    });
  }
  if (!isSecret(settings.apiKey)) {
    problems.push({ field: "apiKey", message: "required, a secret reference such as env:ODOO_API_KEY" });
  }
  const ranges: [string, number, number][] = [
    ["maxInFlight", 1, 32],
    ["timeoutMs", 1_000, 600_000],
    ["maxBatch", 1, 1_000],
    ["cacheRefreshMs", 1_000, 86_400_000],
  ];
  for (const [field, min, max] of ranges) {
    const value = settings[field];
    if (value === undefined) continue;
    if (!(typeof value === "number" && Number.isInteger(value) && value >= min && value <= max)) {
      problems.push({
        field,
        message: `must be an integer between ${min} and ${max} (got ${JSON.stringify(value)})`,
      });
    }
  }
  const context = settings.context;
  if (context !== undefined && (typeof context !== "object" || context === null || Array.isArray(context))) {
    problems.push({ field: "context", message: "must be a mapping such as { lang: en_US }" });
  }
  if (settings.hintToken !== undefined && !isSecret(settings.hintToken)) {
    problems.push({ field: "hintToken", message: "must be a secret reference such as env:ODOO_HINT_TOKEN" });
  }
  problems.push(...checkPoll(settings.poll));
  for (const key of Object.keys(settings)) {
    if (!KNOWN_KEYS.includes(key)) {
      problems.push({
        field: key,
        message: `unknown key (expected one of: ${KNOWN_KEYS.slice(1).join(", ")})`,
      });
    }
  }
  return problems;
}

function checkPoll(poll: unknown): ConnectionProblem[] {
  if (poll === undefined) return [];
  if (typeof poll !== "object" || poll === null || Array.isArray(poll)) {
    return [{ field: "poll", message: "must be a mapping such as { intervalMs: 5000 }" }];
  }
  const problems: ConnectionProblem[] = [];
  const p = poll as Record<string, unknown>;
  const int = (key: string, min: number, max: number) => {
    const value = p[key];
    if (
      value !== undefined &&
      !(typeof value === "number" && Number.isInteger(value) && value >= min && value <= max)
    ) {
      problems.push({
        field: `poll.${key}`,
        message: `must be an integer between ${min} and ${max} (got ${JSON.stringify(value)})`,
      });
    }
  };
  int("intervalMs", 200, 3_600_000);
  int("overlapSeconds", 10, 3_600);
  if (p.enabled !== undefined && typeof p.enabled !== "boolean") {
    problems.push({ field: "poll.enabled", message: "must be true or false" });
  }
  if (p.since !== undefined && p.since !== "now" && p.since !== "beginning") {
    problems.push({
      field: "poll.since",
      message: `must be now or beginning (got ${JSON.stringify(p.since)})`,
    });
  }
  if (p.feeds !== undefined) {
    const known: readonly string[] = ODOO_FEED_NAMES;
    if (!Array.isArray(p.feeds))
      problems.push({ field: "poll.feeds", message: `must be a list of: ${known.join(", ")}` });
    else {
      p.feeds.forEach((feed, i) => {
        if (typeof feed !== "string" || !known.includes(feed)) {
          problems.push({
            field: `poll.feeds.${i}`,
            message: `unknown feed ${JSON.stringify(feed)} (expected one of: ${known.join(", ")})`,
          });
        }
      });
    }
  }
  for (const key of Object.keys(p)) {
    if (!POLL_KEYS.includes(key)) {
      problems.push({
        field: `poll.${key}`,
        message: `unknown key (expected one of: ${POLL_KEYS.join(", ")})`,
      });
    }
  }
  return problems;
}

/** The client options of a checked connection; throws `CDK_CONFIG_INVALID` listing every problem. */
export function parseOdooConnection(
  name: string,
  settings: Readonly<Record<string, unknown>>,
): OdooConnectionConfig {
  const problems = checkOdooConnection(settings).map((p) => `connections.${name}.${p.field}: ${p.message}`);
  if (problems.length > 0) {
    throw new CrossdockError("CDK_CONFIG_INVALID", `connection ${name} (odoo):\n  ${problems.join("\n  ")}`, {
      details: { connection: name, problems },
    });
  }
  const context = settings.context as Record<string, unknown> | undefined;
  const poll = (settings.poll ?? {}) as Record<string, unknown>;
  return {
    client: {
      url: settings.url as string,
      database: settings.database as string,
      login: settings.login as string,
      apiKey: settings.apiKey as { reveal(): string },
      maxInFlight: (settings.maxInFlight as number | undefined) ?? 3,
      timeoutMs: (settings.timeoutMs as number | undefined) ?? 60_000,
      ...(context === undefined ? {} : { context }),
    },
    maxBatch: (settings.maxBatch as number | undefined) ?? 100,
    poll: {
      enabled: (poll.enabled as boolean | undefined) ?? true,
      intervalMs: (poll.intervalMs as number | undefined) ?? 5_000,
      overlapMs: ((poll.overlapSeconds as number | undefined) ?? 120) * 1_000,
      since: (poll.since as "now" | "beginning" | undefined) ?? "now",
      feeds: (poll.feeds as string[] | undefined) ?? [...ODOO_FEED_NAMES],
    },
    cacheRefreshMs: (settings.cacheRefreshMs as number | undefined) ?? 60_000,
    hintToken: settings.hintToken as { reveal(): string } | undefined,
  };
}
