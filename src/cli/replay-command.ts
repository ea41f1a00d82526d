import type { Command } from "commander";
import { CrossdockError } from "../core/errors.ts";
import type { JobRecord } from "../store/store.ts";
import { type CliIo, type GlobalOptions, withStore } from "./cli-io.ts";
import { json } from "./format.ts";

/**
 * `crossdock replay`: runs finished work again with its original idempotency key. A job replays its
 * delivery (the target recognises the key, so an effect that already happened is not repeated); a
 * message replays its processing (decode, events and deliveries; deliveries already made are
 * deduplicated by key).
 */
export function registerReplayCommand(program: Command, io: CliIo, globals: () => GlobalOptions): void {
  program
    .command("replay")
    .description("run a finished job or an inbox message's processing again, with the same idempotency key")
    .option("--job <id...>", "job ids to replay")
    .option("--message <id...>", "inbox message ids whose processing to replay")
    .action(async (options: { job?: string[]; message?: string[] }) => {
      const jobs = options.job ?? [];
      const messages = options.message ?? [];
      if (jobs.length + messages.length === 0) {
        throw new CrossdockError("CDK_CLI_USAGE", "say what to replay: --job <id...> or --message <id...>");
      }
      await withStore(globals(), io, async (store) => {
        const replayed: JobRecord[] = [];
        for (const id of jobs) replayed.push(await store.jobs.replay(id));
        for (const messageId of messages) {
          const job = await store.jobs.getByIdempotencyKey(`inbox:${messageId}`);
          if (!job) {
            const stored = await store.inbox.get(messageId);
            throw new CrossdockError(
              "CDK_JOB_NOT_FOUND",
              stored
                ? `inbox message ${messageId} has no processing job yet (a worker makes it at its next ` +
                    "claim); there is nothing to replay until it has run"
                : `no processing job for inbox message ${messageId}`,
            );
          }
          replayed.push(await store.jobs.replay(job.id));
        }
        if (globals().json) return io.out(json(replayed));
        for (const job of replayed)
          io.out(`replaying job ${job.id} (${job.target}, key ${job.idempotencyKey}): ${job.status}`);
      });
    });
}
