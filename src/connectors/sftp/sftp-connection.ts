/**
 * An `sftp` connection in `crossdock.yaml`: where the partner's SFTP server is, how to log in, which
 * folders to poll and publish to, and what the files are (`format`), so the inbox processor can turn
 * them into canonical events. See docs/sftp.md for every key.
 *
 * ```yaml
 * connections:
 *   acme-edi:
 *     type: sftp
 *     host: sftp.acme.example
 *     username: crossdock
 *     privateKey: file:/run/secrets/acme-key
 *     hostKeyFingerprint: "SHA256:pMPHjdbfdD84xUUQxbDJ9F1kiTUV/2oxLEf56Na0ZG0"
 *     inbound: { folder: /out, pollIntervalMs: 10000 }
 *     outbound: { folder: /in }
 *     format: x12
 *     channel: acme
 * ```
 */
import { isSecret, type Secret } from "../../security/secret-ref.ts";
import type { X12PartnerEnvelope } from "../edi-x12/x12-writer.ts";
import type { EdifactEnvelopeConfig } from "../edifact/edifact-writer.ts";
import { builtinLayout, builtinLayoutNames } from "../flatfile/builtin-layouts.ts";
import { checkLayout } from "../flatfile/check-layout.ts";
import { parseHostKeyFingerprint } from "./sftp-host-key.ts";

export const SFTP_CONNECTION_TYPE = "sftp";
export const SFTP_FORMATS = ["x12", "edifact", "flat-file"] as const;
export type SftpFormat = (typeof SFTP_FORMATS)[number];

export interface SftpConnectionProblem {
  field: string;
  path?: readonly (string | number)[];
  message: string;
}

export interface SftpConnectionConfig {
  host: string;
  port: number;
  username: string;
  privateKey?: Secret;
  passphrase?: Secret;
  password?: Secret;
  hostKeyFingerprint?: string;
  acceptAnyHostKey: boolean;
  inbound?: {
    folder: string;
    done?: string;
    error?: string;
    pollIntervalMs: number;
    settleMs?: number;
    tempPatterns?: string[];
    maxFileBytes?: number;
    maxFilesPerPoll?: number;
  };
  outbound?: { folder: string };
  /** What the files are; undefined: bytes kept in the inbox, no events. */
  format?: SftpFormat;
  /** Channel of the orders this partner sends (850, ORDERS). Default: the connection name. */
  channel?: string;
  /** Warehouse code for stock and receipts that name none. */
  warehouse?: string;
  defaultCurrency?: string;
  /**
   * `warehouse`: the partner is a 3PL that ships the hub's orders: its 945s refer to the 940s the hub
   * sent (depositor order numbers) and go to the orders' streams. Default: a trading partner whose
   * documents are its own (its 850s are orders in its channel).
   */
  role?: "warehouse";
  /** Our X12 envelope towards this partner (for the 940s the hub writes). */
  x12?: X12PartnerEnvelope;
  /** Our EDIFACT envelope towards this partner (for the ORDRSP, DESADV and INVOIC the hub writes). */
  edifact?: EdifactEnvelopeConfig;
  /**
   * For `format: flat-file`: the layout, inline (docs/flat-files.md) or the name of a built-in one
   * (`bots-desadv96`, ...). Checked when the configuration loads.
   */
  layout?: unknown;
  /**
   * The procure-to-pay supplier code this partner is (its 855/ORDRSP acknowledgements go to
   * `purchase:<supplier>:<poNumber>`). Default: the connection name.
   */
  supplier?: string;
}

