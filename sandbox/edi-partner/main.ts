import { join } from "node:path";
import { parseArgs } from "node:util";
import { startSandboxEdiPartner } from "./sandbox-edi-partner.ts";

/**
 * CLI: `node sandbox/edi-partner/main.ts --change-rate 0.2` starts the sandbox EDI trading partner on
 * the system clock with its own sandbox sshd and prints how to connect (host, port, user, key file,
 * host key fingerprint) and its folders. Stops on SIGINT/SIGTERM.
 */
const { values } = parseArgs({
  options: {
    "poll-interval-ms": { type: "string", default: "10000" },
    "answer-delay-ms": { type: "string", default: "60000" },
    "change-rate": { type: "string", default: "0" },
    "reject-rate": { type: "string", default: "0" },
    seed: { type: "string", default: "1" },
    help: { type: "boolean", short: "h" },
  },
});

if (values.help) {
  console.log(
    "usage: node sandbox/edi-partner/main.ts [--poll-interval-ms 10000] [--answer-delay-ms 60000] " +
      "[--change-rate 0] [--reject-rate 0] [--seed 1]",
  );
  process.exit(0);
}

const partner = await startSandboxEdiPartner({
  pollIntervalMs: Number(values["poll-interval-ms"]),
  answerDelayMs: Number(values["answer-delay-ms"]),
  changeRate: Number(values["change-rate"]),
  rejectRate: Number(values["reject-rate"]),
  seed: Number(values.seed),
});
const c = partner.sshd.connection;
console.log(`sandbox EDI trading partner on sftp://${c.username}@${c.host}:${c.port}`);
console.log(`key: ${join(partner.sshd.dir, "client_key")}  host key: ${c.hostKeyFingerprint}`);
console.log(
  `850s into ${partner.inbound}/ (ISA08 ${partner.envelope.senderId}); 997/855/850/810 from ${partner.outbound}/`,
);
const stop = () => {
  partner.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
