/**
 * Durable workflows written as plain async code. A workflow is a `run(ctx, input)` function whose side
 * effects all go through `ctx`: steps, event waits and approvals. The engine runs it from the start on
 * every execution and answers each `ctx` call from the store when it already happened, so a workflow
 * survives crashes, restarts and long waits without re-doing finished work.
 *
 * Rules for workflow code (the price of replay):
 * - Give every step, wait and approval a stable id, unique in the run; ids are stored, never rename one
 *   of a released workflow. Export them as constants.
 * - Do every effect inside a step; code between steps runs again on each execution.
 * - Take the same path for the same step results: branch on step outputs, events and decisions, not on
 *   the wall clock or random numbers (wrap those in a step so they are recorded).
 * - Step outputs and compensation inputs must be JSON values (plain objects, arrays, strings, finite
 *   numbers, booleans, null): they are stored, and on replay the stored copy is returned. Object
 *   properties that are `undefined` are dropped; anything else (a `Date`, a `Map`, a class instance,
 *   `NaN`) is refused with `CDK_WORKFLOW_STEP_FAILED`, class config.
 * - Await every `ctx` call, and catch only errors you recognise (`CDK_WORKFLOW_STEP_FAILED`,
 *   `CDK_WORKFLOW_WAIT_TIMEOUT`): the engine suspends a run by throwing through your code.
 * - Call `ctx` from the workflow body only, never from inside a step's function: a step is one
 *   recorded unit, it cannot wait or contain steps.
 *
 * @example
 * export const ORDER_TO_CASH = "order-to-cash";
 * export const CREATE_SALE_ORDER = "create-sale-order";
 * export const orderToCash = defineWorkflow({
 *   type: ORDER_TO_CASH,
 *   async run(ctx, input: { ref: string }) {
 *     const so = await ctx.step(CREATE_SALE_ORDER, async (step) => {
 *       const id = await odoo.createSaleOrder(input, step.idempotencyKey);
 *       return new StepResult({ id }, { id });
 *     }, { compensate: async ({ id }) => odoo.cancelSaleOrder(id) });
 *     const shipped = await ctx.waitForEvent("shipment", {
 *       type: "shipment.dispatched", stream: `order:${input.ref}`, timeoutMs: 86_400_000,
 *     });
 *     return { saleOrderId: so.id, shipmentEvent: shipped.id };
 *   },
 * });
 */
import type { StructuredLogger } from "../delivery/structured-logger.ts";
import type { JsonValue, StoredEvent } from "../store/store.ts";

/**
 * What a step returns: its `output` (returned to the workflow, and from the store on replay) and,
 * separately, the smallest input its compensation needs (an id to cancel, not the whole record).
 */
export interface StepOutcome<O, C = undefined> {
  output: O;
  compensationInput?: C;
}

/** `new StepResult(output, compensationInput)`: Medusa's `StepResponse`, as a class for readability. */
export class StepResult<O, C = undefined> implements StepOutcome<O, C> {
  readonly output: O;
  readonly compensationInput: C | undefined;

  constructor(output: O, compensationInput?: C) {
    this.output = output;
    this.compensationInput = compensationInput;
  }
}

/** Given to a step's function. */
export interface StepContext {
  /** `<workflow type>:<run key>:<step id>`: stable across retries; send it to the system you call. */
  readonly idempotencyKey: string;
  /** Aborted on the execution's timeout, lease loss or a worker stop. */
  readonly signal: AbortSignal;
  /** The execution's attempt number (1-based); a retried execution re-runs the unfinished step. */
  readonly attempt: number;
}

/** Given to a compensation. */
export interface CompensationContext {
  readonly stepId: string;
  /** `<workflow type>:<run key>:<step id>:compensate`. */
  readonly idempotencyKey: string;
  readonly signal: AbortSignal;
  readonly logger: StructuredLogger;
}

export interface StepOptions<C> {
  /**
   * Undoes the step when the workflow fails later. Runs at most once to success per step, in reverse
   * completion order, with the stored compensation input (`undefined` if the step gave none). It must be
   * idempotent: an interrupted compensation runs again. Throw a transient error to have it retried.
   */
  compensate?: (input: C, ctx: CompensationContext) => Promise<void>;
}

