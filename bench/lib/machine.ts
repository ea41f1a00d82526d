import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, release, totalmem } from "node:os";
import { basename } from "node:path";

/** What a result depends on, recorded beside it so numbers from different machines are not compared blind. */
export interface MachineInfo {
  cpuModel: string;
  cpuCount: number;
  memoryBytes: number;
  kernel: string;
  node: string;
  /** The file system that holds the benchmark's files: device, type, mount options. */
  disk: string;
}

export function describeMachine(dataDir: string): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? "unknown",
    cpuCount: list.length,
    memoryBytes: totalmem(),
    kernel: release(),
    node: process.version,
    disk: describeDisk(dataDir),
  };
}

function describeDisk(dir: string): string {
  try {
    const out = execFileSync("findmnt", ["-n", "-o", "SOURCE,FSTYPE,OPTIONS", "-T", dir], {
      encoding: "utf8",
    }).trim();
    const [source = "?", fstype = "?", options = ""] = out.split(/\s+/);
    const mountOptions = options
      .split(",")
      .filter(
        (o) => ["rw", "ro", "relatime", "noatime", "discard", "sync"].includes(o) || o.startsWith("data="),
      );
    return `${source} ${fstype} (${mountOptions.join(",")}), ${rotational(source)}`;
  } catch {
    return "unknown (findmnt failed)";
  }
}

/** The kernel's idea of the block device: a virtual disk often reports "rotational" whatever backs it. */
function rotational(source: string): string {
  try {
    const flag = readFileSync(`/sys/block/${basename(source)}/queue/rotational`, "utf8").trim();
    return flag === "1" ? "reported rotational" : "reported non-rotational (SSD)";
  } catch {
    return "rotational flag unknown";
  }
}
