/**
 * The built-in EDIFACT mappings, by message type: ORDERS to `order`, INVOIC to `invoice`, DESADV to
 * `shipment`, ORDRSP to `supplier-acknowledgement`. Any other type is `CDK_EDI_UNSUPPORTED`, located
 * at UNH-02-1. Every record is validated with `checkModel` before it is returned.
 */
import type { ModelEntityName } from "../../core/model/model-registry.ts";
import { mapDesadv } from "./edifact-desadv-mapper.ts";
import { mapInvoic } from "./edifact-invoic-mapper.ts";
import { type EdifactMappingOptions, type MapOutcome, MappingContext } from "./edifact-mapping-context.ts";
import { mapOrders } from "./edifact-orders-mapper.ts";
import { mapOrdrsp } from "./edifact-ordrsp-mapper.ts";
import type { EdifactMessage } from "./edifact-reader.ts";
import { at, failure } from "./edifact-syntax.ts";

/** Message types with a built-in mapping, and the canonical entity each produces. */
export const EDIFACT_MAPPINGS: Readonly<
  Record<string, { entity: ModelEntityName; map: (ctx: MappingContext) => MapOutcome }>
> = Object.freeze({
  ORDERS: { entity: "order", map: mapOrders },
  INVOIC: { entity: "invoice", map: mapInvoic },
  DESADV: { entity: "shipment", map: mapDesadv },
  ORDRSP: { entity: "supplier-acknowledgement", map: mapOrdrsp },
});

/**
 * Maps one message read by `readEdifact`. Never throws: a message that cannot be mapped is a located
 * `CDK_EDI_CONTENT` (or `CDK_EDI_UNSUPPORTED`) failure.
 */
export function mapEdifactMessage(
  file: string,
  message: EdifactMessage,
  options: EdifactMappingOptions = {},
): MapOutcome {
  const mapping = EDIFACT_MAPPINGS[message.type];
  const unh = message.segments[0]!;
  if (mapping === undefined)
    return {
      ok: false,
      warnings: [],
      failure: failure({
        code: "CDK_EDI_UNSUPPORTED",
        file,
        location: at(unh, 2, 1),
        what: `message ${message.reference} has a type without a canonical mapping`,
        found: message.type,
        expected: Object.keys(EDIFACT_MAPPINGS).join(", "),
        messageRef: message.reference,
      }),
    };
  return mapping.map(new MappingContext(file, message, options));
}
