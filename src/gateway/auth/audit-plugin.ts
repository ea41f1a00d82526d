/**
 * A `ServerPlugin` that audits every call that was authenticated or refused by the API-key
 * authenticator (who, what, when, result) and sets the authentication response headers:
 * `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` on authenticated calls, and
 * `WWW-Authenticate: Bearer` on 401. Calls that never asked for a key (health, metrics, signed
 * webhooks) are not audited here. Entries are written behind the response (`AuditQueue`).
 *
 * An entry: actor = the identity id, or `anonymous` when the key was missing or refused (with the
 * presented key's id in `details.keyId` when it had one: never the secret); action = method and route
 * pattern (`POST /api/v1/orders`, not the URL, so no ids or query strings land in it); outcome `ok`
 * (< 400), `denied` (401, 403, 429) or `error`; the status; the W3C `traceparent` when sent.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { AuditEntryInput, AuditOutcome } from "../../store/store.ts";
import type { ServerPlugin } from "../build-server.ts";
import type { ApiKeyAuthenticator, AuthAttempt } from "./api-key-authenticator.ts";
import type { AuditQueue } from "./audit-queue.ts";

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

export function outcomeOf(status: number): AuditOutcome {
  if (status < 400) return "ok";
  if (status === 401 || status === 403 || status === 429) return "denied";
  return "error";
}

/** The audit entry of one finished call. */
export function auditEntryFor(
  request: FastifyRequest,
  reply: FastifyReply,
  attempt: AuthAttempt,
): AuditEntryInput {
  const route = request.routeOptions.url ?? "(no route)";
  const status = reply.statusCode;
  const traceparent = request.headers.traceparent;
  const details: Record<string, string | number> = { ms: Math.round(reply.elapsedTime) };
  if (attempt.keyId) details.keyId = attempt.keyId;
  if (attempt.identity) details.identity = attempt.identity.name.slice(0, 100);
  if (attempt.failure) details.failure = attempt.failure;
  return {
    at: attempt.at,
    actor: attempt.identity?.id ?? "anonymous",
    action: `${request.method} ${route}`.slice(0, 200),
    outcome: outcomeOf(status),
    status,
    details,
    ...(typeof traceparent === "string" && TRACEPARENT.test(traceparent) ? { trace: { traceparent } } : {}),
  };
}

export function createAuditPlugin(options: {
  authenticator: ApiKeyAuthenticator;
  queue: AuditQueue;
}): ServerPlugin {
  const { authenticator, queue } = options;
  return (app) => {
    app.addHook("onSend", async (request, reply, payload) => {
      const attempt = authenticator.attemptOf(request);
      if (!attempt) return payload;
      const rate = attempt.rate;
      if (rate) {
        reply.header("ratelimit-limit", String(rate.limit));
        reply.header("ratelimit-remaining", String(rate.remaining));
        reply.header("ratelimit-reset", String(rate.resetS));
      }
      if (reply.statusCode === 401) {
        reply.header(
          "www-authenticate",
          attempt.failure === "missing"
            ? 'Bearer realm="crossdock"'
            : 'Bearer realm="crossdock", error="invalid_token"',
        );
      }
      return payload;
    });
    app.addHook("onResponse", async (request, reply) => {
      const attempt = authenticator.attemptOf(request);
      if (attempt) queue.push(auditEntryFor(request, reply, attempt));
    });
    app.addHook("onClose", async () => {
      await queue.drain();
    });
  };
}
