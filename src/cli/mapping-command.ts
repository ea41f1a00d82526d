import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import { systemClock } from "../core/clock.ts";
import { CrossdockError } from "../core/errors.ts";
import { decodeJsonDocument } from "../mapping/decode-json.ts";
import type { JsonChange } from "../mapping/json-diff.ts";
import { type Mapping, mappingId } from "../mapping/mapping.ts";
import { createMappingCatalog, loadMappingFile } from "../mapping/mapping-catalog.ts";
import { diffMappingsOverInbox, type MappingDiffReport, type SideFailure } from "../mapping/mapping-diff.ts";
import { validateCanonical } from "../mapping/model-validator.ts";
import { runMapping } from "../mapping/run-mapping.ts";
import { type CliIo, configPath, type GlobalOptions, withStore } from "./cli-io.ts";
import { iso, json, table } from "./format.ts";

/** Largest fixture read, like the inbox's default body limit. */
const MAX_FIXTURE_BYTES = 5 * 1024 * 1024;
/** Lines of pretty JSON printed per document before the rest is summarised. */
const MAX_PRINTED_LINES = 400;

/** `mappings/` beside the configuration file; the file itself need not exist for `test` and `ls`. */
function catalogFor(options: GlobalOptions, io: CliIo) {
  return createMappingCatalog({
    dir: join(dirname(configPath(options, io)), "mappings"),
    clock: systemClock,
  });
}

async function resolveMapping(ref: string, options: GlobalOptions, io: CliIo): Promise<Mapping> {
  if (ref.endsWith(".jsonata")) return loadMappingFile(resolve(io.cwd, ref), { clock: systemClock });
  return catalogFor(options, io).resolve(ref);
}

function pretty(value: unknown): string {
  const lines = json(value).split("\n");
  if (lines.length <= MAX_PRINTED_LINES) return lines.join("\n");
  return [
    ...lines.slice(0, MAX_PRINTED_LINES),
    `... (${lines.length - MAX_PRINTED_LINES} more lines; use --json)`,
  ].join("\n");
}

function describeMapping(m: Mapping): string {
  return `${mappingId(m)} (${m.origin}; ${m.source.connectionType} ${m.source.documentType} -> ${m.target})`;
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!/^[0-9]{1,5}$/.test(value) || n < 1 || n > 10_000) {
    throw new CrossdockError(
      "CDK_CLI_USAGE",
      `--limit must be an integer from 1 to 10000 (got "${value.slice(0, 20)}")`,
    );
  }
  return n;
}

const short = (v: unknown) => {
  const text = JSON.stringify(v) ?? "undefined";
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
};

function changeLine(c: JsonChange): string {
  if (c.kind === "added") return `  + ${c.path || "/"}: ${short(c.after)}`;
  if (c.kind === "removed") return `  - ${c.path || "/"}: ${short(c.before)}`;
  return `  ~ ${c.path || "/"}: ${short(c.before)} -> ${short(c.after)}`;
}

function failureLines(side: string, f: SideFailure | undefined): string[] {
  if (!f) return [];
  return [
    `  ${side}: ${f.code}: ${f.message}`,
    ...f.problems.map((p) => `    record ${p.record} ${p.path || "/"}: ${p.message}`),
  ];
}

function printDiff(report: MappingDiffReport, io: CliIo): void {
  io.out(
    `diff ${report.before} -> ${report.after} over ${report.messages.length} messages of connection ${report.connection}`,
  );
  for (const m of report.messages) {
    io.out(`message ${m.messageId} (key ${m.dedupeKey}, received ${iso(m.receivedAt)}): ${m.status}`);
    for (const change of m.changes) io.out(changeLine(change));
    for (const line of [...failureLines("before", m.before), ...failureLines("after", m.after)]) io.out(line);
  }
  const s = report.summary;
  io.out(`summary: ${s.same} same, ${s.changed} changed, ${s.failed} failed, ${s.skipped} skipped`);
}

