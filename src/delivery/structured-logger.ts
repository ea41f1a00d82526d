/**
 * The few logging methods the delivery and workflow code calls, so it never depends on pino itself:
 * the app passes its pino logger (which fits this shape), tests pass `silentLogger` or a recorder.
 * Each method takes structured fields first and a message second, pino's order.
 */
export interface StructuredLogger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

const drop = (): void => {};

/** A logger that drops everything; the default when none is injected. */
export const silentLogger: StructuredLogger = Object.freeze({
  debug: drop,
  info: drop,
  warn: drop,
  error: drop,
});

/** A logger that adds `bound` to every line's fields (the line's own fields win). */
export function bindLogger(logger: StructuredLogger, bound: object): StructuredLogger {
  return {
    debug: (fields, message) => logger.debug({ ...bound, ...fields }, message),
    info: (fields, message) => logger.info({ ...bound, ...fields }, message),
    warn: (fields, message) => logger.warn({ ...bound, ...fields }, message),
    error: (fields, message) => logger.error({ ...bound, ...fields }, message),
  };
}
