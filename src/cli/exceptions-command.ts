import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { CrossdockError } from "../core/errors.ts";
import {
  type ExceptionRecord,
  type ExceptionStatus,
  INBOX_TARGET,
  type JsonValue,
  type Store,
} from "../store/store.ts";
import { actor, type CliIo, type GlobalOptions, withStore } from "./cli-io.ts";
import { iso, json, table } from "./format.ts";

const STATUSES: readonly string[] = ["open", "retried", "discarded"];

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) {
    throw new CrossdockError("CDK_CLI_USAGE", `--limit must be an integer from 1 to 10000 (got "${value}")`);
  }
  return n;
}

interface RetryOptions {
  payload?: string;
  payloadFile?: string;
  bodyFile?: string;
  reason?: string;
  by?: string;
}

async function readPayload(options: RetryOptions, io: CliIo): Promise<JsonValue | undefined> {
  const given = [options.payload, options.payloadFile, options.bodyFile].filter((o) => o !== undefined);
  if (given.length > 1) {
    throw new CrossdockError("CDK_CLI_USAGE", "use one of --payload, --payload-file or --body-file");
  }
  if (options.bodyFile !== undefined) {
    return { bodyOverride: await readFile(resolve(io.cwd, options.bodyFile), "utf8") };
  }
  const source = options.payloadFile ? "--payload-file" : "--payload";
  const text =
    options.payloadFile !== undefined
      ? await readFile(resolve(io.cwd, options.payloadFile), "utf8")
      : options.payload;
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as JsonValue;
  } catch (cause) {
    throw new CrossdockError("CDK_CLI_USAGE", `${source} is not valid JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
}

function describe(record: ExceptionRecord): string {
  const lines = [
    `exception  ${record.id}  (${record.status})`,
    `target     ${record.target}  kind ${record.kind}`,
    `error      ${record.error.code} [${record.error.failureClass}] ${record.error.message}`,
    `job        ${record.jobId}  attempts ${record.attempts}`,
    `key        ${record.idempotencyKey}${record.orderingKey ? `  ordering ${record.orderingKey}` : ""}`,
    `created    ${iso(record.createdAt)}`,
  ];
  if (record.trace) lines.push(`trace      ${record.trace.traceparent}`);
  if (record.resolvedAt !== undefined) {
    lines.push(
      `resolved   ${iso(record.resolvedAt)} by ${record.resolvedBy ?? "?"}${record.reason ? `: ${record.reason}` : ""}`,
    );
  }
  if (record.error.details) lines.push(`details    ${JSON.stringify(record.error.details)}`);
  if (record.errors.length > 1) {
    lines.push("attempts:");
    for (const e of record.errors) lines.push(`  #${e.attempt} ${iso(e.at)} ${e.code} ${e.message}`);
  }
  lines.push("payload:", json(record.payload));
  if (record.replayPayload !== undefined) lines.push("replayed with payload:", json(record.replayPayload));
  return lines.join("\n");
}

const BODY_EXCERPT_BYTES = 4_096;

/** For an inbox processing failure: the received message itself, which is what a person needs to see. */
async function describeMessage(store: Store, record: ExceptionRecord): Promise<string> {
  if (record.target !== INBOX_TARGET) return "";
  const messageId = (record.payload as { messageId?: unknown } | null)?.messageId;
  if (typeof messageId !== "string") return "";
  const message = await store.inbox.get(messageId);
  if (!message) return `\nmessage ${messageId}: no longer in the inbox`;
  const body = Buffer.from(message.body);
  const text = body.subarray(0, BODY_EXCERPT_BYTES).toString("utf8");
  const more =
    body.length > BODY_EXCERPT_BYTES ? `\n... (${body.length - BODY_EXCERPT_BYTES} more bytes)` : "";
  return [
    "",
    `message ${message.id} on ${message.connection} (${message.source}), sender id ${message.dedupeKey}, ${message.size} bytes, received ${iso(message.receivedAt)}`,
    `content-type ${message.contentType ?? "-"}`,
    "body:",
    `${text}${more}`,
    "fix it with: crossdock exceptions retry <id> --body-file corrected.json",
  ].join("\n");
}

