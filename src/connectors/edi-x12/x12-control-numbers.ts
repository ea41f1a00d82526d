/**
 * X12 control numbers and acknowledgement deadlines, per trading partner, kept in the store's records
 * so they survive restarts and never repeat.
 *
 * - `allocate(partner, sets)` hands out the next ISA13, GS06 and one ST02 per set, in one versioned
 *   write (a concurrent allocation retries on `CDK_STORE_CONFLICT`). Numbers start at 1; ISA13 and
 *   GS06 wrap after 999,999,999, ST02 after 9,999.
 * - `expectAck(partner, sent)` records an interchange as sent and expecting a 997 for its group by a
 *   deadline (default 24 hours after sending). Call it in the same transaction as the outbound
 *   delivery's completion when there is one (it takes an optional `StoreTx`).
 * - `acknowledge(partner, ack)` marks the group acknowledged by a received 997 (`accepted`,
 *   `partially_accepted` or `rejected` from AK9), or says it knows no such group.
 * - `overdue(partner?)` lists what is still waiting past its deadline, each with a
 *   `CDK_EDI_ACK_OVERDUE` error to raise or store.
 *
 * Record kinds: `x12-control` (key: partner) and `x12-ack` (key: `partner/GS06` zero-padded).
 */
import type { Clock } from "../../core/clock.ts";
import { CrossdockError } from "../../core/errors.ts";
import { retryOnConflict } from "../../store/record-port.ts";
import type { JsonValue, Store, StoreTx } from "../../store/store.ts";
import type { X12FunctionalAck } from "./x12-997-ack.ts";
import type { X12ControlSet } from "./x12-writer.ts";

const COUNTER_KIND = "x12-control";
const ACK_KIND = "x12-ack";
const WRAP = 999_999_999;
const ST_WRAP = 9_999;

/** What was sent in one interchange, as far as its acknowledgement is concerned. */
export interface X12SentInterchange {
  readonly interchange: number;
  readonly group: number;
  readonly functionalId: string;
  readonly sets: readonly { readonly type: string; readonly controlNumber: number }[];
  /**
   * `edifact`: an EDIFACT interchange tracked the same way (interchange and group = its UNB05, a
   * number; answered by a CONTRL turned into the same acknowledgement shape). Default X12.
   */
  readonly syntax?: "x12" | "edifact";
}

export type X12AckStatus = "pending" | "accepted" | "partially_accepted" | "rejected";

export interface X12AckRecord extends X12SentInterchange {
  readonly partner: string;
  readonly status: X12AckStatus;
  readonly sentAt: number;
  readonly deadline: number;
  readonly acknowledgedAt?: number;
  /** AK5 per set from the 997, by ST02. */
  readonly setStatus?: Readonly<Record<string, string>>;
}

export type X12AcknowledgeResult =
  | { readonly kind: "acknowledged"; readonly record: X12AckRecord }
  | { readonly kind: "unknown-group"; readonly partner: string; readonly groupControlNumber: string };

export interface X12ControlNumbersOptions {
  /** How long a partner has to send its 997. Default 24 hours. */
  readonly ackDeadlineMs?: number;
}

const ackKey = (partner: string, group: number) => `${partner}/${String(group).padStart(9, "0")}`;

