/**
 * WAL checkpoints off the writer's thread. SQLite copies the WAL back into the database file inside the
 * COMMIT that crosses `wal_autocheckpoint`: a stall of the one connection every appender waits behind
 * (50-100 ms for a 40 MB WAL on the benchmark machine). Here a second connection in a worker thread runs
 * `wal_checkpoint(PASSIVE)` in a loop instead: it never blocks the writer, and as it keeps up, the
 * writer's next transaction finds every frame copied and starts the WAL from its beginning again, so
 * the file stays small. If the WAL still grows past `maxWalFrames` (a disk slower than the writer), the
 * writer checkpoints inline as before, which bounds it.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

export interface CheckpointerOptions {
  path: string;
  synchronous: "FULL" | "NORMAL";
  busyTimeoutMs: number;
  /** Pause after a checkpoint that found nothing left to copy. Default 2 ms. */
  idleMs?: number;
  /** The SQLite driver module the worker loads (default: better-sqlite3, the one this process uses). */
  driverPath?: string;
  /**
   * Called once if the worker cannot run (the driver does not load, the file cannot be opened): the
   * caller goes back to inline checkpoints. The worker is gone by then.
   */
  onFailure(error: Error): void;
}

export interface CheckpointerStats {
  /** Frames in the WAL at the last checkpoint, and how many of them were in the database file after it. */
  walFrames: number;
  checkpointedFrames: number;
  checkpoints: number;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path, { timeout: workerData.busyTimeoutMs });
db.pragma("synchronous = " + workerData.synchronous);
const stats = new Int32Array(workerData.stats);
let stopped = false;
parentPort.on("message", (m) => { if (m === "stop") stopped = true; });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
(async () => {
  while (!stopped) {
    let row;
    try {
      row = db.pragma("wal_checkpoint(PASSIVE)")[0];
    } catch (error) {
      parentPort.postMessage({ error: String(error && error.message || error) });
      await sleep(100);
      continue;
    }
    Atomics.store(stats, 0, row.log);
    Atomics.store(stats, 1, row.checkpointed);
    Atomics.add(stats, 2, 1);
    // Nothing was left to copy: wait a little for the writer. Otherwise go again at once.
    await sleep(row.log <= 0 || row.checkpointed >= row.log ? workerData.idleMs : 0);
  }
  db.close();
  parentPort.postMessage("stopped");
})();
`;

export class BackgroundCheckpointer {
  readonly #worker: Worker;
  readonly #stats: Int32Array;
  #stopping: Promise<void> | undefined;

  constructor(options: CheckpointerOptions) {
    const shared = new SharedArrayBuffer(12);
    this.#stats = new Int32Array(shared);
    this.#worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        path: options.path,
        driver: options.driverPath ?? createRequire(import.meta.url).resolve("better-sqlite3"),
        busyTimeoutMs: options.busyTimeoutMs,
        synchronous: options.synchronous,
        idleMs: options.idleMs ?? 2,
        stats: shared,
      },
    });
    let failed = false;
    const fail = (error: Error) => {
      if (failed || this.#stopping) return;
      failed = true;
      void this.#worker.terminate();
      options.onFailure(error);
    };
    this.#worker.on("error", fail);
    this.#worker.on("message", (m: unknown) => {
      const error = (m as { error?: string } | null)?.error;
      // A checkpoint that fails now and then (a lock held by a backup) is retried; one that keeps
      // failing is a checkpointer that does nothing, so the writer takes over.
      if (typeof error === "string" && ++this.#errors >= 10) fail(new Error(error));
    });
    this.#worker.once("exit", () => {
      this.#exited = true;
    });
    this.#worker.unref();
  }

  #errors = 0;
  #exited = false;

  stats(): CheckpointerStats {
    return {
      walFrames: Atomics.load(this.#stats, 0),
      checkpointedFrames: Atomics.load(this.#stats, 1),
      checkpoints: Atomics.load(this.#stats, 2),
    };
  }

  stop(): Promise<void> {
    this.#stopping ??= new Promise<void>((resolve) => {
      const done = () => resolve();
      this.#worker.once("exit", done);
      this.#worker.on("message", (m) => {
        if (m === "stopped") void this.#worker.terminate().then(done, done);
      });
      if (this.#exited) done();
      else this.#worker.postMessage("stop");
    });
    return this.#stopping;
  }
}
