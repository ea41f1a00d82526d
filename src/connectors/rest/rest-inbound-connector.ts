/**
 * How the inbox processing decodes what the REST order poller appended: each message is one order
 * as the channel's API gave it (JSON), so a `rest` connection decodes exactly like a mapped
 * `webhook-json` connection. With `mapping: <name>@<version>` each order runs through that mapping and
 * becomes `order.received` on `order:<channel>:<channelOrderId>`; without one it becomes a
 * `message.received` event carrying the order as it came.
 */
import type { Mapping } from "../../mapping/mapping.ts";
import type { InboundConnector } from "../connector.ts";
import { createMappedJsonConnector } from "../json/mapped-json-connector.ts";
import { REST_CONNECTION_TYPE } from "./rest-connection.ts";

/** The inbound connector of `rest` connections; `mappings` by connection name, as for `webhook-json`. */
export function createRestInboundConnector(mappings: ReadonlyMap<string, Mapping>): InboundConnector {
  return { ...createMappedJsonConnector(mappings), type: REST_CONNECTION_TYPE };
}
