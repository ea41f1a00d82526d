/**
 * A `webhook-json` connection with a `mapping` (`connections.<name>.mapping: my-portal-order@2`): each
 * JSON body is run through that mapping (JSONata or a built-in), every output checked against the
 * canonical model, and the records become the mapping's events. A canonical order becomes
 * `order.received` `{ order }` on `order:<channel>:<channelOrderId>`, exactly as from the API or a web
 * store, so order-to-cash takes orders of any JSON channel a user maps. A body the mapping refuses, or
 * an output the model refuses, is an exception record with the mapping's located error.
 */
import type { Mapping } from "../../mapping/mapping.ts";
import { validateCanonical } from "../../mapping/model-validator.ts";
import { runMapping } from "../../mapping/run-mapping.ts";
import type { EventInput, JsonValue } from "../../store/store.ts";
import type { DecodeOutcome, InboundConnector } from "../connector.ts";
import { parseJsonLocated } from "./parse-json-located.ts";
import { webhookJsonConnector } from "./webhook-json-connector.ts";

export function createMappedJsonConnector(mappings: ReadonlyMap<string, Mapping>): InboundConnector {
  return {
    type: webhookJsonConnector.type,
    decode: webhookJsonConnector.decode,
    async decodeAsync(message, connectionName, settings): Promise<DecodeOutcome> {
      const mapping = mappings.get(connectionName);
      if (!mapping) return webhookJsonConnector.decode(message, connectionName, settings);
      const where = `message ${message.id} (connection ${connectionName})`;
      let body: unknown;
      try {
        body = parseJsonLocated(Buffer.from(message.body).toString("utf8"), `${where}: body`);
      } catch (error) {
        return { ok: false, error: error as never };
      }
      const run = await runMapping(
        mapping,
        body,
        {
          connection: connectionName,
          messageId: message.id,
          receivedAt: message.receivedAt,
          headers: message.headers,
        },
        validateCanonical,
      );
      if (!run.ok) return { ok: false, error: run.error };
      const common = { causationId: message.id, ...(message.trace ? { trace: message.trace } : {}) };
      const events: EventInput[] = run.records.some((r) => r.entity.startsWith("order/"))
        ? run.records.map((record) => {
            const order = record.value as { channel: string; channelOrderId: string };
            return {
              stream: `order:${order.channel}:${order.channelOrderId}`,
              type: "order.received",
              data: { receivedVia: connectionName, mapping: run.mapping, order: record.value } as JsonValue,
              ...common,
            };
          })
        : run.events.map((event) => ({ ...event, ...common }));
      return { ok: true, events, jobs: [] };
    },
  };
}
