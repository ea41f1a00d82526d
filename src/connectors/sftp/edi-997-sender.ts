/**
 * 997s back to X12 partners: for each interchange the `sftp` connector accepted from a partner whose
 * connection has our `x12` envelope and an `outbound` folder, a job (`edi.send-997`) on that connection
 * writes one 997 per functional group it carried and publishes them atomically in the partner's folder.
 *
 * Idempotent like the 940s and 850s: the interchange written for a job is stored with its control
 * numbers before it is published, so a retry publishes the same file under the same name, which the
 * publisher recognises as already there.
 */
import type { Clock } from "../../core/clock.ts";
import { CrossdockError } from "../../core/errors.ts";
import type { JobHandler, JobOutcome } from "../../delivery/job-handler.ts";
import type { JsonValue, Store } from "../../store/store.ts";
import { build997 } from "../edi-x12/x12-build-997.ts";
import { createX12ControlNumbers } from "../edi-x12/x12-control-numbers.ts";
import type { X12SetOutcome } from "../edi-x12/x12-set-runner.ts";
import { writeX12Interchange, type X12PartnerEnvelope } from "../edi-x12/x12-writer.ts";
import type { SftpClient } from "./sftp-client.ts";
import { createSftpPublisher } from "./sftp-publisher.ts";

export const SEND_997_KIND = "edi.send-997";
const SENT_997_KIND = "edi.997";

/** What the connector puts in the job: the groups of one accepted interchange and who sent it. */
export interface Send997Payload {
  readonly groups: readonly {
    readonly functionalId: string;
    readonly controlNumber: string;
    readonly outcomes: readonly X12SetOutcome[];
  }[];
  /** ISA05/ISA06 of the interchange answered: the 997 goes back to them. */
  readonly sender?: { readonly qualifier: string; readonly id: string };
}

export function createEdi997Sender(options: {
  name: string;
  store: Store;
  clock: Clock;
  client: SftpClient;
  outbound: string;
  envelope: X12PartnerEnvelope;
}): JobHandler {
  const { name, store, clock } = options;
  const publisher = createSftpPublisher({
    client: options.client,
    connection: name,
    outbound: options.outbound,
  });
  const numbers = createX12ControlNumbers(store, clock);
  return async (job, ctx): Promise<JobOutcome> => {
    if (job.kind !== SEND_997_KIND) {
      throw new CrossdockError(
        "CDK_JOB_PAYLOAD_INVALID",
        `connection ${name} takes ${SEND_997_KIND} jobs, not ${job.kind}`,
        {
          details: { kind: job.kind },
        },
      );
    }
    const payload = job.payload as unknown as Send997Payload;
    let stored = await store.records.get(SENT_997_KIND, `${name}:${ctx.idempotencyKey}`);
    if (!stored) {
      const control = await numbers.allocate(name, payload.groups.length);
      const envelope: X12PartnerEnvelope = payload.sender
        ? { ...options.envelope, receiverQualifier: payload.sender.qualifier, receiverId: payload.sender.id }
        : options.envelope;
      const body = writeX12Interchange(envelope, {
        functionalId: "FA",
        sets: payload.groups.map((g) => build997(g, g.outcomes)),
        control,
        at: new Date(clock.now()),
      });
      const file = `997-${String(control.interchange).padStart(9, "0")}.x12`;
      await store.transaction((tx) =>
        tx.putRecord(SENT_997_KIND, `${name}:${ctx.idempotencyKey}`, { file, body } as JsonValue),
      );
      stored = await store.records.get(SENT_997_KIND, `${name}:${ctx.idempotencyKey}`);
    }
    const { file, body } = (stored?.data ?? {}) as { file: string; body: string };
    const published = await publisher.publish(file, Buffer.from(body, "latin1"));
    return { result: { file, outcome: published.outcome } };
  };
}
