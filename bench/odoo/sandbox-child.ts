/**
 * Runs the sandbox Odoo in its own process for the benchmark, so that its work (SQLite, JSON, timers)
 * does not share the hub's event loop: in production Odoo is another machine. Started by `fork`; it
 * receives its options as the first IPC message, answers `{ url }`, and closes on "stop".
 */
import { type SandboxOdooOptions, startSandboxOdoo } from "../../sandbox/odoo/sandbox-odoo.ts";

process.once("message", async (options: SandboxOdooOptions) => {
  const sandbox = await startSandboxOdoo(options);
  process.send?.({ url: sandbox.url });
  process.on("message", async (message) => {
    if (message === "stop") {
      await sandbox.close();
      process.exit(0);
    }
  });
});