/** `crossdock exceptions ls|show|retry|discard`: the exception queue, from the terminal. */
export function registerExceptionsCommand(program: Command, io: CliIo, globals: () => GlobalOptions): void {
  const exceptions = program
    .command("exceptions")
    .description("list, inspect, retry or discard exception records");

  exceptions
    .command("ls")
    .description("list exception records (open ones by default)")
    .option("--status <status>", "open | retried | discarded", "open")
    .option("--target <target>", "only this target")
    .option("--code <code>", "only this error code")
    .option("--limit <n>", "at most n records", "50")
    .action(async (options: { status: string; target?: string; code?: string; limit: string }) => {
      if (!STATUSES.includes(options.status)) {
        throw new CrossdockError(
          "CDK_CLI_USAGE",
          `--status must be one of ${STATUSES.join(", ")} (got "${options.status}")`,
        );
      }
      const limit = parseLimit(options.limit);
      await withStore(globals(), io, async (store) => {
        const records = await store.exceptions.list({
          status: options.status as ExceptionStatus,
          limit,
          ...(options.target ? { target: options.target } : {}),
          ...(options.code ? { code: options.code } : {}),
        });
        if (globals().json) return io.out(json(records));
        if (records.length === 0) return io.out(`no ${options.status} exceptions`);
        io.out(
          table(
            ["id", "target", "kind", "code", "attempts", "created", "message"],
            records.map((r) => [
              r.id,
              r.target,
              r.kind,
              r.error.code,
              r.attempts,
              iso(r.createdAt),
              r.error.message.slice(0, 80),
            ]),
          ),
        );
      });
    });

  exceptions
    .command("show <id>")
    .description("everything about one exception: error, attempts, payload, trace")
    .action(async (id: string) => {
      await withStore(globals(), io, async (store) => {
        const record = await store.exceptions.get(id);
        if (!record) throw new CrossdockError("CDK_EXCEPTION_NOT_FOUND", `no exception record ${id}`);
        io.out(globals().json ? json(record) : `${describe(record)}${await describeMessage(store, record)}`);
      });
    });

  exceptions
    .command("retry <id>")
    .description(
      "put the job back in the queue with its original idempotency key (optionally with an edited payload)",
    )
    .option("--payload <json>", "replay with this payload instead of the original")
    .option("--payload-file <path>", "replay with the JSON payload in this file")
    .option("--body-file <path>", "for a message that failed to decode: process this corrected body instead")
    .option("--reason <text>", "a note kept with the record")
    .option("--by <name>", "who retries (default: your user name)")
    .action(async (id: string, options: RetryOptions) => {
      let payload = await readPayload(options, io);
      await withStore(globals(), io, async (store) => {
        if (options.bodyFile !== undefined) {
          const record = await store.exceptions.get(id);
          if (!record) throw new CrossdockError("CDK_EXCEPTION_NOT_FOUND", `no exception record ${id}`);
          if (record.target !== INBOX_TARGET) {
            throw new CrossdockError(
              "CDK_CLI_USAGE",
              `--body-file applies to inbox messages; ${id} is a ${record.target} job (use --payload-file)`,
            );
          }
          payload = {
            ...(record.payload as Record<string, JsonValue>),
            ...(payload as Record<string, JsonValue>),
          };
        }
        const job = await store.exceptions.retry(id, {
          by: actor(options.by, io),
          ...(payload !== undefined ? { payload } : {}),
          ...(options.reason ? { reason: options.reason } : {}),
        });
        const edited = payload !== undefined ? " (edited payload)" : "";
        io.out(
          globals().json
            ? json(job)
            : `retrying ${id}: job ${job.id} is ${job.status} with key ${job.idempotencyKey}${edited}`,
        );
      });
    });

  exceptions
    .command("discard <id>")
    .description("close an exception for good; a reason is required")
    .requiredOption("--reason <text>", "why it is discarded (kept in the record)")
    .option("--by <name>", "who discards (default: your user name)")
    .action(async (id: string, options: { reason: string; by?: string }) => {
      if (options.reason.trim() === "")
        throw new CrossdockError("CDK_CLI_USAGE", "--reason must not be empty");
      await withStore(globals(), io, async (store) => {
        await store.exceptions.discard(id, { by: actor(options.by, io), reason: options.reason });
        io.out(`discarded ${id}: ${options.reason}`);
      });
    });
}
