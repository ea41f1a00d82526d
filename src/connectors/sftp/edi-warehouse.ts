/**
 * The order-to-cash workflow's `WarehousePort` for a 3PL that speaks X12 over SFTP: `release` writes a
 * 940 (warehouse shipping order) and publishes it atomically in the 3PL's folder; the 3PL answers with
 * 945s (shipments) that the `sftp` connector reads back.
 *
 * The depositor order number (W05-02, echoed in the 945's W06-02) is the Odoo order's name (`S00042`):
 * short, unique, and what warehouse staff see. 3PLs take 22 characters there, which a channel key
 * (`webshop-eu:5550934128715123456`) would exceed. The number is recorded with the order key in the
 * store, and the depositor router (`edi-depositor-router.ts`) puts each 945 on the order's stream.
 *
 * Idempotent: the interchange written for an order is stored with its control numbers before it is
 * published, so a retry (a crash after writing, a lost answer) publishes the same bytes under the same
 * name, which the publisher recognises as already there. Cancelling is not sent as EDI (a 940
 * cancellation is agreed per 3PL): `cancel` answers "not cancellable" with the reason, so the workflow
 * asks a person.
 */
import type { Clock } from "../../core/clock.ts";
import { CrossdockError } from "../../core/errors.ts";
import type { WarehousePort } from "../../flows/order-to-cash/order-to-cash-ports.ts";
import type { Store } from "../../store/store.ts";
import { build940 } from "../edi-x12/x12-build-940.ts";
import type { X12PartnerEnvelope } from "../edi-x12/x12-writer.ts";
import type { SftpClient } from "./sftp-client.ts";
import { createX12Outbound } from "./x12-outbound.ts";

/** Records: `<connection>:<depositor number>` -> the order key; `<connection>:<order key>` -> the 940. */
export const DEPOSITOR_KIND = "edi.depositor";
const SENT_940_KIND = "edi.940";
const DEPOSITOR = /^[A-Za-z0-9][A-Za-z0-9/_-]{0,21}$/;

export interface EdiWarehouseOptions {
  name: string;
  store: Store;
  clock: Clock;
  client: SftpClient;
  /** The 3PL's inbound folder (our `outbound.folder`). */
  outbound: string;
  envelope: X12PartnerEnvelope;
  /** N1*WH of the 940, when the 3PL runs several warehouses. */
  warehouse?: string;
}

export function createEdiWarehouse(options: EdiWarehouseOptions): WarehousePort {
  const { name } = options;
  const outbound = createX12Outbound(options);

  return {
    async release({ key, order, saleOrder }) {
      if (!DEPOSITOR.test(saleOrder)) {
        throw new CrossdockError(
          "CDK_TARGET_REJECTED",
          `warehouse ${name}: the Odoo order name "${saleOrder}" cannot be a 940 depositor order number (1-22 letters, digits, / _ -)`,
          { details: { key, saleOrder } },
        );
      }
      const sent = await outbound.publishOnce(SENT_940_KIND, `${name}:${key}`, 1, (control) => ({
        functionalId: "OW",
        sets: [
          build940(
            { ...order, channelOrderId: saleOrder },
            options.warehouse ? { warehouse: options.warehouse } : {},
          ),
        ],
        file: `940-${saleOrder}-${control.interchange}.x12`,
        extra: { depositor: saleOrder },
        expectAck: true,
        alsoInTx: async (tx) => void (await tx.putRecord(DEPOSITOR_KIND, `${name}:${saleOrder}`, { key })),
      }));
      return { reference: sent.depositor };
    },
    async cancel() {
      return {
        cancelled: false,
        reason: `warehouse ${name} takes orders by EDI 940; a cancellation is not sent by EDI, ask the 3PL`,
      };
    },
  };
}
