/**
 * Writing a document to a partner's SFTP folder once per business key: the document is made (with
 * whatever numbers it needs allocated) and stored, together with what else must commit with it,
 * before it is published; a retry after a crash or a lost answer finds it stored and publishes the
 * same bytes under the same name, which the publisher recognises as already there. Two attempts
 * racing: the first stored wins, the other's numbers stay unused. The X12 and EDIFACT documents the
 * hub sends go out this way (`x12-outbound.ts`, `edifact-outbound.ts`).
 */
import type { JsonValue, Store, StoreTx } from "../../store/store.ts";
import type { SftpClient } from "./sftp-client.ts";
import { createSftpPublisher } from "./sftp-publisher.ts";

/** What is stored per business key: the file name and its text, plus the caller's own fields. */
export interface StoredDocument {
  file: string;
  body: string;
}

export interface StoredOutbound {
  /**
   * The document stored under (`kind`, `key`), made by `make` if there is none yet (`inTx` runs in the
   * transaction that stores it), published in the partner's folder as `encode(body)`.
   */
  publishOnce<D extends StoredDocument>(
    kind: string,
    key: string,
    make: () => Promise<{ document: D; inTx?: (tx: StoreTx) => Promise<void> }>,
    encode: (document: D) => Uint8Array,
  ): Promise<D>;
}

export function createStoredOutbound(options: {
  name: string;
  store: Store;
  client: SftpClient;
  outbound: string;
}): StoredOutbound {
  const { store } = options;
  const publisher = createSftpPublisher({
    client: options.client,
    connection: options.name,
    outbound: options.outbound,
  });

  async function prepare<D extends StoredDocument>(
    kind: string,
    key: string,
    make: () => Promise<{ document: D; inTx?: (tx: StoreTx) => Promise<void> }>,
  ): Promise<D> {
    const existing = await store.records.get(kind, key);
    if (existing) return existing.data as unknown as D;
    const { document, inTx } = await make();
    try {
      await store.transaction(async (tx) => {
        await tx.putRecord(kind, key, document as unknown as JsonValue, { expectedVersion: 0 });
        await inTx?.(tx);
      });
      return document;
    } catch (error) {
      const raced = await store.records.get(kind, key);
      if (raced) return raced.data as unknown as D;
      throw error;
    }
  }

  return {
    async publishOnce(kind, key, make, encode) {
      const document = await prepare(kind, key, make);
      await publisher.publish(document.file, encode(document));
      return document;
    },
  };
}
