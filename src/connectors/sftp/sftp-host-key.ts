/**
 * Host key pinning for SFTP connections: the fingerprint format OpenSSH prints
 * (`ssh-keygen -lf key.pub`, `ssh-keyscan host | ssh-keygen -lf -`), `SHA256:` then the unpadded
 * base64 of the SHA-256 of the key's wire blob. Pinning the fingerprint is what `known_hosts` does for
 * the `ssh` command: without it, anyone on the path could pose as the partner's server.
 */
import { createHash } from "node:crypto";

/** The `SHA256:...` fingerprint of a public key given as its wire blob (what ssh2's hostVerifier gets). */
export function hostKeyFingerprint(keyBlob: Uint8Array): string {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

/** The fingerprint of an OpenSSH public key line (`ssh-ed25519 AAAA... comment`), as in a `.pub` file. */
export function publicKeyLineFingerprint(line: string): string {
  const blob = line.trim().split(/\s+/)[1];
  if (blob === undefined) throw new Error("not an OpenSSH public key line");
  return hostKeyFingerprint(Buffer.from(blob, "base64"));
}

/**
 * Normalises a configured fingerprint: `SHA256:` prefix required (MD5 fingerprints are refused: too
 * weak to pin), trailing `=` padding dropped. Returns undefined when the text is not one.
 */
export function parseHostKeyFingerprint(text: string): string | undefined {
  const match = /^SHA256:([A-Za-z0-9+/]{43})=?$/.exec(text.trim());
  return match ? `SHA256:${match[1]}` : undefined;
}
