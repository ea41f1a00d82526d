/**
 * One order's trace across the hub and the systems around it, in time order: the messages that brought
 * it (and the ones refused, when the refusal names it), the events on its stream and on its Odoo order's
 * stream, each workflow step with the system it called and its outcome, the waits still open, the
 * decisions asked of people, and the exceptions. What `crossdock trace <order ref>` prints.
 *
 * The order is found by its key (`<channel>:<id>`), by its channel id alone, by its order number
 * (`#1001`) or by its Odoo order name (`S00042`). Reads only; bounded scans (the most recent 100,000
 * runs, 1,000 open inbox exceptions), so it is safe on a busy store.
 */
import { ORDER_TO_CASH } from "../flows/order-to-cash/order-to-cash.ts";
import {
  INBOX_TARGET,
  type InboxMessage,
  type Store,
  type StoredEvent,
  WORKFLOW_TARGET,
  type WorkflowRun,
} from "../store/store.ts";

export type TraceSystem = "channel" | "hub" | "odoo" | "warehouse" | "person" | string;

export interface TraceEntry {
  at: number;
  /** Who did it or was called: a connection name for messages, else the system of the step. */
  system: TraceSystem;
  kind: "message" | "event" | "run" | "step" | "wait" | "approval" | "exception";
  what: string;
  outcome: string;
}

export interface OrderTrace {
  /** The order key, when found. */
  key: string | undefined;
  run: Pick<WorkflowRun, "id" | "status" | "createdAt" | "updatedAt"> | undefined;
  /** The run's output (`outcome`, `saleOrder`, ...) once it ended. */
  output: unknown;
  entries: TraceEntry[];
}

const RUN_SCAN = 100_000;
const EXCEPTION_SCAN = 1_000;

/** The system each order-to-cash step calls. */
function systemOfStep(stepId: string): TraceSystem {
  if (stepId === "plan" || /^shipment-\d+$/.test(stepId)) return "hub";
  if (/^(release-to-warehouse|cancel-at-warehouse)$/.test(stepId)) return "warehouse";
  if (/^push-tracking-\d+$/.test(stepId)) return "channel";
  if (stepId === "cancellation-review") return "person";
  return "odoo";
}

/** Odoo's change feeds write on `order:<Odoo name>`; the hub and connectors on `order:<channel>:<id>`. */
function systemOfEvent(event: StoredEvent): TraceSystem {
  if (event.stream.split(":").length === 2) return "odoo";
  if (event.type.startsWith("shipment.")) return "warehouse";
  return event.type === "order.received" ? "hub" : "channel";
}

async function findRun(store: Store, ref: string): Promise<WorkflowRun | undefined> {
  if (ref.includes(":")) {
    const direct = await store.workflows.getByKey(ORDER_TO_CASH, ref);
    if (direct) return direct;
  }
  const runs = await store.workflows.list({ type: ORDER_TO_CASH, limit: RUN_SCAN });
  return runs.find((run) => {
    const order = (run.input as { order?: { channelOrderId?: string; orderNumber?: string } } | null)?.order;
    const output = run.output as { saleOrder?: string } | null | undefined;
    return (
      run.key.endsWith(`:${ref}`) ||
      order?.channelOrderId === ref ||
      order?.orderNumber === ref ||
      output?.saleOrder === ref
    );
  });
}

/** Inbox exceptions whose message names the order (a malformed order never gets a run). */
async function refusedMessages(store: Store, ids: readonly string[]): Promise<TraceEntry[]> {
  const exceptions = await store.exceptions.list({
    status: "open",
    target: INBOX_TARGET,
    limit: EXCEPTION_SCAN,
  });
  const entries: TraceEntry[] = [];
  const wanted = ids.map(
    (id) => new RegExp(`(?<![0-9A-Za-z])${id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![0-9A-Za-z])`),
  );
  for (const exception of exceptions) {
    const messageId = (exception.payload as { messageId?: string } | null)?.messageId;
    const message = messageId ? await store.inbox.get(messageId) : undefined;
    if (!message) continue;
    const body = Buffer.from(message.body).subarray(0, 1_048_576).toString("utf8");
    if (!wanted.some((pattern) => pattern.test(body))) continue;
    entries.push(messageEntry(message, "accepted"));
    entries.push({
      at: exception.createdAt,
      system: "hub",
      kind: "exception",
      what: `${exception.error.code} (exception ${exception.id})`,
      outcome: exception.error.message.slice(0, 300),
    });
  }
  return entries;
}