export interface EventWaitOptions {
  /**
   * Event type to wait for, e.g. `shipment.dispatched`; or several, and the first of any of them that
   * comes answers the wait (a shipment or a cancellation, whichever is first). With several types the
   * answer is recorded on the first execution that sees it, so every replay takes the same branch even
   * if another of the types arrives later.
   */
  type: string | readonly string[];
  /** Stream it must be appended to, e.g. `order:SO123`. */
  stream: string;
  /** Give up after this long (from when the wait is first reached): `CDK_WORKFLOW_WAIT_TIMEOUT`. */
  timeoutMs?: number;
  /**
   * Which events count: `reached` (default), only those appended after the wait is first reached;
   * `run-start`, any appended since the run started, so an answer that came back before the run got to
   * its wait (a fast partner) is not missed. Use `run-start` for facts that happen once per run.
   * `{ after: event }`: any appended after that event (an earlier wait's answer), so a run can take
   * successive events of one stream one by one (partial shipments) without missing or repeating one.
   * `stream-start`: any event of the stream, however old: for a stream that belongs to the run alone
   * (an order's), where a fact (a cancellation) may even have come before the run was started.
   */
  since?: "reached" | "run-start" | "stream-start" | { after: StoredEvent };
}

export interface ApprovalOptions {
  /** Shown to the person deciding. */
  title: string;
  details?: JsonValue;
  /** No decision within this long: `CDK_WORKFLOW_WAIT_TIMEOUT`. */
  timeoutMs?: number;
}

export interface ApprovalDecision {
  approved: boolean;
  by: string;
  comment: string | undefined;
}

export interface WorkflowContext {
  readonly runId: string;
  readonly type: string;
  /** The run's business key, e.g. the order reference. */
  readonly key: string;
  /** Bound to the run (`runId`, `workflow`, `key`). */
  readonly logger: StructuredLogger;
  /**
   * The clock's time. Not recorded: it differs between executions, so branch on it only inside a step.
   */
  now(): number;
  /**
   * Runs `fn` once per run: if the step already completed, returns its stored output without calling
   * `fn`. A step that fails for good (a business error, or a transient one after the execution's last
   * attempt) throws `CDK_WORKFLOW_STEP_FAILED` with the cause in `details.error`; a transient failure
   * before that retries the whole execution. A config-class error (bad credentials) leaves the run as
   * it is and makes the execution an exception record; retrying that record after the fix resumes here.
   * Reusing an id in one run throws `CDK_WORKFLOW_DUPLICATE_STEP`.
   */
  step<O, C = undefined>(
    id: string,
    fn: (step: StepContext) => Promise<StepOutcome<O, C> | undefined>,
    options?: StepOptions<C>,
  ): Promise<O>;
  /**
   * Returns the first event of `type` appended to `stream` after the wait is first reached. Suspends the
   * run until then (the execution ends; a new one starts when the event arrives). Past the deadline,
   * throws `CDK_WORKFLOW_WAIT_TIMEOUT`, which the workflow may catch to take another path.
   */
  waitForEvent(waitId: string, options: EventWaitOptions): Promise<StoredEvent>;
  /**
   * Asks a person (console, CLI) to approve; suspends until they decide. A rejection is a normal
   * answer (`approved: false`); no decision by the deadline throws `CDK_WORKFLOW_WAIT_TIMEOUT`.
   */
  waitForApproval(stepId: string, options: ApprovalOptions): Promise<ApprovalDecision>;
}

export interface WorkflowDefinition<I = unknown, O = unknown> {
  /** Stable type name, stored with each run. */
  readonly type: string;
  /** The workflow. Its resolved value (JSON) becomes the run's output. */
  run(ctx: WorkflowContext, input: I): Promise<O>;
}

/** Declares a workflow; the identity, typed, with the type name checked. */
export function defineWorkflow<I, O>(definition: WorkflowDefinition<I, O>): WorkflowDefinition<I, O> {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(definition.type)) {
    throw new RangeError(
      `workflow type "${definition.type}" must be lowercase letters, digits, '.', '-', '_'`,
    );
  }
  return Object.freeze({ ...definition });
}
