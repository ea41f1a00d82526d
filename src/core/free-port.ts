/**
 * A TCP port on 127.0.0.1 that was free a moment ago: the OS picks one for a throwaway listener,
 * which is then closed. For the demo landscape, benchmarks and tests that start real processes.
 */
import { createServer } from "node:net";

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", done);
  });
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}
