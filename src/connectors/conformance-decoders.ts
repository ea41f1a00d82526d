/**
 * Every decoder `crossdock conformance` asks, in the order they are asked: the EDI formats first (their
 * envelopes are unambiguous), then recorded Odoo exchanges and the JSON documents of known partners, and
 * the flat-file layouts last (CSV would claim almost any text).
 */
import { easypostConformanceDecoder } from "./carrier/easypost-conformance.ts";
import type { ConformanceDecoder } from "./conformance.ts";
import { x12ConformanceDecoder } from "./edi-x12/x12-conformance.ts";
import { createEdifactConformanceDecoder } from "./edifact/edifact-conformance.ts";
import { FLATFILE_CONFORMANCE_DECODERS } from "./flatfile/flatfile-conformance.ts";
import { odooRecordingConformanceDecoder } from "./odoo/odoo-recording-conformance.ts";
import { shopifyJsonConformanceDecoder } from "./shopify/shopify-conformance.ts";
import { woocommerceJsonConformanceDecoder } from "./woocommerce/woocommerce-conformance.ts";

export const CONFORMANCE_DECODERS: readonly ConformanceDecoder[] = [
  x12ConformanceDecoder,
  createEdifactConformanceDecoder(),
  odooRecordingConformanceDecoder,
  easypostConformanceDecoder,
  // Before the flat-file decoders: ShipBob's JSON sniff would take a Shopify product (`variants`).
  shopifyJsonConformanceDecoder,
  woocommerceJsonConformanceDecoder,
  ...FLATFILE_CONFORMANCE_DECODERS,
];
