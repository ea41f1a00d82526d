import assert from "node:assert/strict";
import { test } from "node:test";
import { Secret } from "../../security/secret-ref.ts";
import { checkSftpConnection, parseSftpConnection } from "./sftp-connection.ts";

const key = new Secret("-----BEGIN OPENSSH PRIVATE KEY-----", "file:/run/secrets/k");
const base = {
  type: "sftp",
  host: "sftp.example",
  username: "crossdock",
  privateKey: key,
  hostKeyFingerprint: "SHA256:pMPHjdbfdD84xUUQxbDJ9F1kiTUV/2oxLEf56Na0ZG0",
};

test("a minimal connection is fine and gets its defaults", () => {
  assert.deepEqual(checkSftpConnection(base), []);
  const parsed = parseSftpConnection({ ...base, inbound: { folder: "out" } });
  assert.equal(parsed.port, 22);
  assert.equal(parsed.inbound?.pollIntervalMs, 10_000);
  assert.equal(parsed.acceptAnyHostKey, false);
});

test("every problem is named with its field", () => {
  const fields = (settings: Record<string, unknown>) =>
    checkSftpConnection(settings).map((p) => (p.path ?? [p.field]).join("."));
  assert.deepEqual(fields({ type: "sftp" }), ["host", "username", "privateKey", "hostKeyFingerprint"]);
  assert.deepEqual(fields({ ...base, port: 70_000, surprise: 1 }), ["surprise", "port"]);
  assert.deepEqual(fields({ ...base, hostKeyFingerprint: undefined, acceptAnyHostKey: true }), []);
  assert.deepEqual(fields({ ...base, role: "warehouse" }), ["role"], "a warehouse needs outbound and x12");
  assert.deepEqual(fields({ ...base, x12: { senderId: "THIS-ID-IS-FAR-TOO-LONG" } }), [
    "x12.senderId",
    "x12.receiverId",
  ]);
  assert.deepEqual(fields({ ...base, format: "flat-file" }), ["layout"], "a flat file needs its layout");
  assert.deepEqual(fields({ ...base, format: "flat-file", layout: "bots-desadv96" }), []);
  assert.match(
    checkSftpConnection({ ...base, format: "flat-file", layout: "nope" })[0]?.message ?? "",
    /no built-in layout "nope"/,
  );
  assert.deepEqual(fields({ ...base, format: "flat-file", layout: { format: "csv" } }).slice(0, 1), [
    "layout",
  ]);
  assert.deepEqual(
    fields({ ...base, layout: "bots-desadv96" }),
    ["layout"],
    "a layout without format: flat-file",
  );
});

test("a partner's own X12 delimiters and version are taken, checked one by one", () => {
  const fields = (x12: Record<string, unknown>) =>
    checkSftpConnection({ ...base, x12: { senderId: "HUB", receiverId: "ACME", ...x12 } }).map((p) =>
      (p.path ?? [p.field]).join("."),
    );
  const own = {
    senderId: "HUB",
    receiverId: "ACME",
    version: "00501",
    elementSeparator: "|",
    segmentTerminator: "\u0085",
    componentSeparator: ":",
    repetitionSeparator: "^",
    lineBreak: false,
  };
  assert.deepEqual(checkSftpConnection({ ...base, x12: own }), []);
  const envelope = parseSftpConnection({ ...base, x12: own }).x12;
  assert.equal(envelope?.elementSeparator, "|");
  assert.equal(envelope?.segmentTerminator, "\u0085");
  assert.equal(envelope?.componentSeparator, ":");
  assert.equal(envelope?.repetitionSeparator, "^");
  assert.equal(envelope?.lineBreak, undefined, "no line break");
  assert.equal(envelope?.version, "00501");
  const defaults = parseSftpConnection({ ...base, x12: { senderId: "HUB", receiverId: "ACME" } }).x12;
  assert.deepEqual(
    [
      defaults?.elementSeparator,
      defaults?.segmentTerminator,
      defaults?.componentSeparator,
      defaults?.lineBreak,
    ],
    ["*", "~", ">", "\n"],
  );
  assert.deepEqual(fields({ elementSeparator: "**" }), ["x12.elementSeparator"], "one character");
  assert.deepEqual(fields({ segmentTerminator: "A" }), ["x12.segmentTerminator"], "not a letter");
  assert.deepEqual(fields({ componentSeparator: "*" }), ["x12.componentSeparator"], "the same as another");
  assert.deepEqual(fields({ repetitionSeparator: "^" }), ["x12.repetitionSeparator"], "00401 has none");
  assert.deepEqual(fields({ lineBreak: "yes", colour: "red" }), ["x12.colour", "x12.lineBreak"]);
  assert.match(
    checkSftpConnection({ ...base, x12: { senderId: "HUB", receiverId: "ACME", componentSeparator: "*" } })[0]
      ?.message ?? "",
    /"\*" is already elementSeparator/,
  );
});

test("an EDIFACT envelope is checked key by key and parsed with its defaults", () => {
  const fields = (edifact: unknown) =>
    checkSftpConnection({ ...base, edifact }).map((p) => (p.path ?? [p.field]).join("."));
  const own = {
    senderId: "5400000000003",
    senderQualifier: "14",
    recipientId: "5412345000013",
    recipientQualifier: "14",
    syntaxId: "UNOY",
    directory: "D01B",
    association: "EAN010",
    ackRequested: true,
    test: false,
  };
  assert.deepEqual(checkSftpConnection({ ...base, edifact: own }), []);
  const envelope = parseSftpConnection({ ...base, edifact: own }).edifact;
  assert.deepEqual(envelope?.sender, { id: "5400000000003", qualifier: "14" });
  assert.deepEqual(envelope?.recipient, { id: "5412345000013", qualifier: "14" });
  assert.equal(envelope?.syntaxId, "UNOY");
  assert.deepEqual(envelope?.directory, { version: "D", release: "01B", agency: "UN" });
  assert.equal(envelope?.association, "EAN010");
  assert.equal(envelope?.ackRequested, true);
  const defaults = parseSftpConnection({
    ...base,
    edifact: { senderId: "HUB", recipientId: "ACME" },
  }).edifact;
  assert.equal(defaults?.syntaxId, "UNOC");
  assert.deepEqual(defaults?.directory, { version: "D", release: "96A", agency: "UN" });
  assert.equal(defaults?.ackRequested, false);
  assert.deepEqual(fields("ACME"), ["edifact"], "a map");
  assert.deepEqual(fields({}), ["edifact.senderId", "edifact.recipientId"]);
  assert.deepEqual(
    fields({
      senderId: "x".repeat(36),
      recipientId: "ACME",
      senderQualifier: "toolong",
      syntaxId: "UNOZ",
      directory: "96A",
      association: "ean-008",
      ackRequested: "yes",
      colour: "red",
    }),
    [
      "edifact.colour",
      "edifact.senderId",
      "edifact.senderQualifier",
      "edifact.syntaxId",
      "edifact.directory",
      "edifact.association",
      "edifact.ackRequested",
    ],
  );
  assert.match(
    checkSftpConnection({ ...base, edifact: { senderId: "HUB", recipientId: "ACME", directory: "D9" } })[0]
      ?.message ?? "",
    /must be a UN directory such as "D96A"/,
  );
});
