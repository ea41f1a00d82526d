/**
 * Puts a `rest` connection's credentials on a request: an API key header, HTTP Basic, or an OAuth2
 * client-credentials bearer token. Secrets are revealed here, at the moment they are sent, and never
 * appear in errors.
 */
import type { Dispatcher } from "undici";
import type { Clock } from "../../core/clock.ts";
import { OAuth2TokenSource } from "./oauth2-token-source.ts";
import type { RestAuthConfig } from "./rest-connection.ts";

/** The header a request carries, and the OAuth2 token in it (to invalidate after a 401). */
export interface AppliedAuth {
  name: string;
  value: string;
  token?: string;
}

export interface RestAuthorizer {
  /** The auth header for the next request (may fetch an OAuth2 token). */
  header(): Promise<AppliedAuth>;
  /**
   * Called on a 401. True when a retry with fresh credentials makes sense (an OAuth2 token was
   * dropped); API keys and Basic credentials cannot be renewed by the hub, so false.
   */
  refused(applied: AppliedAuth): boolean;
  /** The OAuth2 token source, when there is one (token fetch counts for tests and metrics). */
  readonly tokens: OAuth2TokenSource | undefined;
}

export function createRestAuthorizer(
  auth: RestAuthConfig,
  context: { connection: string; dispatcher: Dispatcher; clock: Clock; timeoutMs: number },
): RestAuthorizer {
  switch (auth.kind) {
    case "api-key":
      return {
        header: async () => ({
          name: auth.header.toLowerCase(),
          value: auth.prefix ? `${auth.prefix} ${auth.value.reveal()}` : auth.value.reveal(),
        }),
        refused: () => false,
        tokens: undefined,
      };
    case "basic":
      return {
        header: async () => ({
          name: "authorization",
          value: `Basic ${Buffer.from(`${auth.username}:${auth.password.reveal()}`).toString("base64")}`,
        }),
        refused: () => false,
        tokens: undefined,
      };
    case "oauth2-client-credentials": {
      const tokens = new OAuth2TokenSource({
        connection: context.connection,
        tokenUrl: auth.tokenUrl,
        clientId: auth.clientId,
        clientSecret: auth.clientSecret,
        ...(auth.scope ? { scope: auth.scope } : {}),
        clientAuth: auth.clientAuth,
        dispatcher: context.dispatcher,
        clock: context.clock,
        timeoutMs: context.timeoutMs,
      });
      return {
        header: async () => {
          const token = await tokens.token();
          return { name: "authorization", value: `Bearer ${token}`, token };
        },
        refused: (applied) => {
          if (applied.token === undefined) return false;
          tokens.invalidate(applied.token);
          return true;
        },
        tokens,
      };
    }
  }
}
