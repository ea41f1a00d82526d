/**
 * Writing X12 to a partner's SFTP folder, once (`stored-outbound.ts`): the interchange for a business
 * key is built with fresh control numbers and stored, with what else must commit with it and the 997
 * it expects, before it is published; a retry publishes the same bytes under the same name. The 940s
 * to a 3PL, the 850s to a supplier, the 855/856/810s to a customer and the hub's 997s all go out this
 * way.
 */
import type { Clock } from "../../core/clock.ts";
import type { Store, StoreTx } from "../../store/store.ts";
import { createX12ControlNumbers, type X12ControlNumbers } from "../edi-x12/x12-control-numbers.ts";
import {
  writeX12Interchange,
  type X12ControlSet,
  type X12PartnerEnvelope,
  type X12SetBody,
} from "../edi-x12/x12-writer.ts";
import type { SftpClient } from "./sftp-client.ts";
import { createStoredOutbound } from "./stored-outbound.ts";

/** What is stored per business key: the file and its bytes, plus the caller's own fields. */
export interface X12Sent {
  file: string;
  body: string;
}

export interface X12Document<T> {
  /** GS01: `OW` (940), `PO` (850), `FA` (997), ... */
  functionalId: string;
  sets: X12SetBody[];
  file: string;
  /** Another receiver than the connection's envelope names (a 997 goes back to its sender). */
  envelope?: X12PartnerEnvelope;
  /** Stored with the file (references the caller reads back on a retry). */
  extra: T;
  /** The partner's 997 is tracked (control numbers, deadline). */
  expectAck: boolean;
  /** Other writes that commit with the stored document. */
  alsoInTx?: (tx: StoreTx) => Promise<void>;
}

export interface X12Outbound {
  readonly numbers: X12ControlNumbers;
  /**
   * The document stored under (`kind`, `key`), made by `make` with `setCount` sets' control numbers if
   * there is none yet, published in the partner's folder.
   */
  publishOnce<T extends object>(
    kind: string,
    key: string,
    setCount: number,
    make: (control: X12ControlSet) => X12Document<T>,
  ): Promise<X12Sent & T>;
}

export function createX12Outbound(options: {
  name: string;
  store: Store;
  clock: Clock;
  client: SftpClient;
  outbound: string;
  envelope: X12PartnerEnvelope;
  ackDeadlineMs?: number;
  /** How the interchange's text becomes bytes. Default `latin1`. */
  encoding?: BufferEncoding;
}): X12Outbound {
  const { name, clock } = options;
  const stored = createStoredOutbound(options);
  const numbers = createX12ControlNumbers(
    options.store,
    clock,
    options.ackDeadlineMs === undefined ? {} : { ackDeadlineMs: options.ackDeadlineMs },
  );

  return {
    numbers,
    publishOnce(kind, key, setCount, make) {
      return stored.publishOnce(
        kind,
        key,
        async () => {
          const control = await numbers.allocate(name, setCount);
          const document = make(control);
          const body = writeX12Interchange(document.envelope ?? options.envelope, {
            functionalId: document.functionalId,
            sets: document.sets,
            control,
            at: new Date(clock.now()),
          });
          return {
            document: { file: document.file, body, ...document.extra },
            async inTx(tx: StoreTx) {
              await document.alsoInTx?.(tx);
              if (!document.expectAck) return;
              const sets = control.sets.map((controlNumber, i) => ({
                type: document.sets[i]?.type ?? "",
                controlNumber,
              }));
              await numbers.expectAck(
                name,
                {
                  interchange: control.interchange,
                  group: control.group,
                  functionalId: document.functionalId,
                  sets,
                },
                tx,
              );
            },
          };
        },
        (sent) => Buffer.from(sent.body, options.encoding ?? "latin1"),
      );
    },
  };
}
