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
];

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
  };
}
