import { join } from "node:path";
import { parseArgs } from "node:util";
import { startSandboxEdi3pl } from "./sandbox-edi-3pl.ts";

/**
 * CLI: `node sandbox/edi-3pl/main.ts --stock CHAIR-OAK-01=40` starts the sandbox EDI 3PL on the system
 * clock with its own sandbox sshd and prints how to connect (host, port, user, key file, host key
 * fingerprint) and its folders. Stops on SIGINT/SIGTERM.
 */
const { values } = parseArgs({
  options: {
    "poll-interval-ms": { type: "string", default: "10000" },
    "ship-delay-ms": { type: "string", default: "60000" },
    "stock-report-every-ms": { type: "string", default: "3600000" },
    stock: { type: "string", multiple: true },
    help: { type: "boolean", short: "h" },
  },
});

if (values.help) {
  console.log(
    "usage: node sandbox/edi-3pl/main.ts [--poll-interval-ms 10000] [--ship-delay-ms 60000] " +
      "[--stock-report-every-ms 3600000] [--stock SKU=qty]...",
  );
  process.exit(0);
}

const stock: Record<string, number> = {};
for (const spec of values.stock ?? []) {
  const [sku, qty] = spec.split("=");
  if (!sku || !/^\d+$/.test(qty ?? "")) {
    console.error(`--stock must be SKU=quantity (got ${spec})`);
    process.exit(2);
  }
  stock[sku] = Number(qty);
}
const edi = await startSandboxEdi3pl({
  pollIntervalMs: Number(values["poll-interval-ms"]),
  shipDelayMs: Number(values["ship-delay-ms"]),
  stockReportEveryMs: Number(values["stock-report-every-ms"]),
  stock,
});
const c = edi.sshd.connection;
console.log(`sandbox EDI 3PL (a warehouse simulator) on sftp://${c.username}@${c.host}:${c.port}`);
console.log(`key: ${join(edi.sshd.dir, "client_key")}  host key: ${c.hostKeyFingerprint}`);
console.log(`940s into ${edi.inbound}/ (ISA08 ${edi.envelope.senderId}); 997/945/846 from ${edi.outbound}/`);
const stop = () => {
  edi.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
