/** The built-in layouts by name, for connections that name one (`layout: bots-desadv96`). */
import { BUILTIN_CSV_LAYOUTS } from "./builtin-csv-layouts.ts";
import { BUILTIN_FIXED_LAYOUTS } from "./builtin-fixed-layouts.ts";
import type { FlatFileLayout } from "./flat-file-layout.ts";

const ALL = [...BUILTIN_FIXED_LAYOUTS, ...BUILTIN_CSV_LAYOUTS];

export function builtinLayout(name: string): FlatFileLayout | undefined {
  return ALL.find((b) => b.name === name)?.layout;
}

export function builtinLayoutNames(): string[] {
  return ALL.map((b) => b.name);
}