const INBOUND_NUMBERS: [string, number, number][] = [
  ["pollIntervalMs", 100, 86_400_000],
  ["settleMs", 0, 3_600_000],
  ["maxFileBytes", 1, 1_073_741_824],
  ["maxFilesPerPoll", 1, 10_000],
];
const KNOWN = new Set([
  "type",
  "host",
  "port",
  "username",
  "privateKey",
  "passphrase",
  "password",
  "hostKeyFingerprint",
  "acceptAnyHostKey",
  "inbound",
  "outbound",
  "format",
  "channel",
  "warehouse",
  "defaultCurrency",
  "role",
  "x12",
  "edifact",
  "layout",
  "supplier",
]);

const isText = (value: unknown): value is string => typeof value === "string" && value.trim() !== "";
const isInt = (value: unknown, min: number, max: number) =>
  typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;

/** Every problem of an `sftp` connection's settings (empty when they are fine). */
export function checkSftpConnection(settings: Readonly<Record<string, unknown>>): SftpConnectionProblem[] {
  const problems: SftpConnectionProblem[] = [];
  const add = (field: string, message: string, path?: (string | number)[]) =>
    problems.push({ field, message, ...(path ? { path } : {}) });
  for (const key of Object.keys(settings))
    if (!KNOWN.has(key)) add(key, `unknown key (expected one of ${[...KNOWN].join(", ")})`);
  if (!isText(settings.host)) add("host", "required, the SFTP server's host name or IP address");
  if (settings.port !== undefined && !isInt(settings.port, 1, 65_535))
    add("port", "must be a port number 1-65535");
  if (!isText(settings.username)) add("username", "required, the login name");
  for (const field of ["privateKey", "passphrase", "password"]) {
    if (settings[field] !== undefined && !isSecret(settings[field]))
      add(field, "must be a secret reference (file: or env:)");
  }
  if (settings.privateKey === undefined && settings.password === undefined) {
    add("privateKey", "required (or password): how to log in, e.g. file:/run/secrets/partner-key");
  }
  const pinned = settings.hostKeyFingerprint;
  if (pinned !== undefined && !(typeof pinned === "string" && parseHostKeyFingerprint(pinned))) {
    add("hostKeyFingerprint", 'must be "SHA256:<base64>" as ssh-keygen -lf prints it');
  }
  if (settings.acceptAnyHostKey !== undefined && typeof settings.acceptAnyHostKey !== "boolean") {
    add("acceptAnyHostKey", "must be true or false");
  }
  if (pinned === undefined && settings.acceptAnyHostKey !== true) {
    add(
      "hostKeyFingerprint",
      "required: the server's host key fingerprint (acceptAnyHostKey: true only for a sandbox)",
    );
  }
  const inbound = settings.inbound;
  if (inbound !== undefined) {
    if (typeof inbound !== "object" || inbound === null || Array.isArray(inbound))
      add("inbound", "must be a map with at least folder");
    else {
      const fields = inbound as Record<string, unknown>;
      if (!isText(fields.folder)) add("inbound", "required, the folder to poll", ["inbound", "folder"]);
      for (const key of ["done", "error"]) {
        if (fields[key] !== undefined && !isText(fields[key]))
          add("inbound", "must be a folder path", ["inbound", key]);
      }
      for (const [key, min, max] of INBOUND_NUMBERS) {
        if (fields[key] !== undefined && !isInt(fields[key], min, max))
          add("inbound", `must be a whole number ${min}-${max}`, ["inbound", key]);
      }
      const patterns = fields.tempPatterns;
      if (patterns !== undefined && !(Array.isArray(patterns) && patterns.every(isText))) {
        add("inbound", "must be a list of name patterns such as *.part", ["inbound", "tempPatterns"]);
      }
    }
  }
  const outbound = settings.outbound as Record<string, unknown> | undefined;
  if (
    outbound !== undefined &&
    !(typeof outbound === "object" && outbound !== null && isText(outbound.folder))
  ) {
    add("outbound", "must be a map with the folder the partner picks files up from", ["outbound", "folder"]);
  }
  if (settings.format !== undefined && !SFTP_FORMATS.includes(settings.format as SftpFormat)) {
    add("format", `must be one of ${SFTP_FORMATS.join(", ")}`);
  }
  for (const field of ["channel", "warehouse", "supplier"]) {
    const value = settings[field];
    if (value !== undefined && !(typeof value === "string" && /^[a-z0-9][a-z0-9_.-]{0,63}$/i.test(value))) {
      add(field, "must be a short code (letters, digits, . _ -)");
    }
  }
  if (
    settings.defaultCurrency !== undefined &&
    !(typeof settings.defaultCurrency === "string" && /^[A-Z]{3}$/.test(settings.defaultCurrency))
  ) {
    add("defaultCurrency", "must be an ISO 4217 code such as EUR");
  }
  if (settings.format === "flat-file") problems.push(...checkFlatFileLayout(settings.layout));
  else if (settings.layout !== undefined) add("layout", "only for format: flat-file");
  if (settings.role !== undefined && settings.role !== "warehouse")
    add("role", "must be warehouse (or left out for a trading partner)");
  problems.push(...checkEnvelope(settings.x12));
  problems.push(...checkEdifactEnvelope(settings.edifact));
  if (settings.role === "warehouse" && (settings.outbound === undefined || settings.x12 === undefined)) {
    add(
      "role",
      "a warehouse needs outbound (where the 940s go) and x12 (our envelope: senderId, receiverId)",
    );
  }
  return problems;
}

