#!/usr/bin/env node
import { createRequire } from "node:module";
import { Command, CommanderError } from "commander";
import { isCrossdockError } from "../core/errors.ts";
import { registerApprovalsCommand } from "./approvals-command.ts";
import type { CliIo, GlobalOptions } from "./cli-io.ts";
import { registerConformanceCommand } from "./conformance-command.ts";
import { registerDemoCommand } from "./demo-command.ts";
import { registerExceptionsCommand } from "./exceptions-command.ts";
import { registerIdentitiesCommand } from "./identities-command.ts";
import { registerMappingCommand } from "./mapping-command.ts";
import { registerOdooCommand } from "./odoo-command.ts";
import { registerReplayCommand } from "./replay-command.ts";
import { registerStartCommand } from "./start-command.ts";
import { registerStatusCommand } from "./status-command.ts";
import { registerStockCommand } from "./stock-command.ts";
import { registerTargetsCommand } from "./targets-command.ts";
import { registerTraceCommand } from "./trace-command.ts";
import { registerValidateCommand } from "./validate-command.ts";
import { registerWebhooksCommand } from "./webhooks-command.ts";

/** The package's version; the same from `src/cli` (sources) and `dist/src/cli` (compiled). */
function packageVersion(): string {
  const require = createRequire(import.meta.url);
  for (const candidate of ["../../package.json", "../../../package.json"]) {
    try {
      const pkg = require(candidate) as { name?: string; version?: string };
      if (pkg.name === "crossdock" && pkg.version) return pkg.version;
    } catch {
      // not at this depth
    }
  }
  return "unknown";
}
const VERSION = packageVersion();

/**
 * Runs the `crossdock` command line with injected I/O and returns the exit code: 0 done, 1 an error
 * (printed with its catalogue code), 2 a usage error. Never calls `process.exit` itself.
 */
export async function runCli(argv: readonly string[], given: CliIo): Promise<number> {
  let exitCode = 0;
  const io: CliIo = {
    ...given,
    setExitCode: (code) => {
      exitCode = code;
    },
  };
  const program = new Command("crossdock")
    .description("Crossdock: the integration hub between Odoo and every channel, warehouse and partner")
    .version(VERSION)
    .option("-c, --config <path>", "configuration file (default: $CROSSDOCK_CONFIG or ./crossdock.yaml)")
    .option("-e, --env <name>", "environment to run as (default: $CROSSDOCK_ENV or the file's `environment`)")
    .option("--json", "machine-readable output")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  const globals = () => program.opts<GlobalOptions>();
  registerStartCommand(program, io, globals);
  registerValidateCommand(program, io, globals);
  registerStatusCommand(program, io, globals);
  registerExceptionsCommand(program, io, globals);
  registerReplayCommand(program, io, globals);
  registerTargetsCommand(program, io, globals);
  registerApprovalsCommand(program, io, globals);
  registerDemoCommand(program, io, globals);
  registerOdooCommand(program, io, globals);
  registerWebhooksCommand(program, io, globals);
  registerIdentitiesCommand(program, io, globals);
  registerMappingCommand(program, io, globals);
  registerTraceCommand(program, io, globals);
  registerConformanceCommand(program, io, globals);
  registerStockCommand(program, io, globals);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    if (isCrossdockError(error)) {
      io.err(`error ${error.code}: ${error.message}`);
      return error.code === "CDK_CLI_USAGE" ? 2 : 1;
    }
    io.err(`error CDK_INTERNAL: ${(error as Error)?.stack ?? String(error)}`);
    return 1;
  }
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
}

/** The process entry: real streams, the real environment, Ctrl-C and SIGTERM. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  process.exitCode = await runCli(argv, {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    env: process.env,
    cwd: process.cwd(),
    untilStopped: untilSignal,
  });
}

if (import.meta.main) await main();
