import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** One request a receiver got: headers and the raw body bytes. */
export interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
  json(): unknown;
}

/**
 * A webhook receiver for the partner simulators' tests: records every request in arrival order and
 * answers with the next status of `statuses` (then 200).
 */
export async function startReceiver(statuses: number[] = []): Promise<{
  url: string;
  received: Received[];
  statuses: number[];
  close(): Promise<void>;
}> {
  const received: Received[] = [];
  const queue = [...statuses];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      received.push({ headers: req.headers, body, json: () => JSON.parse(body.toString("utf8")) });
      res.writeHead(queue.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    statuses: queue,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
