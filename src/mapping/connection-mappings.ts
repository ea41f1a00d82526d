import { isCrossdockError } from "../core/errors.ts";
import type { Mapping } from "./mapping.ts";
import type { MappingCatalog } from "./mapping-catalog.ts";

/** A connection as configured: its connector type and, optionally, the mapping it uses. */
export interface ConnectionWithMapping {
  readonly type: string;
  readonly mapping?: unknown;
}

/** A problem with a connection's `mapping` key, located by its configuration path. */
export interface ConnectionMappingProblem {
  readonly path: readonly string[];
  readonly code: string;
  readonly message: string;
}

/** The generic JSON intakes accept any JSON mapping; other connector types must match the source. */
const GENERIC_TYPES = new Set(["webhook-json", "rest"]);

/**
 * Resolves `connections.<name>.mapping` of `crossdock.yaml` for every connection that has one. The
 * value must pin a version (`shopify-order@1`): a bare name would silently change meaning when a new
 * version file is added, and a change of mapping is meant to be compared first (`mapping diff`) and
 * then activated by editing this one line. Every problem is reported, not only the first.
 */
export async function resolveConnectionMappings(
  connections: Readonly<Record<string, ConnectionWithMapping>>,
  catalog: MappingCatalog,
): Promise<{ mappings: ReadonlyMap<string, Mapping>; problems: ConnectionMappingProblem[] }> {
  const mappings = new Map<string, Mapping>();
  const problems: ConnectionMappingProblem[] = [];
  for (const [name, connection] of Object.entries(connections)) {
    if (connection.mapping === undefined) continue;
    const path = ["connections", name, "mapping"];
    const ref = connection.mapping;
    if (typeof ref !== "string" || !/@[1-9][0-9]*$/.test(ref)) {
      problems.push({
        path,
        code: "CDK_CONFIG_INVALID",
        message: `expected <name>@<version> such as shopify-order@1 (a pinned version), got ${JSON.stringify(ref)?.slice(0, 80)}`,
      });
      continue;
    }
    try {
      const mapping = await catalog.resolve(ref);
      const { connectionType } = mapping.source;
      if (connectionType !== connection.type && !GENERIC_TYPES.has(connection.type)) {
        problems.push({
          path,
          code: "CDK_CONFIG_INVALID",
          message: `${ref} maps ${connectionType} documents but the connection's type is ${connection.type}`,
        });
        continue;
      }
      mappings.set(name, mapping);
    } catch (error) {
      if (!isCrossdockError(error)) throw error;
      problems.push({ path, code: error.code, message: error.message });
    }
  }
  return { mappings, problems };
}
