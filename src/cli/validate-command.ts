import type { Command } from "commander";
import { type CliIo, configPath, type GlobalOptions, readConfig } from "./cli-io.ts";
import { json } from "./format.ts";

/** `crossdock validate`: loads the configuration exactly as `start` would and reports every problem. */
export function registerValidateCommand(program: Command, io: CliIo, globals: () => GlobalOptions): void {
  program
    .command("validate")
    .description("check crossdock.yaml (located errors: file:line:column, path, what was expected)")
    .action(async () => {
      const config = await readConfig(globals(), io);
      if (globals().json) {
        return io.out(
          json({
            valid: true,
            file: config.file,
            environment: config.environment,
            warnings: config.warnings,
          }),
        );
      }
      io.out(
        `${configPath(globals(), io)} is valid: environment ${config.environment}, store ${config.store.displayUrl}, ` +
          `${Object.keys(config.connections).length} connections, ${Object.keys(config.targets).length} targets`,
      );
      for (const w of config.warnings)
        io.out(`warning ${w.file}:${w.line}:${w.column} ${w.path}: ${w.message}`);
    });
}
