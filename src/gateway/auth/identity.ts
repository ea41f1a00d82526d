/**
 * Who is calling: the machine identity behind an API key, as the gateway's routes see it. One identity
 * per integration or partner, with scopes that say what it may do. How keys become identities (hashed
 * keys, expiry, rotation, rate limits, audit) is the authenticator's business (`src/security/`); routes
 * only declare the scope they need with `requireScope`.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { CrossdockError } from "../../core/errors.ts";

/** Scopes are stable strings (they are stored with identities): never rename one. */
export const SCOPES = Object.freeze({
  ordersWrite: "orders:write",
  ordersRead: "orders:read",
  stockRead: "stock:read",
  shipmentsRead: "shipments:read",
  returnsWrite: "returns:write",
  purchasesWrite: "purchases:write",
  adminIdentities: "admin:identities",
  adminWebhooks: "admin:webhooks",
} as const);

export type Scope = (typeof SCOPES)[keyof typeof SCOPES];

export interface Identity {
  readonly id: string;
  readonly name: string;
  readonly scopes: readonly string[];
  /** The key that authenticated this request (its id, never the secret). */
  readonly keyId: string;
}

/**
 * Turns a request's credentials into an identity, or throws `CDK_AUTH_REQUIRED` / `CDK_AUTH_INVALID`
 * (401) or `CDK_RATE_LIMITED` (429). Implementations must compare secrets in constant time.
 */
export interface Authenticator {
  authenticate(request: FastifyRequest): Promise<Identity>;
}

declare module "fastify" {
  interface FastifyRequest {
    /** Set by `requireScope` once the caller is authenticated. */
    identity?: Identity;
  }
}

/**
 * A hook (use it as `onRequest`, so callers are checked before their body is read) that authenticates
 * the caller (once per request) and checks that its identity holds
 * `scope`: 401 without a valid key, 403 without the scope.
 */
export function requireScope(authenticator: Authenticator, scope: Scope) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    request.identity ??= await authenticator.authenticate(request);
    if (!request.identity.scopes.includes(scope)) {
      throw new CrossdockError(
        "CDK_AUTH_FORBIDDEN",
        `identity ${request.identity.name} lacks the scope ${scope} this call needs`,
        { details: { identity: request.identity.id, scope } },
      );
    }
  };
}
