/**
 * Writing EDIFACT to a partner's SFTP folder, once (`stored-outbound.ts`), the counterpart of
 * `x12-outbound.ts`: the interchange for a business key gets the partner's next UNB05
 * (`edifact-control-refs.ts`), is written in the envelope (the connection's, or another recipient's)
 * and stored, with the CONTRL it expects when the envelope asks for one (UNB09, tracked with the X12
 * acknowledgements under the UNB05, `syntax: "edifact"`), before it is published; a retry publishes the
 * same bytes under the same name. The ORDRSP, DESADV and INVOIC to a customer and the hub's CONTRLs go
 * out this way.
 */
import type { Clock } from "../../core/clock.ts";
import type { Store } from "../../store/store.ts";
import { createX12ControlNumbers, type X12ControlNumbers } from "../edi-x12/x12-control-numbers.ts";
import { allocateEdifactControlRef } from "../edifact/edifact-control-refs.ts";
import {
  type EdifactEnvelopeConfig,
  encodeText,
  type MessageDraft,
  writeInterchange,
} from "../edifact/edifact-writer.ts";
import type { SftpClient } from "./sftp-client.ts";
import { createStoredOutbound } from "./stored-outbound.ts";

/** What is stored per business key: the file, its text and how it is encoded, plus the caller's fields. */
export interface EdifactSent {
  file: string;
  body: string;
  syntaxId: string;
  controlRef: string;
}

export interface EdifactDocument<T> {
  message: MessageDraft;
  /** The file name, given the interchange's UNB05. */
  file: (controlRef: string) => string;
  /** Another envelope than the connection's (a CONTRL goes back to its sender). */
  envelope?: EdifactEnvelopeConfig;
  /** Stored with the file. */
  extra: T;
}

export interface EdifactOutbound {
  readonly numbers: X12ControlNumbers;
  /** The document stored under (`kind`, `key`), made by `make` if there is none yet, published. */
  publishOnce<T extends object>(
    kind: string,
    key: string,
    make: () => EdifactDocument<T>,
  ): Promise<EdifactSent & T>;
}

export function createEdifactOutbound(options: {
  name: string;
  store: Store;
  clock: Clock;
  client: SftpClient;
  outbound: string;
  envelope: EdifactEnvelopeConfig;
  /** How long the partner has to send its CONTRL. Default 24 hours. */
  ackDeadlineMs?: number;
}): EdifactOutbound {
  const { name, store, clock } = options;
  const stored = createStoredOutbound(options);
  const numbers = createX12ControlNumbers(
    store,
    clock,
    options.ackDeadlineMs === undefined ? {} : { ackDeadlineMs: options.ackDeadlineMs },
  );

  return {
    numbers,
    publishOnce(kind, key, make) {
      return stored.publishOnce(
        kind,
        key,
        async () => {
          const controlRef = await allocateEdifactControlRef(store, name);
          const document = make();
          const envelope = document.envelope ?? options.envelope;
          const written = writeInterchange(envelope, [document.message], {
            clock,
            controlRefs: { next: () => controlRef },
          });
          const ref = Number(controlRef);
          const type = document.message.type;
          return {
            document: {
              file: document.file(controlRef),
              body: written.text,
              syntaxId: envelope.syntaxId ?? "UNOC",
              controlRef,
              ...document.extra,
            },
            // The partner's CONTRL is expected for it when the envelope asks for one (UNB09).
            inTx: envelope.ackRequested
              ? async (tx) =>
                  void (await numbers.expectAck(
                    name,
                    {
                      interchange: ref,
                      group: ref,
                      functionalId: type,
                      sets: [{ type, controlNumber: 1 }],
                      syntax: "edifact",
                    },
                    tx,
                  ))
              : undefined,
          };
        },
        (document) => encodeText(document.body, document.syntaxId),
      );
    },
  };
}
