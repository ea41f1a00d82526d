import { resolve } from "node:path";
import type { Command } from "commander";
import { CONFORMANCE_DECODERS } from "../connectors/conformance-decoders.ts";
import {
  type ConformanceReport,
  describeLocation,
  runConformance,
} from "../connectors/conformance-runner.ts";
import type { CliIo, GlobalOptions } from "./cli-io.ts";
import { json, table } from "./format.ts";

/**
 * `crossdock conformance <dir>`: every file of a folder through the decoder that claims it; per file,
 * parsed (documents and canonical records) or the located error. Exit 0 when every file parsed, 1 when
 * some file has an error (expected on a corpus with malformed samples), 3 when a decoder crashed (2 is
 * the CLI's usage error).
 */
export function registerConformanceCommand(program: Command, io: CliIo, globals: () => GlobalOptions): void {
  program
    .command("conformance")
    .argument("<path>", "a folder (walked recursively) or one file")
    .description(
      "decode every file (X12, EDIFACT, flat files, partner JSON, Odoo recordings); report parsed or located error",
    )
    .option("--markdown", "the result table as Markdown (docs/conformance.md is made with it)")
    .action(async (path: string, options: { markdown?: boolean }) => {
      const report = await runConformance(resolve(io.cwd, path), { decoders: CONFORMANCE_DECODERS });
      if (globals().json) io.out(json(report));
      else if (options.markdown) io.out(markdownTable(report));
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
      if (report.crashes > 0) io.setExitCode?.(3);
      else if (report.errors > 0) io.setExitCode?.(1);
    });
}

function markdownTable(report: ConformanceReport): string {
  const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const rows = report.results.map((r) => {
    const documents = r.documents.map((d) => `${d.type} ×${d.count}`).join(", ") || "-";
    const records =
      Object.entries(r.records)
        .map(([entity, n]) => `${entity} ${n}`)
        .join(", ") || "-";
    const message = r.error?.message.startsWith(r.file)
      ? r.error.message.slice(r.file.length + 2)
      : r.error?.message;
    const result = r.error
      ? `**${r.error.code}** at ${describeLocation(r)}: ${cell((message ?? "").slice(0, 160))}`
      : "parsed";
    return `| \`${r.file}\` | ${r.format} | ${cell(documents)} | ${records} | ${result} |`;
  });
  return [
    `${report.results.length} files: **${report.parsed} parsed, ${report.errors} with a located error, ${report.crashes} decoder crashes**.`,
    "",
    "| file | format | documents | records | result |",
    "|---|---|---|---|---|",
    ...rows,
    "",
    `Not decoded: ${report.skipped.map((s) => `\`${s}\``).join(", ")}.`,
  ].join("\n");
}
