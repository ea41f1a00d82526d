/**
 * The URL of a call to a named endpoint: `baseUrl` + the endpoint's path with its `{name}`
 * placeholders filled, then the endpoint's fixed query and the call's own query parameters.
 */
import { CrossdockError } from "../../core/errors.ts";
import type { RestEndpointConfig } from "./rest-connection.ts";

/** Values for path placeholders and query parameters; `undefined` query values are left out. */
export type RestParams = Readonly<Record<string, string | number>>;
export type RestQuery = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * Fills `{name}` placeholders, each value percent-encoded as one path segment (a SKU `A/B` becomes
 * `A%2FB`, never a second segment). A missing or empty value is `CDK_JOB_PAYLOAD_INVALID`: the
 * caller's data lacks it, nothing was sent.
 */
export function expandPath(template: string, params: RestParams, what: string): string {
  return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_all, name: string) => {
    const value = params[name];
    if (value === undefined || String(value) === "") {
      throw new CrossdockError("CDK_JOB_PAYLOAD_INVALID", `${what} needs the path parameter ${name}`, {
        details: { parameter: name, path: template },
      });
    }
    return encodeURIComponent(String(value));
  });
}

/** The full URL of a call to `endpoint` on a connection whose base URL is `baseUrl`. */
export function endpointUrl(
  baseUrl: string,
  endpoint: RestEndpointConfig,
  params: RestParams,
  query: RestQuery,
  what: string,
): URL {
  const url = new URL(`${baseUrl}${expandPath(endpoint.path, params, what)}`);
  for (const [key, value] of Object.entries(endpoint.query ?? {})) url.searchParams.set(key, value);
  for (const [key, value] of Object.entries(query))
    if (value !== undefined) url.searchParams.set(key, String(value));
  return url;
}
