/**
 * What the SFTP tests share: one real sandbox sshd per test file, a fresh folder pair per test (so
 * tests do not see each other's files), a fresh SQLite store on a manual clock, and the partner's side
 * of the server as plain local files (the sandbox home is a local folder). Test support, kept out of
 * the `*.test.ts` files.
 */
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { ManualClock } from "../../core/clock.ts";
import { createSequentialIds } from "../../core/ids.ts";
import { createSqliteStore } from "../../store/sqlite/sqlite-store.ts";
import type { InboxMessage, Store, StoreConfig } from "../../store/store.ts";
import type { SandboxSshd } from "./sandbox-sshd.ts";
import { createSftpClient, type SftpClient, type SftpClientOptions } from "./sftp-client.ts";

let folders = 0;

/** A new `<label>-<n>/inbound` (and `outbound`) under the sandbox home: remote and local paths. */
export async function freshFolder(sshd: SandboxSshd, label: string) {
  const name = `${label}-${++folders}`;
  const local = join(sshd.home, name);
  await mkdir(join(local, "inbound"), { recursive: true });
  await mkdir(join(local, "outbound"), { recursive: true });
  return {
    inbound: `${name}/inbound`,
    outbound: `${name}/outbound`,
    local: { inbound: join(local, "inbound"), outbound: join(local, "outbound") },
  };
}

/** A client on the sandbox, closed after the test. */
export function sandboxClient(
  t: TestContext,
  sshd: SandboxSshd,
  extra: Partial<SftpClientOptions> = {},
): SftpClient {
  const client = createSftpClient({ connection: "partner", ...sshd.connection, ...extra });
  t.after(() => client.close());
  return client;
}

/** A fresh SQLite store on `clock`, closed and removed after the test. */
export async function openSftpTestStore(
  t: TestContext,
  clock: ManualClock,
  config?: Partial<StoreConfig>,
): Promise<Store> {
  const dir = await mkdtemp(join(tmpdir(), "crossdock-sftp-store-"));
  const store = await createSqliteStore({
    path: join(dir, "hub.db"),
    clock,
    ids: createSequentialIds(),
    synchronous: "normal",
    ...(config ? { config } : {}),
  });
  await store.migrate();
  t.after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  return store;
}

/** The inbox messages of one connection. */
export function inboxOf(store: Store, connection = "partner"): Promise<InboxMessage[]> {
  return store.inbox.list({ connection, limit: 10_000 });
}

/** Sorted names in a local folder, or [] when it does not exist. */
export async function namesIn(folder: string): Promise<string[]> {
  try {
    return (await readdir(folder)).sort();
  } catch {
    return [];
  }
}

export { ManualClock };
