import { resolve } from "node:path";
import type { CrossdockConfig } from "../app/config-schema.ts";
import { loadConfig } from "../app/load-config.ts";
import { openStore } from "../app/open-store.ts";
import { systemClock } from "../core/clock.ts";
import { createIdGenerator } from "../core/ids.ts";
import type { Store } from "../store/store.ts";

/**
 * What a command may touch of the outside world, injected so that tests run the CLI in-process and read
 * what it printed. `env` is the only copy of the process environment the CLI sees.
 */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Resolves when the user asks to stop (Ctrl-C); `start` and `demo` wait on it. */
  untilStopped?: () => Promise<void>;
  /** Sets the exit code of a command that finished but found problems (set by `runCli`). */
  setExitCode?: (code: number) => void;
}

export interface GlobalOptions {
  config?: string;
  env?: string;
  json?: boolean;
}

export function configPath(options: GlobalOptions, io: CliIo): string {
  return resolve(io.cwd, options.config ?? io.env.CROSSDOCK_CONFIG ?? "crossdock.yaml");
}

export async function readConfig(options: GlobalOptions, io: CliIo): Promise<CrossdockConfig> {
  const environment = options.env ?? io.env.CROSSDOCK_ENV;
  return loadConfig({ path: configPath(options, io), env: io.env, ...(environment ? { environment } : {}) });
}

/** Opens the configured store for a short command, runs `fn`, and always closes it. */
export async function withStore<T>(
  options: GlobalOptions,
  io: CliIo,
  fn: (store: Store) => Promise<T>,
): Promise<T> {
  const config = await readConfig(options, io);
  const store = await openStore(
    config,
    { clock: systemClock, ids: createIdGenerator(systemClock) },
    { shortLived: true },
  );
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Who did it, for the audit fields of retry and discard: `--by`, else the OS user. */
export function actor(by: string | undefined, io: CliIo): string {
  return by ?? `cli:${io.env.USER ?? io.env.LOGNAME ?? "unknown"}`;
}