function checkFlatFileLayout(layout: unknown): SftpConnectionProblem[] {
  if (typeof layout === "string") {
    return builtinLayout(layout)
      ? []
      : [
          {
            field: "layout",
            message: `no built-in layout "${layout}" (known: ${builtinLayoutNames().join(", ")})`,
          },
        ];
  }
  if (layout === undefined) {
    return [
      { field: "layout", message: "required for format: flat-file (a layout, or a built-in layout's name)" },
    ];
  }
  const checked = checkLayout(layout, "layout", "layout");
  return checked.ok
    ? []
    : checked.problems.map((p) => ({ field: "layout", message: `${p.path}: ${p.message}` }));
}

const ID = /^[A-Za-z0-9 .-]{1,15}$/;

function checkEnvelope(x12: unknown): SftpConnectionProblem[] {
  if (x12 === undefined) return [];
  const problems: SftpConnectionProblem[] = [];
  const at = (key: string, message: string) => problems.push({ field: "x12", path: ["x12", key], message });
  if (typeof x12 !== "object" || x12 === null || Array.isArray(x12))
    return [{ field: "x12", message: "must be a map: senderId, receiverId, ..." }];
  const e = x12 as Record<string, unknown>;
  for (const key of Object.keys(e))
    if (!X12_KEYS.includes(key)) at(key, `unknown key (known: ${X12_KEYS.join(", ")})`);
  for (const key of ["senderId", "receiverId"])
    if (!(typeof e[key] === "string" && ID.test(e[key])))
      at(key, "required, 1-15 letters, digits, space, . or -");
  for (const key of ["senderQualifier", "receiverQualifier"]) {
    if (e[key] !== undefined && !(typeof e[key] === "string" && /^[A-Z0-9]{2}$/.test(e[key])))
      at(key, "must be a 2-character ISA qualifier such as ZZ or 01");
  }
  if (e.version !== undefined && e.version !== "00401" && e.version !== "00501")
    at("version", "must be 00401 or 00501");
  if (e.usage !== undefined && e.usage !== "P" && e.usage !== "T")
    at("usage", "must be P (production) or T (test)");
  // Delimiters: one character each, none a letter, digit or space, no two the same (defaults included).
  const seen = new Map<string, string>();
  for (const key of DELIMITER_KEYS) {
    const value = e[key] ?? DELIMITER_DEFAULTS[key];
    if (value === undefined) continue;
    if (!(typeof value === "string" && /^[^A-Za-z0-9 ]$/u.test(value))) {
      at(key, "must be one character that is not a letter, digit or space, e.g. * ~ > ^ |");
      continue;
    }
    const other = seen.get(value);
    if (other)
      at(
        e[key] === undefined ? other : key,
        `"${value}" is already ${e[key] === undefined ? key : other}; each delimiter must differ`,
      );
    seen.set(value, key);
  }
  if (e.repetitionSeparator !== undefined && e.version !== "00501")
    at("repetitionSeparator", "only for version 00501 (00401 writes U in ISA11)");
  if (e.lineBreak !== undefined && typeof e.lineBreak !== "boolean")
    at("lineBreak", "must be true (a line break after each segment, the default) or false");
  return problems;
}

