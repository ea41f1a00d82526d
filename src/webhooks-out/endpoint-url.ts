/**
 * Which URLs a webhook may be sent to. A subscription's URL is chosen by whoever holds
 * `admin:webhooks`, and the hub POSTs signed data to it from inside the company network, so an
 * unchecked URL is a server-side request forgery: `http://169.254.169.254/` (cloud metadata),
 * `http://localhost:5432/`, the Odoo server next door.
 *
 * Policy (documented in docs/webhooks.md): `http` and `https` only; no user name or password in the
 * URL (secrets belong in the signing secret); at most 2,048 characters; and, unless the deployment
 * sets `allowPrivateNetworks` (development, the sandbox, a partner on the same LAN), no loopback,
 * private, link-local, carrier-grade NAT, multicast or reserved address. The address check runs twice:
 * on the URL when the subscription is saved (IP literals in any notation the WHATWG parser accepts,
 * `localhost`), and on every connection, through a DNS lookup hook, so a public name that later
 * resolves to a private address (DNS rebinding) is refused too.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP } from "node:net";

export const MAX_URL_LENGTH = 2_048;

export interface UrlPolicy {
  /** Allow loopback and private addresses. Default false. */
  allowPrivateNetworks: boolean;
}

const blocked = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  blocked.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96],
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  blocked.addSubnet(network, prefix, "ipv6");
}

/** True for an address a webhook must not reach without `allowPrivateNetworks`. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, "ipv4");
  if (family !== 6) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1] as string, "ipv4");
  return blocked.check(address, "ipv6");
}

/** Why `url` is not an acceptable webhook endpoint, or `undefined` when it is. */
export function endpointUrlProblem(url: string, policy: UrlPolicy): string | undefined {
  if (url.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "is not a valid absolute URL";
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    return `must use http or https, not ${parsed.protocol.replace(/:$/, "")}`;
  }
  if (parsed.username !== "" || parsed.password !== "") {
    return "must not carry a user name or password (the signature authenticates the hub)";
  }
  if (parsed.hash !== "") return "must not have a #fragment";
  if (policy.allowPrivateNetworks) return undefined;
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) {
    return "points at this machine (allowPrivateNetworks is off)";
  }
  if (isPrivateAddress(host)) {
    return `points at a private or reserved address ${host} (allowPrivateNetworks is off)`;
  }
  return undefined;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for `net.connect`/`tls.connect` (undici's `connect` option) that resolves as usual and
 * refuses private addresses. Without it, a hostname checked at save time could point anywhere later.
 */
export function guardedLookup(
  hostname: string,
  options: { all?: boolean; family?: number | string },
  callback: LookupCallback,
): void {
  dnsLookup(hostname, { ...options, all: true } as { all: true }, (error, addresses) => {
    if (error) return callback(error, options.all ? [] : "");
    const refused = addresses.find((entry) => isPrivateAddress(entry.address));
    if (refused) {
      const denied = Object.assign(
        new Error(`${hostname} resolves to the private address ${refused.address}; refused`),
        { code: "ECONNREFUSED" },
      );
      return callback(denied, options.all ? [] : "");
    }
    if (options.all) return callback(null, addresses);
    const first = addresses[0] as LookupAddress;
    return callback(null, first.address, first.family);
  });
}
