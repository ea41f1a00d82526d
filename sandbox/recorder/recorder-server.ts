import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Sandbox target (a simulator, not a real partner): a warehouse-like HTTP endpoint that applies each
 * request's effect once per `Idempotency-Key`, the way Stripe-style APIs do. A repeated key gets the
 * first answer again and applies nothing. It counts raw attempts and applied effects separately, so
 * tests can prove "at-least-once delivery + idempotent target = exactly-once effect".
 *
 * Faults are injectable to exercise the hub's retry and exception paths: an outage (503 with
 * `Retry-After`), a share of random 503s, latency, and bodies it refuses as invalid (422).
 */
export interface RecorderOptions {
  port?: number;
  host?: string;
  /** Share of requests answered 503 before doing anything (0..1). */
  failureRate?: number;
  /** Added latency per request, ms. */
  latencyMs?: number;
  /** Answer 422 when the JSON body has this top-level field set to true. */
  rejectField?: string;
  random?: () => number;
}

export interface RecordedEffect {
  key: string;
  body: unknown;
  appliedAt: number;
  effectId: number;
}

export interface RecorderServer {
  readonly url: string;
  readonly server: Server;
  /** Effects applied, one per distinct key. */
  readonly effects: Map<string, RecordedEffect>;
  /** Requests received per key (attempts, including repeats). */
  readonly attempts: Map<string, number>;
  /** Effects applied per key: more than 1 would be a double effect; the recorder never does it, it counts. */
  readonly applications: Map<string, number>;
  /** Starts or ends a full outage (every request 503). */
  setOutage(down: boolean): void;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error("body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export async function startRecorder(options: RecorderOptions = {}): Promise<RecorderServer> {
  const effects = new Map<string, RecordedEffect>();
  const attempts = new Map<string, number>();
  const applications = new Map<string, number>();
  const random = options.random ?? Math.random;
  let outage = false;
  let nextEffect = 1;

  const server = createServer((req, res) => {
    void (async () => {
      if (req.method === "GET" && req.url === "/effects") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify([...effects.values()]));
        return;
      }
      const key = req.headers["idempotency-key"];
      let text: string;
      try {
        text = await readBody(req, 5_000_000);
      } catch {
        res.writeHead(413).end();
        return;
      }
      if (typeof key !== "string" || key === "") {
        res.writeHead(400, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: "Idempotency-Key header is required" }));
        return;
      }
      attempts.set(key, (attempts.get(key) ?? 0) + 1);
      if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
      if (outage || random() < (options.failureRate ?? 0)) {
        res.writeHead(503, { "retry-after": "1", "content-type": "application/json" });
        res.end(JSON.stringify({ error: "warehouse temporarily unavailable" }));
        return;
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        res.writeHead(400, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: "body is not JSON" }));
        return;
      }
      const existing = effects.get(key);
      if (existing) {
        res.writeHead(200, { "content-type": "application/json", "idempotent-replayed": "true" });
        res.end(JSON.stringify({ effectId: existing.effectId, replayed: true }));
        return;
      }
      if (options.rejectField && (body as Record<string, unknown> | null)?.[options.rejectField] === true) {
        res.writeHead(422, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: `field ${options.rejectField} refused by the warehouse` }));
        return;
      }
      const effect = { key, body, appliedAt: Date.now(), effectId: nextEffect++ };
      effects.set(key, effect);
      applications.set(key, (applications.get(key) ?? 0) + 1);
      res.writeHead(201, { "content-type": "application/json" });
      res.end(JSON.stringify({ effectId: effect.effectId, replayed: false }));
    })();
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/effects`,
    server,
    effects,
    attempts,
    applications,
    setOutage(down) {
      outage = down;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
