/**
 * Signals the engine throws through workflow code to end an execution early. They are internal: the
 * engine reads them from the context after `run` settles (`ExecutionContext.interrupt`), so workflow
 * code that catches one by mistake still cannot continue past it.
 */
export abstract class ExecutionInterrupt extends Error {
  /** Higher wins when two branches of one execution interrupt differently. */
  abstract readonly rank: number;
}

/** Suspend: the run waits for an event, a decision or a deadline; the execution ends without error. */
export class Suspend extends ExecutionInterrupt {
  readonly rank = 1;
  constructor() {
    super("workflow suspended");
  }
}

/** Halt: replaying only to collect compensations, the code reached work that never happened. */
export class Halt extends ExecutionInterrupt {
  readonly rank = 2;
  constructor() {
    super("workflow replay halted before unrecorded work");
  }
}

/** Retry: a step failed transiently and the execution has attempts left; the job retries it. */
export class RetryExecution extends ExecutionInterrupt {
  readonly rank = 3;
  readonly error: unknown;
  constructor(error: unknown) {
    super("workflow execution will be retried", { cause: error });
    this.error = error;
  }
}

/** Broken: the code misuses the engine (a duplicate id, a non-JSON output); a person must fix it. */
export class Broken extends ExecutionInterrupt {
  readonly rank = 4;
  readonly error: unknown;
  constructor(error: unknown) {
    super("workflow code is broken", { cause: error });
    this.error = error;
  }
}
