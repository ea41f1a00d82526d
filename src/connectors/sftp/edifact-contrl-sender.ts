/**
 * CONTRLs back to EDIFACT partners: for each interchange the `sftp` connector accepted from a partner
 * whose connection has our `edifact` envelope and an `outbound` folder, and whose UNB09 asks for an
 * acknowledgement, a job (`edifact.send-contrl`) on that connection writes a CONTRL accepting it
 * (`UCI ... 7`, one `UCM ... 7` per message, `edifact-contrl-writer.ts`) and publishes it in the partner's
 * folder, addressed to the interchange's sender, UNB05 from the connection's stored counter.
 *
 * Idempotent like the 997s (`edifact-outbound.ts`): a retry publishes the same file. A file the hub
 * refuses gets no CONTRL (it is an exception for a person, who replays or tells the partner), as an
 * X12 file refused whole gets no 997.
 */
import type { Clock } from "../../core/clock.ts";
import { CrossdockError } from "../../core/errors.ts";
import type { JobHandler, JobOutcome } from "../../delivery/job-handler.ts";
import type { Store } from "../../store/store.ts";
import { contrlDraft } from "../edifact/edifact-contrl-writer.ts";
import type { EdifactInterchange } from "../edifact/edifact-reader.ts";
import type { EdifactEnvelopeConfig } from "../edifact/edifact-writer.ts";
import { createEdifactOutbound } from "./edifact-outbound.ts";
import type { SftpClient } from "./sftp-client.ts";

export const SEND_CONTRL_KIND = "edifact.send-contrl";
const SENT_CONTRL_KIND = "edifact.contrl";

/** What the connector puts in the job: the interchange answered, as far as a CONTRL names it. */
export interface SendContrlPayload {
  readonly controlRef: string;
  readonly sender: { readonly id: string; readonly qualifier?: string };
  readonly recipient: { readonly id: string; readonly qualifier?: string };
  readonly messages: readonly {
    readonly reference: string;
    readonly type: string;
    readonly version: string;
    readonly release: string;
    readonly agency: string;
  }[];
}

/** The CONTRL owed for an accepted interchange, or undefined when its sender did not ask for one. */
export function contrlOwed(interchange: EdifactInterchange): SendContrlPayload | undefined {
  const messages = interchange.messages.filter((m) => m.type !== "CONTRL");
  if (!interchange.ackRequested || messages.length === 0) return undefined;
  return {
    controlRef: interchange.controlRef,
    sender: interchange.sender,
    recipient: interchange.recipient,
    messages: messages.map((m) => ({
      reference: m.reference,
      type: m.type,
      version: m.version,
      release: m.release,
      agency: m.agency,
    })),
  };
}

export function createEdifactContrlSender(options: {
  name: string;
  store: Store;
  clock: Clock;
  client: SftpClient;
  outbound: string;
  envelope: EdifactEnvelopeConfig;
}): JobHandler {
  const { name, envelope } = options;
  const outbound = createEdifactOutbound(options);
  return async (job, ctx): Promise<JobOutcome> => {
    if (job.kind !== SEND_CONTRL_KIND) {
      throw new CrossdockError(
        "CDK_JOB_PAYLOAD_INVALID",
        `connection ${name} takes ${SEND_CONTRL_KIND} jobs, not ${job.kind}`,
        { details: { kind: job.kind } },
      );
    }
    const payload = job.payload as unknown as SendContrlPayload;
    const sent = await outbound.publishOnce(SENT_CONTRL_KIND, `${name}:${ctx.idempotencyKey}`, () => ({
      message: contrlDraft(payload as unknown as EdifactInterchange),
      file: (controlRef) => `CONTRL-${controlRef.padStart(9, "0")}.edi`,
      // Back to whoever sent it; a CONTRL itself is never acknowledged.
      envelope: { ...envelope, recipient: payload.sender, ackRequested: false },
      extra: { answers: payload.controlRef },
    }));
    return { result: { file: sent.file } };
  };
}
