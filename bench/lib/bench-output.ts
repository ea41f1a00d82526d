import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** `bench/out/`, which git ignores. */
export const OUT_DIR = join(dirname(dirname(fileURLToPath(import.meta.url))), "out");

/** Writes `data` as `bench/out/<name>-<timestamp>.json` and returns the path. */
export function writeResultFile(name: string, data: unknown, at = new Date()): string {
  mkdirSync(OUT_DIR, { recursive: true });
  const stamp = at.toISOString().replace(/[:.]/g, "-");
  const path = join(OUT_DIR, `${name}-${stamp}.json`);
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
  return path;
}

/** Sleeps on a real timer; benchmarks pace real work, they do not test business time. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