const X12_KEYS = [
  "senderId",
  "senderQualifier",
  "receiverId",
  "receiverQualifier",
  "version",
  "usage",
  "elementSeparator",
  "segmentTerminator",
  "componentSeparator",
  "repetitionSeparator",
  "lineBreak",
];
const DELIMITER_DEFAULTS: Readonly<Record<string, string>> = {
  elementSeparator: "*",
  segmentTerminator: "~",
  componentSeparator: ">",
};
const DELIMITER_KEYS = [
  "elementSeparator",
  "segmentTerminator",
  "componentSeparator",
  "repetitionSeparator",
] as const;

const EDIFACT_SYNTAX = /^UNO[A-KWY]$/;

function checkEdifactEnvelope(edifact: unknown): SftpConnectionProblem[] {
  if (edifact === undefined) return [];
  const problems: SftpConnectionProblem[] = [];
  const at = (key: string, message: string) =>
    problems.push({ field: "edifact", path: ["edifact", key], message });
  if (typeof edifact !== "object" || edifact === null || Array.isArray(edifact))
    return [{ field: "edifact", message: "must be a map: senderId, recipientId, ..." }];
  const e = edifact as Record<string, unknown>;
  const known = [
    "senderId",
    "senderQualifier",
    "recipientId",
    "recipientQualifier",
    "syntaxId",
    "directory",
    "association",
    "ackRequested",
    "test",
  ];
  for (const key of Object.keys(e))
    if (!known.includes(key)) at(key, `unknown key (known: ${known.join(", ")})`);
  for (const key of ["senderId", "recipientId"])
    if (!(typeof e[key] === "string" && /^[A-Za-z0-9 .-]{1,35}$/.test(e[key])))
      at(key, "required, 1-35 letters, digits, space, . or - (UNB-02/03-1)");
  for (const key of ["senderQualifier", "recipientQualifier"])
    if (e[key] !== undefined && !(typeof e[key] === "string" && /^[A-Z0-9]{1,4}$/.test(e[key])))
      at(key, "must be a code of 1-4 letters or digits such as 14 (GLN) or ZZZ");
  if (e.syntaxId !== undefined && !(typeof e.syntaxId === "string" && EDIFACT_SYNTAX.test(e.syntaxId)))
    at("syntaxId", "must be a syntax identifier UNOA..UNOK, UNOW or UNOY");
  if (e.directory !== undefined && !(typeof e.directory === "string" && /^D[0-9]{2}[AB]$/.test(e.directory)))
    at("directory", 'must be a UN directory such as "D96A" or "D01B"');
  if (
    e.association !== undefined &&
    !(typeof e.association === "string" && /^[A-Z0-9]{1,6}$/.test(e.association))
  )
    at("association", 'must be an association code such as "EAN008"');
  for (const key of ["ackRequested", "test"])
    if (e[key] !== undefined && typeof e[key] !== "boolean") at(key, "must be true or false");
  return problems;
}

