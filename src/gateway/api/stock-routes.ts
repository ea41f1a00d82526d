/**
 * `GET /api/v1/stock?sku=`: what the hub knows of one SKU's stock, per location and source, with the
 * time it learned each number. `available` is on hand minus reserved, summed over locations; the
 * channel's own policy (buffers, shares, delisting, freshness) is the availability engine's, not yet here.
 */
import type { FastifyInstance } from "fastify";
import Type from "typebox";
import { absDecimal, subtractDecimals, sumDecimals } from "../../core/model/decimal.ts";
import type { Store } from "../../store/store.ts";
import { type Authenticator, requireScope, SCOPES } from "../auth/identity.ts";
import { ProblemDocument, Shipment, StockAvailability } from "./api-schemas.ts";
import { STOCK_LEVEL_KIND, type StockLevelRecord } from "./stock-levels-projection.ts";

export interface StockRoutesOptions {
  store: Store;
  authenticator: Authenticator;
}

const errors = { 400: ProblemDocument, 401: ProblemDocument, 403: ProblemDocument };

export function registerStockRoutes(app: FastifyInstance, options: StockRoutesOptions): void {
  const { store, authenticator } = options;
  app.get<{ Querystring: { sku: string } }>(
    "/api/v1/stock",
    {
      onRequest: requireScope(authenticator, SCOPES.stockRead),
      schema: {
        summary: "Stock of one SKU per location, as the hub knows it",
        tags: ["stock"],
        querystring: Type.Object(
          { sku: Type.String({ minLength: 1, maxLength: 128 }) },
          { additionalProperties: false },
        ),
        response: { 200: StockAvailability, ...errors },
      },
    },
    async (request) => {
      const { sku } = request.query;
      const records = await store.records.list(STOCK_LEVEL_KIND, { prefix: `${sku}/`, limit: 1_000 });
      const levels = records
        .map((r) => r.data as unknown as StockLevelRecord)
        .filter((level) => level.sku === sku)
        .map((level) => ({
          sku: level.sku,
          locationId: level.locationId,
          onHand: level.onHand,
          reserved: level.reserved,
          available: subtractDecimals(level.onHand, absDecimal(level.reserved)),
          source: level.source,
          asOf: new Date(level.asOf).toISOString(),
        }));
      return { sku, available: sumDecimals(levels.map((l) => l.available)), levels };
    },
  );

  app.get<{ Querystring: { order: string } }>(
    "/api/v1/shipments",
    {
      onRequest: requireScope(authenticator, SCOPES.shipmentsRead),
      schema: {
        summary: "Shipments of an order (by its Odoo name or <channel>:<externalId>)",
        tags: ["shipments"],
        querystring: Type.Object(
          { order: Type.String({ minLength: 1, maxLength: 256 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(Shipment) }), ...errors },
      },
    },
    async (request) => {
      const orderKey = request.query.order;
      const events = await store.events.readStream(`order:${orderKey}`, { limit: 1_000 });
      const items = events
        .filter((e) => e.type === "delivery.done")
        .map((e) => {
          const d = e.data as Record<string, unknown>;
          const text = (v: unknown) => (typeof v === "string" ? v : null);
          return {
            orderKey,
            pickingId: typeof d.id === "number" ? d.id : null,
            name: text(d.name),
            trackingRef: text(d.carrier_tracking_ref),
            carrier: text(d.carrier),
            doneAt: text(d.date_done),
          };
        });
      return { items };
    },
  );
}