/**
 * `crossdock mapping ls|test|diff`: list the mappings found, run one on a fixture file (input, output
 * and validation; exit 1 when it fails), and compare two versions over recorded inbox messages before
 * switching a connection to the new one. `test` and `ls` need no store and no configuration file;
 * user mappings are read from `mappings/` beside where the configuration is looked for.
 */
export function registerMappingCommand(program: Command, io: CliIo, globals: () => GlobalOptions): void {
  const mapping = program.command("mapping").description("list, test and compare mappings");

  mapping
    .command("ls")
    .description("list built-in mappings and mapping files")
    .action(async () => {
      const listed = await catalogFor(globals(), io).list();
      if (globals().json) return io.out(json(listed));
      io.out(
        table(
          ["mapping", "kind", "origin"],
          listed.map((m) => [mappingId(m), m.kind, m.origin]),
        ),
      );
    });

  mapping
    .command("test <mapping> <fixture>")
    .description("map a fixture file (JSON) and print input, output and validation; exit 1 if it fails")
    .option(
      "--connection <name>",
      "connection the fixture arrived on (the channel); default: the source type",
    )
    .action(async (ref: string, fixture: string, options: { connection?: string }) => {
      const m = await resolveMapping(ref, globals(), io);
      const file = resolve(io.cwd, fixture);
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch (cause) {
        throw new CrossdockError(
          "CDK_CLI_USAGE",
          `cannot read fixture ${file}: ${(cause as Error).message}`,
          { cause },
        );
      }
      if (bytes.length > MAX_FIXTURE_BYTES) {
        throw new CrossdockError(
          "CDK_CLI_USAGE",
          `fixture ${file} has ${bytes.length} bytes; the limit is ${MAX_FIXTURE_BYTES}`,
        );
      }
      const decoded = decodeJsonDocument(bytes, file);
      if (!decoded.ok) throw decoded.error;
      const connection = options.connection ?? m.source.connectionType;
      const run = await runMapping(m, decoded.document, { connection }, validateCanonical);
      if (globals().json) {
        io.out(
          json({
            mapping: describeMapping(m),
            fixture: file,
            input: decoded.document,
            ok: run.ok,
            records: run.records,
            ...(run.ok ? { events: run.events } : { error: run.error.toJSON(), problems: run.problems }),
          }),
        );
      } else {
        io.out(`mapping  ${describeMapping(m)}\nfixture  ${file}\n\ninput:\n${pretty(decoded.document)}\n`);
        io.out(`output: ${run.records.length} record(s)`);
        for (const record of run.records) io.out(`${record.entity} ${record.key}\n${pretty(record.value)}`);
        if (run.ok) {
          for (const event of run.events) io.out(`event ${event.type} on ${event.stream}`);
          io.out("\nvalidation: ok");
        } else if (run.problems.length > 0) {
          io.out(`\nvalidation: ${run.problems.length} problem(s)`);
          for (const p of run.problems) io.out(`  record ${p.record} ${p.path || "/"}: ${p.message}`);
        } else {
          io.out("\nvalidation: not reached, the mapping failed");
        }
      }
      if (!run.ok) throw run.error;
    });

  mapping
    .command("diff <old> <new>")
    .description(
      "replay recorded inbox messages through two mapping versions and show how the records differ",
    )
    .requiredOption("--messages <connection>", "the connection whose recorded messages are replayed")
    .option("--limit <n>", "messages to replay, oldest first (default 100, at most 10000)", parseLimit)
    .action(async (oldRef: string, newRef: string, options: { messages: string; limit?: number }) => {
      const before = await resolveMapping(oldRef, globals(), io);
      const after = await resolveMapping(newRef, globals(), io);
      const report = await withStore(globals(), io, (store) =>
        diffMappingsOverInbox({
          inbox: { list: (filter) => store.inbox.list(filter) },
          connection: options.messages,
          before,
          after,
          validate: validateCanonical,
          ...(options.limit === undefined ? {} : { limit: options.limit }),
        }),
      );
      if (globals().json) return io.out(json(report));
      printDiff(report, io);
    });
}
