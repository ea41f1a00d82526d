import { resolve } from "node:path";
import type { Command } from "commander";
import { CONFORMANCE_DECODERS } from "../connectors/conformance-decoders.ts";
import { describeLocation, runConformance } from "../connectors/conformance-runner.ts";
import type { CliIo, GlobalOptions } from "./cli-io.ts";
import { json, table } from "./format.ts";

/**
 * `crossdock conformance <dir>`: every file of a folder through the decoder that claims it; per file,
 * parsed (documents and canonical records) or the located error. Exit 0 when every file parsed, 1 when
 * some file has an error (expected on a corpus with malformed samples), 2 when a decoder crashed.
 */
export function registerConformanceCommand(program: Command, io: CliIo, globals: () => GlobalOptions): void {
  program
    .command("conformance")
    .argument("<path>", "a folder (walked recursively) or one file")
    .description(
      "decode every file (X12, EDIFACT, flat files, partner JSON, Odoo recordings); report parsed or located error",
    )
    .action(async (path: string) => {
      const report = await runConformance(resolve(io.cwd, path), { decoders: CONFORMANCE_DECODERS });
      if (globals().json) io.out(json(report));
      else {
        const rows = report.results.map((r) => [
          r.file,
          r.format,
          r.outcome,
          r.documents.map((d) => `${d.type} x${d.count}`).join(", ") || "-",
          Object.entries(r.records)
            .map(([entity, n]) => `${entity} ${n}`)
            .join(", ") || "-",
          r.error
            ? `${r.error.code} at ${describeLocation(r) || "?"}: ${r.error.message.slice(0, 200)}`
            : (r.warnings ?? []).join("; ").slice(0, 200),
        ]);
        io.out(table(["file", "format", "outcome", "documents", "records", "error or notes"], rows));
        if (report.skipped.length > 0)
          io.out(`\nnot decoded (documentation, source excerpts): ${report.skipped.join(", ")}`);
        io.out(
          `\n${report.results.length} files: ${report.parsed} parsed, ${report.errors} with a located error, ${report.crashes} decoder crashes`,
        );
      }
      if (report.crashes > 0) process.exitCode = 2;
      else if (report.errors > 0) process.exitCode = 1;
    });
}
