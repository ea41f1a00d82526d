import type { Command } from "commander";
import { CrossdockError } from "../core/errors.ts";
import type { ApprovalStatus } from "../store/store.ts";
import { actor, type CliIo, type GlobalOptions, withStore } from "./cli-io.ts";
import { iso, json, table } from "./format.ts";

const STATUSES: readonly string[] = ["pending", "approved", "rejected"];

/** `crossdock approvals ls|approve|reject`: the decisions workflows wait for. */
export function registerApprovalsCommand(program: Command, io: CliIo, globals: () => GlobalOptions): void {
  const approvals = program
    .command("approvals")
    .description("approvals workflows are waiting for, and deciding them");

  approvals
    .command("ls")
    .description("approval requests (pending ones by default)")
    .option("--status <status>", "pending | approved | rejected", "pending")
    .action(async (options: { status: string }) => {
      if (!STATUSES.includes(options.status)) {
        throw new CrossdockError(
          "CDK_CLI_USAGE",
          `--status must be one of ${STATUSES.join(", ")} (got "${options.status}")`,
        );
      }
      await withStore(globals(), io, async (store) => {
        const list = await store.workflows.listApprovals({ status: options.status as ApprovalStatus });
        if (globals().json) return io.out(json(list));
        if (list.length === 0) return io.out(`no ${options.status} approvals`);
        io.out(
          table(
            ["id", "run", "step", "title", "created", "deadline"],
            // The store keeps a timed-out request pending; the workflow has already moved on.
            list.map((a) => [
              a.id,
              a.runId,
              a.stepId,
              a.title,
              iso(a.createdAt),
              a.deadline !== undefined && a.status === "pending" && a.deadline < Date.now()
                ? `${iso(a.deadline)} (timed out)`
                : iso(a.deadline),
            ]),
          ),
        );
      });
    });

  for (const verb of ["approve", "reject"] as const) {
    approvals
      .command(`${verb} <id>`)
      .description(`${verb} a pending request; the workflow resumes with the decision`)
      .option("--comment <text>", "kept with the decision")
      .option("--by <name>", "who decides (default: your user name)")
      .action(async (id: string, options: { comment?: string; by?: string }) => {
        await withStore(globals(), io, async (store) => {
          const decided = await store.workflows.decideApproval(id, {
            approved: verb === "approve",
            by: actor(options.by, io),
            ...(options.comment ? { comment: options.comment } : {}),
          });
          io.out(
            globals().json
              ? json(decided)
              : `${decided.status} ${id} (run ${decided.runId}, step ${decided.stepId})`,
          );
        });
      });
  }
}
