/**
 * A real OpenSSH server for tests and local trials: Debian's `/usr/sbin/sshd` started in the
 * foreground with its own config, host key, client key and `authorized_keys` in a temporary
 * folder, listening on 127.0.0.1 on a free port. It serves SFTP only (`internal-sftp`) and starts
 * each session in its own home folder (`<dir>/home`, with `inbound/` and `outbound/`).
 *
 * The login user is the one running the tests: sshd run by an ordinary user can only log that user
 * in, and run by root (as in CI) it may log in root with a key (`PermitRootLogin prohibit-password`).
 * There is no chroot: OpenSSH refuses a chroot under the world-writable temp folder, so the session
 * is confined by its start folder only. Keep it on 127.0.0.1.
 *
 * Run by root, sshd needs its privilege separation folder `/run/sshd`, which Debian's service script
 * normally creates; `startSandboxSshd` creates it (empty, 0755) when missing.
 *
 * @example
 * const sshd = await startSandboxSshd();
 * const client = createSftpClient({ ...sshd.connection, connection: "3pl" });
 * await sshd.stop();
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "../../core/free-port.ts";
import { publicKeyLineFingerprint } from "./sftp-host-key.ts";
import { signalDescendants, waitForListening } from "./sshd-process.ts";

const run = promisify(execFile);

export interface SandboxSshdOptions {
  /** Path of the sshd binary. Default `/usr/sbin/sshd`. */
  sshdPath?: string;
}

/** How to reach the sandbox server: the fields an SFTP connection needs. */
export interface SandboxSshdConnection {
  host: string;
  port: number;
  username: string;
  privateKey: Buffer;
  hostKeyFingerprint: string;
}

export interface SandboxSshd {
  readonly connection: SandboxSshdConnection;
  /** Local path of the SFTP home folder (relative remote paths start here). */
  readonly home: string;
  /** The temporary folder holding keys, config and home. */
  readonly dir: string;
  /** The server's recent stderr (sshd `-e`), for diagnostics. */
  log(): string;
  /** Stops the server and ends its open sessions; `start()` brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /**
   * Freezes the listener and its open sessions (SIGSTOP): connections are accepted by the kernel but
   * never answered and calls in flight get no reply, as with a hung server. `resume()` lets them go on.
   */
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Stops and removes the temporary folder. */
  close(): Promise<void>;
}

async function keygen(path: string): Promise<void> {
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "crossdock-sandbox", "-f", path]);
}

// Key authentication only: sshd without PAM cannot check passwords unless it runs as root.
function sshdConfig(dir: string, port: number, user: string): string {
  return `Port ${port}
ListenAddress 127.0.0.1
HostKey ${join(dir, "host_key")}
PidFile ${join(dir, "sshd.pid")}
AuthorizedKeysFile ${join(dir, "authorized_keys")}
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
PermitEmptyPasswords no
AllowUsers ${user}
StrictModes no
UsePAM no
LogLevel INFO
AllowTcpForwarding no
AllowAgentForwarding no
X11Forwarding no
PermitTTY no
Subsystem sftp internal-sftp
ForceCommand internal-sftp -d ${join(dir, "home")}
`;
}

/** Starts a sandbox sshd; resolves once it accepts connections. */
export async function startSandboxSshd(options: SandboxSshdOptions = {}): Promise<SandboxSshd> {
  const sshdPath = options.sshdPath ?? "/usr/sbin/sshd";
  const user = userInfo().username;
  const isRoot = process.getuid?.() === 0;
  if (isRoot) await mkdir("/run/sshd", { recursive: true, mode: 0o755 });
  const dir = await mkdtemp(join(tmpdir(), "crossdock-sshd-"));
  await Promise.all([keygen(join(dir, "host_key")), keygen(join(dir, "client_key"))]);
  await writeFile(join(dir, "authorized_keys"), await readFile(join(dir, "client_key.pub")));
  await mkdir(join(dir, "home", "inbound"), { recursive: true });
  await mkdir(join(dir, "home", "outbound"), { recursive: true });
  const connection: SandboxSshdConnection = {
    host: "127.0.0.1",
    port: 0,
    username: user,
    privateKey: await readFile(join(dir, "client_key")),
    hostKeyFingerprint: publicKeyLineFingerprint(await readFile(join(dir, "host_key.pub"), "utf8")),
  };
  let child: ChildProcess | undefined;
  let stderr = "";

  async function launch(port: number): Promise<void> {
    const config = join(dir, "sshd_config");
    await writeFile(config, sshdConfig(dir, port, user));
    stderr = "";
    const proc = spawn(sshdPath, ["-D", "-e", "-f", config], { stdio: ["ignore", "ignore", "pipe"] });
    proc.stderr?.on("data", (chunk) => {
      stderr = (stderr + String(chunk)).slice(-8_000);
    });
    child = proc;
    // A test process that exits without close() must not leave a server behind (its sessions end
    // when their connections from this process close).
    const orphanGuard = () => proc.kill("SIGKILL");
    process.once("exit", orphanGuard);
    proc.once("exit", () => process.off("exit", orphanGuard));
    await waitForListening(proc, port, () => stderr);
  }

  async function stop(): Promise<void> {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    // Sessions first: once the listener is gone they are re-parented and can no longer be told apart.
    if (proc.pid !== undefined) await signalDescendants(proc.pid, "SIGKILL");
    const exited = new Promise((resolve) => proc.once("exit", resolve));
    proc.kill("SIGTERM");
    proc.kill("SIGCONT");
    await exited;
  }

  // freePort can race with another process taking the port: try a few.
  for (let attempt = 1; ; attempt++) {
    connection.port = await freePort();
    try {
      await launch(connection.port);
      break;
    } catch (error) {
      await stop();
      if (attempt >= 3) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
  return {
    connection,
    home: join(dir, "home"),
    dir,
    log: () => stderr,
    stop,
    start: () =>
      child && child.exitCode === null && child.signalCode === null
        ? Promise.resolve()
        : launch(connection.port),
    async pause() {
      if (child?.pid === undefined) return;
      child.kill("SIGSTOP");
      await signalDescendants(child.pid, "SIGSTOP");
    },
    async resume() {
      if (child?.pid === undefined) return;
      await signalDescendants(child.pid, "SIGCONT");
      child.kill("SIGCONT");
    },
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
