import type { Command } from "commander";
import { ALL_ROLES, buildApp, type Role } from "../app/build-app.ts";
import { CrossdockError } from "../core/errors.ts";
import { type CliIo, type GlobalOptions, readConfig } from "./cli-io.ts";

export function parseRoles(value: string): Role[] {
  const roles = value.split(",").map((r) => r.trim());
  for (const role of roles) {
    if (!(ALL_ROLES as readonly string[]).includes(role)) {
      throw new CrossdockError(
        "CDK_CLI_USAGE",
        `--role: unknown role "${role}" (expected ${ALL_ROLES.join(", ")})`,
      );
    }
  }
  return roles as Role[];
}

/** `crossdock start`: the hub, with every role or the ones named, until Ctrl-C or SIGTERM. */
export function registerStartCommand(program: Command, io: CliIo, globals: () => GlobalOptions): void {
  program
    .command("start")
    .description("run the hub: gateway (HTTP), workers and scheduler")
    .option("--role <roles>", `comma-separated roles: ${ALL_ROLES.join(",")}`, ALL_ROLES.join(","))
    .action(async (options: { role: string }) => {
      const roles = parseRoles(options.role);
      const config = await readConfig(globals(), io);
      const app = await buildApp({ config, roles });
      const { url } = await app.start();
      io.err(`crossdock is running (${roles.join(", ")})${url ? ` on ${url}` : ""}; Ctrl-C stops it`);
      await (io.untilStopped?.() ?? new Promise<void>(() => {}));
      await app.stop();
    });
}
