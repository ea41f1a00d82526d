/**
 * 997s back to X12 partners: for each interchange the `sftp` connector accepted from a partner whose
 * connection has our `x12` envelope and an `outbound` folder, a job (`edi.send-997`) on that connection
 * writes one 997 per functional group it carried and publishes them atomically in the partner's folder.
 *
 * Idempotent like the 940s and 850s (`x12-outbound.ts`): a retry publishes the same file.
 */
import type { Clock } from "../../core/clock.ts";
import { CrossdockError } from "../../core/errors.ts";
import type { JobHandler, JobOutcome } from "../../delivery/job-handler.ts";
import type { Store } from "../../store/store.ts";
import { build997 } from "../edi-x12/x12-build-997.ts";
import type { X12SetOutcome } from "../edi-x12/x12-set-runner.ts";
import type { X12PartnerEnvelope } from "../edi-x12/x12-writer.ts";
import type { SftpClient } from "./sftp-client.ts";
import { createX12Outbound } from "./x12-outbound.ts";

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
  const { name } = options;
  const outbound = createX12Outbound(options);
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
    const sent = await outbound.publishOnce(
      SENT_997_KIND,
      `${name}:${ctx.idempotencyKey}`,
      payload.groups.length,
      (control) => ({
        functionalId: "FA",
        sets: payload.groups.map((g) => build997(g, g.outcomes)),
        file: `997-${String(control.interchange).padStart(9, "0")}.x12`,
        ...(payload.sender
          ? {
              envelope: {
                ...options.envelope,
                receiverQualifier: payload.sender.qualifier,
                receiverId: payload.sender.id,
              },
            }
          : {}),
        extra: {},
        expectAck: false,
      }),
    );
    return { result: { file: sent.file } };
  };
}
