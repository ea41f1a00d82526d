import type { Command } from "commander";
import { checkOdoo } from "../connectors/odoo/odoo-check.ts";
import { createOdooClient } from "../connectors/odoo/odoo-client.ts";
import { CrossdockError } from "../core/errors.ts";
import type { CliIo, GlobalOptions } from "./cli-io.ts";
import { json } from "./format.ts";

interface CheckOptions {
  url: string;
  db: string;
  user: string;
  keyEnv: string;
  timeout: string;
}

/** `crossdock odoo check`: what an Odoo database lacks for Crossdock, and what to do about it. */
export function registerOdooCommand(program: Command, io: CliIo, globals: () => GlobalOptions): void {
  const odoo = program.command("odoo").description("Odoo connection tools");
  odoo
    .command("check")
    .description("version, modules and the bot user's rights on an Odoo database")
    .requiredOption("--url <url>", "Odoo base URL, e.g. https://erp.example.com")
    .requiredOption("--db <name>", "database name")
    .requiredOption("--user <login>", "the bot user's login")
    .requiredOption("--key-env <name>", "environment variable holding the bot user's API key")
    .option("--timeout <ms>", "per call", "30000")
    .action(async (options: CheckOptions) => {
      const key = io.env[options.keyEnv];
      if (key === undefined || key === "") {
        throw new CrossdockError(
          "CDK_CLI_USAGE",
          `environment variable ${options.keyEnv} is not set (--key-env)`,
        );
      }
      const timeoutMs = Number(options.timeout);
      if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
        throw new CrossdockError("CDK_CLI_USAGE", `--timeout must be a positive integer of milliseconds`);
      }
      const client = createOdooClient({
        url: options.url,
        database: options.db,
        login: options.user,
        apiKey: { reveal: () => key },
        timeoutMs,
        retry: { maximumAttempts: 1 },
      });
      try {
        const report = await checkOdoo(client);
        if (globals().json) io.out(json(report));
        else {
          io.out(`Odoo ${options.url} database ${options.db} as ${options.user}`);
          for (const f of report.findings) {
            const mark = f.ok ? "ok  " : f.required ? "FAIL" : "warn";
            io.out(`  ${mark}  ${f.what.padEnd(28)} ${f.detail}`);
          }
        }
        const failed = report.findings.filter((f) => !f.ok && f.required);
        if (failed.length > 0) {
          throw new CrossdockError(
            failed.some((f) => f.what === "connect and authenticate") ? "CDK_ODOO_ACCESS" : "CDK_ODOO_CONFIG",
            `${failed.length} required check(s) failed: ${failed.map((f) => f.what).join(", ")}`,
          );
        }
        if (!globals().json) io.out("Crossdock can work with this database.");
      } finally {
        await client.close();
      }
    });
}