function messageEntry(message: InboxMessage, outcome: string): TraceEntry {
  return {
    at: message.receivedAt,
    system: message.connection,
    kind: "message",
    what: `message ${message.id} (${message.size} bytes)`,
    outcome,
  };
}

export async function traceOrder(store: Store, ref: string): Promise<OrderTrace> {
  const run = await findRun(store, ref);
  const key = run?.key ?? (ref.includes(":") ? ref : undefined);
  const entries: TraceEntry[] = [];
  const events = key ? await store.events.readStream(`order:${key}`, { limit: 10_000 }) : [];
  const output = run?.output as { saleOrder?: string } | null | undefined;
  if (output?.saleOrder)
    events.push(...(await store.events.readStream(`order:${output.saleOrder}`, { limit: 10_000 })));
  const seenMessages = new Set<string>();
  for (const event of events) {
    if (event.causationId && !seenMessages.has(event.causationId)) {
      seenMessages.add(event.causationId);
      const message = await store.inbox.get(event.causationId);
      if (message) entries.push(messageEntry(message, "accepted"));
    }
    entries.push({
      at: event.createdAt,
      system: systemOfEvent(event),
      kind: "event",
      what: event.type,
      outcome: event.stream,
    });
  }
  if (run) {
    entries.push({
      at: run.createdAt,
      system: "hub",
      kind: "run",
      what: `${run.type} run ${run.id} started`,
      outcome: run.status,
    });
    for (const step of await store.workflows.steps(run.id)) {
      entries.push({
        at: step.finishedAt,
        system: systemOfStep(step.stepId),
        kind: "step",
        what: step.stepId,
        outcome:
          step.status === "completed"
            ? `done${summarise(step.output)}`
            : `${step.status}: ${step.error?.code ?? ""} ${step.error?.message ?? ""}`.trim(),
      });
    }
    for (let n = 1; n <= 20; n++) {
      const wait = await store.workflows.getWait(run.id, `shipment-${n}`);
      if (!wait) break;
      if (wait.status !== "resolved") {
        entries.push({
          at: run.updatedAt,
          system: "hub",
          kind: "wait",
          what: `shipment-${n}: waiting for ${wait.eventType}`,
          outcome:
            wait.status === "open"
              ? `open${wait.deadline ? ` until ${new Date(wait.deadline).toISOString()}` : ""}`
              : wait.status,
        });
      }
    }
    for (const approval of await store.workflows.listApprovals({ runId: run.id })) {
      entries.push({
        at: approval.decidedAt ?? approval.createdAt,
        system: "person",
        kind: "approval",
        what: `${approval.stepId}: ${approval.title}`,
        outcome:
          approval.status === "pending"
            ? "pending (crossdock approvals)"
            : `${approval.status} by ${approval.decidedBy ?? "?"}`,
      });
    }
    const stuck = await store.exceptions.list({
      status: "open",
      target: WORKFLOW_TARGET,
      limit: EXCEPTION_SCAN,
    });
    for (const exception of stuck.filter((e) => e.orderingKey === run.id)) {
      entries.push({
        at: exception.createdAt,
        system: "hub",
        kind: "exception",
        what: `${exception.error.code} (exception ${exception.id})`,
        outcome: exception.error.message.slice(0, 300),
      });
    }
    if (run.status === "completed" || run.status === "compensated" || run.status === "failed") {
      entries.push({
        at: run.updatedAt,
        system: "hub",
        kind: "run",
        what: `run ${run.status}`,
        outcome: summarise(run.output).replace(/^: /, "") || (run.error?.message ?? ""),
      });
    }
  }
  const ids = [ref.split(":").at(-1) as string];
  if (entries.length === 0 || !run) entries.push(...(await refusedMessages(store, ids)));
  entries.sort((a, b) => a.at - b.at);
  return {
    key,
    run: run
      ? { id: run.id, status: run.status, createdAt: run.createdAt, updatedAt: run.updatedAt }
      : undefined,
    output: run?.output,
    entries,
  };
}

/** A step's output in one short line (ids and references, not whole records). */
function summarise(output: unknown): string {
  if (output === undefined || output === null || output === true) return "";
  const event = output as Partial<StoredEvent>;
  if (typeof event.type === "string" && typeof event.stream === "string") return `: ${event.type}`;
  const text = typeof output === "object" ? JSON.stringify(output) : String(output);
  return `: ${text.length > 120 ? `${text.slice(0, 117)}...` : text}`;
}
