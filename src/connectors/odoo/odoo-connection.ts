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
 * ```
 * Problems are reported all at once with their path (`connections.odoo.url: ...`).
 */
import { CrossdockError } from "../../core/errors.ts";
import { isSecret } from "../../security/secret-ref.ts";
import type { OdooClientOptions } from "./odoo-client.ts";

export const ODOO_CONNECTION_TYPE = "odoo";

export interface OdooConnectionConfig {
  readonly client: OdooClientOptions;
  readonly maxBatch: number;
}

export function parseOdooConnection(
  name: string,
  settings: Readonly<Record<string, unknown>>,
): OdooConnectionConfig {
  const problems: string[] = [];
  const at = (field: string) => `connections.${name}.${field}`;
  const text = (field: string): string => {
    const value = settings[field];
    if (typeof value === "string" && value.trim() !== "") return value;
    problems.push(
      `${at(field)}: required, a non-empty string (got ${value === undefined ? "nothing" : typeof value})`,
    );
    return "";
  };
  const int = (field: string, fallback: number, min: number, max: number): number => {
    const value = settings[field];
    if (value === undefined) return fallback;
    if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) return value;
    problems.push(
      `${at(field)}: must be an integer between ${min} and ${max} (got ${JSON.stringify(value)})`,
    );
    return fallback;
  };
  const url = text("url");
  if (url !== "" && !/^https?:\/\/[^\s/]+/.test(url))
    problems.push(`${at("url")}: must be an http(s) URL (got ${url})`);
  const database = text("database");
  const login = text("login");
  const apiKey = settings.apiKey;
  if (!isSecret(apiKey))
    problems.push(`${at("apiKey")}: required, a secret reference such as env:ODOO_API_KEY`);
  const maxInFlight = int("maxInFlight", 3, 1, 32);
  const timeoutMs = int("timeoutMs", 60_000, 1_000, 600_000);
  const maxBatch = int("maxBatch", 100, 1, 1_000);
  const context = settings.context;
  if (context !== undefined && (typeof context !== "object" || context === null || Array.isArray(context))) {
    problems.push(`${at("context")}: must be a mapping such as { lang: en_US }`);
  }
  const known = new Set([
    "type",
    "url",
    "database",
    "login",
    "apiKey",
    "maxInFlight",
    "timeoutMs",
    "maxBatch",
    "context",
  ]);
  for (const key of Object.keys(settings)) {
    if (!known.has(key))
      problems.push(`${at(key)}: unknown key (expected one of: ${[...known].slice(1).join(", ")})`);
  }
  if (problems.length > 0) {
    throw new CrossdockError("CDK_CONFIG_INVALID", `connection ${name} (odoo):\n  ${problems.join("\n  ")}`, {
      details: { connection: name, problems },
    });
  }
  return {
    client: {
      url,
      database,
      login,
      apiKey: apiKey as { reveal(): string },
      maxInFlight,
      timeoutMs,
      ...(context === undefined ? {} : { context: context as Record<string, unknown> }),
    },
    maxBatch,
  };
}
