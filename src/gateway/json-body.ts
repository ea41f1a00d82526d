/**
 * JSON-only request bodies for a context of the gateway (the REST API, the admin API): JSON is parsed
 * with its error reported as `CDK_API_INVALID_REQUEST`, the raw bytes are kept on `request.rawBody`
 * (the inbox stores what was sent), an empty body is `undefined`, and any other content type is refused
 * with 415 before the body is read. Webhook routes never use it: their bodies stay raw for signatures.
 */
import type { FastifyInstance } from "fastify";
import { CrossdockError } from "../core/errors.ts";

export function acceptJsonOnly(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ["application/json", "application/*+json"],
    { parseAs: "buffer" },
    (request, body, done) => {
      const raw = body as Buffer;
      (request as { rawBody?: Buffer }).rawBody = raw;
      if (raw.length === 0) return done(null, undefined);
      try {
        done(null, JSON.parse(raw.toString("utf8")));
      } catch (error) {
        const message = (error as Error).message;
        done(
          new CrossdockError("CDK_API_INVALID_REQUEST", `invalid body: not JSON (${message})`, {
            details: { errors: [{ path: "body", message }] },
          }),
          undefined,
        );
      }
    },
  );
  app.addContentTypeParser("*", (request, _payload, done) =>
    done(
      new CrossdockError(
        "CDK_HTTP_UNSUPPORTED_MEDIA_TYPE",
        `content type ${JSON.stringify(request.headers["content-type"] ?? "")} is not accepted (expected application/json)`,
      ),
      undefined,
    ),
  );
}