/** Our EDIFACT envelope towards the partner (UNOC, D96A, `:+.? '` and a line break per segment). */
function edifactEnvelopeOf(e: Record<string, unknown>): EdifactEnvelopeConfig {
  const directory = (e.directory as string | undefined) ?? "D96A";
  const party = (id: unknown, qualifier: unknown) => ({
    id: id as string,
    ...(qualifier === undefined ? {} : { qualifier: qualifier as string }),
  });
  return {
    sender: party(e.senderId, e.senderQualifier),
    recipient: party(e.recipientId, e.recipientQualifier),
    syntaxId: (e.syntaxId as string | undefined) ?? "UNOC",
    directory: { version: "D", release: directory.slice(1), agency: "UN" },
    ...(e.association === undefined ? {} : { association: e.association as string }),
    ackRequested: e.ackRequested === true,
    test: e.test === true,
    lineBreaks: true,
  };
}

/**
 * Our envelope towards the partner, with the usual defaults (ZZ ids, 00401, `*` `~` `>`, a line break
 * after each segment, production); any of them can be the partner's own.
 */
function envelopeOf(x12: Record<string, unknown>): X12PartnerEnvelope {
  return {
    senderQualifier: (x12.senderQualifier as string | undefined) ?? "ZZ",
    senderId: x12.senderId as string,
    receiverQualifier: (x12.receiverQualifier as string | undefined) ?? "ZZ",
    receiverId: x12.receiverId as string,
    version: (x12.version as "00401" | "00501" | undefined) ?? "00401",
    elementSeparator: (x12.elementSeparator as string | undefined) ?? "*",
    segmentTerminator: (x12.segmentTerminator as string | undefined) ?? "~",
    componentSeparator: (x12.componentSeparator as string | undefined) ?? ">",
    ...(x12.repetitionSeparator === undefined
      ? {}
      : { repetitionSeparator: x12.repetitionSeparator as string }),
    usageIndicator: (x12.usage as "P" | "T" | undefined) ?? "P",
    ...(x12.lineBreak === false ? {} : { lineBreak: "\n" }),
  };
}

/** The settings of a connection that passed `checkSftpConnection`. */
export function parseSftpConnection(settings: Readonly<Record<string, unknown>>): SftpConnectionConfig {
  const inbound = settings.inbound as Record<string, unknown> | undefined;
  const outbound = settings.outbound as { folder: string } | undefined;
  const optional = <K extends string>(key: K, value: unknown) =>
    value === undefined ? {} : { [key]: value };
  return {
    host: settings.host as string,
    port: (settings.port as number | undefined) ?? 22,
    username: settings.username as string,
    ...optional("privateKey", settings.privateKey),
    ...optional("passphrase", settings.passphrase),
    ...optional("password", settings.password),
    ...optional("hostKeyFingerprint", settings.hostKeyFingerprint),
    acceptAnyHostKey: settings.acceptAnyHostKey === true,
    ...(inbound
      ? {
          inbound: {
            folder: inbound.folder as string,
            pollIntervalMs: (inbound.pollIntervalMs as number | undefined) ?? 10_000,
            ...optional("done", inbound.done),
            ...optional("error", inbound.error),
            ...optional("settleMs", inbound.settleMs),
            ...optional("tempPatterns", inbound.tempPatterns),
            ...optional("maxFileBytes", inbound.maxFileBytes),
            ...optional("maxFilesPerPoll", inbound.maxFilesPerPoll),
          },
        }
      : {}),
    ...(outbound ? { outbound: { folder: outbound.folder } } : {}),
    ...optional("format", settings.format),
    ...optional("channel", settings.channel),
    ...optional("warehouse", settings.warehouse),
    ...optional("defaultCurrency", settings.defaultCurrency),
    ...optional("role", settings.role),
    ...(settings.x12 ? { x12: envelopeOf(settings.x12 as Record<string, unknown>) } : {}),
    ...(settings.edifact ? { edifact: edifactEnvelopeOf(settings.edifact as Record<string, unknown>) } : {}),
    ...optional("layout", settings.layout),
    ...optional("supplier", settings.supplier),
  } as SftpConnectionConfig;
}