/** Creates the control number and acknowledgement tracker over a store. */
export function createX12ControlNumbers(store: Store, clock: Clock, options: X12ControlNumbersOptions = {}) {
  const deadlineMs = options.ackDeadlineMs ?? 24 * 60 * 60 * 1000;

  function allocate(partner: string, sets: number): Promise<X12ControlSet> {
    return retryOnConflict(() =>
      store.transaction(async (tx) => {
        const current = await tx.getRecord(COUNTER_KIND, partner);
        const last = (current?.data ?? { interchange: 0, group: 0, set: 0 }) as {
          interchange: number;
          group: number;
          set: number;
        };
        const interchange = (last.interchange % WRAP) + 1;
        const group = (last.group % WRAP) + 1;
        const numbers: number[] = [];
        let set = last.set;
        for (let i = 0; i < sets; i++) {
          set = (set % ST_WRAP) + 1;
          numbers.push(set);
        }
        await tx.putRecord(
          COUNTER_KIND,
          partner,
          { interchange, group, set },
          { expectedVersion: current?.version ?? 0 },
        );
        return { interchange, group, sets: numbers };
      }),
    );
  }

  async function expectAck(partner: string, sent: X12SentInterchange, tx?: StoreTx): Promise<X12AckRecord> {
    const now = clock.now();
    const record: X12AckRecord = {
      partner,
      ...sent,
      status: "pending",
      sentAt: now,
      deadline: now + deadlineMs,
    };
    const write = (t: StoreTx) =>
      t.putRecord(ACK_KIND, ackKey(partner, sent.group), record as unknown as JsonValue);
    if (tx !== undefined) await write(tx);
    else await store.transaction(write);
    return record;
  }

  /** Marks the group a 997 answers; inside `tx` when given (a consumer's transaction). */
  async function acknowledge(
    partner: string,
    ack: X12FunctionalAck,
    inTx?: StoreTx,
  ): Promise<X12AcknowledgeResult> {
    const group = Number.parseInt(ack.groupControlNumber, 10);
    const run = <T>(work: (tx: StoreTx) => Promise<T>) => (inTx ? work(inTx) : store.transaction(work));
    return run(async (tx) => {
      const found = Number.isSafeInteger(group)
        ? await tx.getRecord(ACK_KIND, ackKey(partner, group))
        : undefined;
      if (found === undefined)
        return { kind: "unknown-group", partner, groupControlNumber: ack.groupControlNumber } as const;
      const status: X12AckStatus =
        ack.status === "A" || ack.status === "E"
          ? "accepted"
          : ack.status === "P"
            ? "partially_accepted"
            : "rejected";
      const setStatus = Object.fromEntries(ack.sets.map((s) => [s.controlNumber, s.status]));
      const record: X12AckRecord = {
        ...(found.data as unknown as X12AckRecord),
        status,
        acknowledgedAt: clock.now(),
        setStatus,
      };
      await tx.putRecord(ACK_KIND, found.key, record as unknown as JsonValue, {
        expectedVersion: found.version,
      });
      return { kind: "acknowledged", record } as const;
    });
  }

  async function overdue(partner?: string): Promise<{ record: X12AckRecord; error: CrossdockError }[]> {
    const now = clock.now();
    const late: { record: X12AckRecord; error: CrossdockError }[] = [];
    let afterKey: string | undefined;
    for (;;) {
      const page = await store.records.list(ACK_KIND, {
        ...(partner ? { prefix: `${partner}/` } : {}),
        ...(afterKey ? { afterKey } : {}),
        limit: 1_000,
      });
      for (const stored of page) {
        const record = stored.data as unknown as X12AckRecord;
        if (record.status !== "pending" || record.deadline > now) continue;
        const error = new CrossdockError(
          "CDK_EDI_ACK_OVERDUE",
          record.syntax === "edifact"
            ? `${record.partner} has not acknowledged interchange ${record.interchange} (${record.functionalId}) sent ${new Date(record.sentAt).toISOString()}; the CONTRL was due by ${new Date(record.deadline).toISOString()}`
            : `${record.partner} has not acknowledged group ${record.group} (interchange ${String(record.interchange).padStart(9, "0")}, ${record.sets.length} ${record.functionalId} set(s)) sent ${new Date(record.sentAt).toISOString()}; the 997 was due by ${new Date(record.deadline).toISOString()}`,
          {
            details: {
              partner: record.partner,
              interchange: record.interchange,
              group: record.group,
              deadline: record.deadline,
            },
          },
        );
        late.push({ record, error });
      }
      if (page.length < 1_000) return late;
      afterKey = page.at(-1)!.key;
    }
  }

  return { allocate, expectAck, acknowledge, overdue };
}

export type X12ControlNumbers = ReturnType<typeof createX12ControlNumbers>;
