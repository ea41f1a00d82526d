/**
 * The peer of the intake benchmark: a bare, non-durable node:http server that reads the body, verifies
 * Shopify's HMAC in constant time and answers 200. It stores nothing: the upper bound of what a webhook
 * endpoint on this machine can answer, against which Crossdock's durable intake is compared.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { BENCH_SECRET } from "./shopify-order-body.ts";

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    const given = Buffer.from(String(req.headers["x-shopify-hmac-sha256"] ?? ""), "base64");
    const expected = createHmac("sha256", BENCH_SECRET).update(body).digest();
    const ok = given.length === expected.length && timingSafeEqual(given, expected);
    res.writeHead(ok ? 200 : 401, { "content-type": "application/json" });
    res.end(ok ? "{}" : '{"error":"signature"}');
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => {
  process.send?.({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});
process.on("message", (m) => {
  if (m === "stop") server.close(() => process.exit(0));
});
