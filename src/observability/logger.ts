import { type DestinationStream, type Logger, pino } from "pino";

export type { Logger } from "pino";

export interface LoggerOptions {
  level?: string;
  /** Where lines go (default: stdout). Tests pass a stream to read what was logged. */
  destination?: DestinationStream;
  /** Fixed fields on every line, e.g. `{ role: "worker" }`. */
  base?: Record<string, unknown>;
}

/**
 * Header and field names whose values never reach a log line, whatever code logs them: signatures,
 * credentials and anything that `Secret` would otherwise hide.
 */
export const REDACTED_PATHS = [
  "headers.authorization",
  "headers.cookie",
  "headers['x-api-key']",
  "headers['x-shopify-hmac-sha256']",
  "headers['x-wc-webhook-signature']",
  "headers['webhook-signature']",
  "*.password",
  "*.secret",
  "*.token",
  "*.apiKey",
];

/** The one place a pino logger is made: JSON lines, ISO times, secrets redacted. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { app: "crossdock", ...options.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ fd: 1, sync: false }),
  );
}

/** A logger that drops everything (tests, benchmarks). */
export function createSilentLogger(): Logger {
  return pino({ level: "silent" });
}
