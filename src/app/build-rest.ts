/**
 * The `rest` connections of the configuration, running: a client per connection, and an order poller
 * for each one with an `orders` endpoint. Polled orders land in the inbox; the `rest` inbound connector
 * maps them with the connection's mapping when the inbox processor takes them.
 */

import { createRestClient, type RestClient } from "../connectors/rest/rest-client.ts";
import { parseRestConnection, REST_CONNECTION_TYPE } from "../connectors/rest/rest-connection.ts";
import { createRestOrderPoller, type RestOrderPoller } from "../connectors/rest/rest-order-poller.ts";
import type { Clock } from "../core/clock.ts";
import type { StructuredLogger } from "../delivery/structured-logger.ts";
import type { Store } from "../store/store.ts";
import type { CrossdockConfig } from "./config-schema.ts";

export function buildRest(options: {
  config: CrossdockConfig;
  store: Store;
  clock: Clock;
  logger: StructuredLogger;
}) {
  const clients = new Map<string, RestClient>();
  const pollers: RestOrderPoller[] = [];
  for (const [name, connection] of Object.entries(options.config.connections)) {
    if (connection.type !== REST_CONNECTION_TYPE) continue;
    const client = createRestClient({ name, config: parseRestConnection(connection), clock: options.clock });
    clients.set(name, client);
    if (client.config.endpoints.orders) {
      pollers.push(
        createRestOrderPoller({
          client,
          store: options.store,
          clock: options.clock,
          connection: name,
          logger: options.logger,
        }),
      );
    }
  }
  return {
    clients,
    start() {
      for (const poller of pollers) poller.start();
    },
    async stop() {
      await Promise.all(pollers.map((p) => p.stop()));
      await Promise.all([...clients.values()].map((c) => c.close()));
    },
  };
}
