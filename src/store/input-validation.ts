import { CrossdockError } from "../core/errors.ts";
import type { EventInput, InboxMessageInput, StoreConfig } from "./store.ts";

const REQUIRED_TEXT_FIELDS = ["source", "connection", "dedupeKey"] as const;

/**
 * Checks an inbox message before it is queued for a group commit, so that a bad message fails alone
 * and never takes its batch down with it. Throws `CDK_INBOX_INVALID_MESSAGE` (details: `field`) or
 * `CDK_INBOX_MESSAGE_TOO_LARGE` (details: `size`, `limit`).
 */
export function validateInboxMessage(
  message: InboxMessageInput,
  config: Pick<StoreConfig, "maxMessageBytes">,
) {
  for (const field of REQUIRED_TEXT_FIELDS) {
    const value = message?.[field];
    if (typeof value !== "string" || value.length === 0) {
      throw new CrossdockError("CDK_INBOX_INVALID_MESSAGE", `Inbox message has no ${field}`, {
        details: { field },
      });
    }
  }
  if (!(message.body instanceof Uint8Array)) {
    throw new CrossdockError("CDK_INBOX_INVALID_MESSAGE", "Inbox message has no body (bytes expected)", {
      details: { field: "body" },
    });
  }
  const size = message.body.byteLength;
  if (size > config.maxMessageBytes) {
    throw new CrossdockError(
      "CDK_INBOX_MESSAGE_TOO_LARGE",
      `Inbox message of ${size} bytes exceeds the limit of ${config.maxMessageBytes} bytes`,
      { details: { size, limit: config.maxMessageBytes } },
    );
  }
}

/**
 * Checks an event before it is appended. Throws `CDK_EVENT_INVALID` (details: `field`, `index`) for a
 * missing stream or type, or data that is not JSON (`undefined`).
 */
export function validateEventInput(event: EventInput, index = 0) {
  for (const field of ["stream", "type"] as const) {
    const value = event?.[field];
    if (typeof value !== "string" || value.length === 0) {
      throw new CrossdockError("CDK_EVENT_INVALID", `Event #${index} has no ${field}`, {
        details: { field, index },
      });
    }
  }
  if (event.data === undefined) {
    throw new CrossdockError("CDK_EVENT_INVALID", `Event #${index} has no data (use null for none)`, {
      details: { field: "data", index },
    });
  }
}
