/**
 * The `inventory` section's options for the engine, and the checks the schema cannot make (names that
 * refer to connections, warehouses and sources; the engine's own checks), for the config resolver to
 * locate in the file. Kept apart from `build-inventory.ts` so the resolver does not load channel clients.
 */
import type { CrossdockError } from "../core/errors.ts";
import { createInventoryConfig, type InventoryOptions } from "../inventory/inventory-config.ts";
import type { ConnectionConfig, InventorySection } from "./config-schema.ts";

/** The engine's options: the section without what wires it (connections, locations, intervals). */
export function inventoryOptionsOf(section: InventorySection): InventoryOptions {
  const { publishIntervalMs: _p, fullEveryHours: _f, sources, channels, ...rest } = section;
  return JSON.parse(
    JSON.stringify({
      ...rest,
      sources: Object.fromEntries(Object.entries(sources).map(([name, s]) => [name, { slaMs: s.slaMs }])),
      channels: Object.fromEntries(
        Object.entries(channels).map(([name, { connection: _c, location: _l, api: _a, ...policy }]) => [
          name,
          policy,
        ]),
      ),
    }),
  ) as InventoryOptions;
}

export interface InventoryProblem {
  /** Under `inventory`. */
  path: (string | number)[];
  message: string;
}

/**
 * What the schema cannot check: names that refer to connections, warehouses and sources, and the
 * engine's own checks (`createInventoryConfig`), each with its path under `inventory`. The config
 * resolver locates them in the file.
 */
export function inventoryConfigProblems(
  section: InventorySection,
  connections: Readonly<Record<string, ConnectionConfig>>,
): InventoryProblem[] {
  const problems: InventoryProblem[] = [];
  const kind = (name: string) => connections[name]?.type;
  const what = (name: string) =>
    kind(name) ? `is a connection of type ${kind(name)}` : "is not a configured connection";
  for (const [channel, c] of Object.entries(section.channels)) {
    const at = ["channels", channel];
    const type = kind(c.connection);
    const settings = connections[c.connection] ?? { type: "" };
    const need = (fields: string[]) => {
      for (const field of fields.filter((f) => settings[f] === undefined || settings[f] === ""))
        problems.push({
          path: [...at, "connection"],
          message: `connection ${c.connection} has no ${field}, which stock publication needs`,
        });
    };
    if (type === "shopify") {
      need(["shopUrl", "accessToken"]);
      if (c.location === undefined)
        problems.push({ path: at, message: "a shopify channel needs location (the Shopify location id)" });
    } else if (type === "woocommerce") {
      need(["storeUrl", "consumerKey", "consumerSecret"]);
      if (c.location !== undefined)
        problems.push({ path: [...at, "location"], message: "applies only to shopify channels" });
      if (c.api !== undefined)
        problems.push({ path: [...at, "api"], message: "applies only to shopify channels" });
    } else {
      problems.push({
        path: [...at, "connection"],
        message: `${JSON.stringify(c.connection)} ${what(c.connection)} (expected a connection of type shopify or woocommerce)`,
      });
    }
  }
  const fed = new Map<string, string>();
  for (const [source, s] of Object.entries(section.sources)) {
    const at = ["sources", source];
    if (s.connection === undefined) {
      if (s.locations !== undefined)
        problems.push({
          path: [...at, "locations"],
          message: "needs connection (the odoo connection they belong to)",
        });
      continue;
    }
    if (kind(s.connection) !== "odoo") {
      problems.push({
        path: [...at, "connection"],
        message: `${JSON.stringify(s.connection)} ${what(s.connection)} (expected a connection of type odoo)`,
      });
      continue;
    }
    const poll = (connections[s.connection]?.poll ?? {}) as { enabled?: unknown; feeds?: unknown };
    if (poll.enabled === false || (Array.isArray(poll.feeds) && !poll.feeds.includes("stock-quants")))
      problems.push({
        path: [...at, "connection"],
        message: `connection ${s.connection} does not poll stock-quants (set poll.enabled and add stock-quants to poll.feeds)`,
      });
    if (fed.has(s.connection))
      problems.push({
        path: [...at, "connection"],
        message: `connection ${s.connection} already feeds source ${fed.get(s.connection)}`,
      });
    fed.set(s.connection, source);
    for (const [location, warehouse] of Object.entries(s.locations ?? {}))
      if (!section.warehouses[warehouse])
        problems.push({ path: [...at, "locations", location], message: `unknown warehouse "${warehouse}"` });
  }
  try {
    createInventoryConfig(inventoryOptionsOf(section));
  } catch (error) {
    for (const text of ((error as CrossdockError).details?.problems ?? []) as string[]) {
      const colon = text.indexOf(": ");
      const path = text
        .slice(0, colon)
        .split(/\.|(?=\[)/)
        .map((part) => (/^\[\d+\]$/.test(part) ? Number(part.slice(1, -1)) : part));
      problems.push({ path, message: text.slice(colon + 2) });
    }
  }
  return problems;
}
