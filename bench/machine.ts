/**
 * What a benchmark run ran on and which code it measured, recorded at the start of the run (so the
 * load average is the one before it): CPU model and cores, memory, kernel, Node, the versions of
 * the compared systems, the git commit (and whether the tree had uncommitted changes).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem } from "node:os";
import { join } from "node:path";

/** The machine and code of a run. */
export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly cpuMHz: number | null;
  readonly memoryGiB: number;
  readonly kernel: string;
  readonly node: string;
  /** 1-, 5- and 15-minute load averages when the run started. */
  readonly loadBefore: readonly number[];
  readonly taskset: boolean;
  readonly root: boolean;
  readonly versions: Readonly<Record<string, string>>;
  readonly git: { readonly commit: string; readonly subject: string; readonly dirty: boolean };
}

function text(cmd: string, args: readonly string[], cwd?: string): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", ...(cwd === undefined ? {} : { cwd }) });
  return r.status === 0 ? r.stdout.trim() : "";
}

function cpuInfo(): { model: string; mhz: number | null } {
  try {
    const info = readFileSync("/proc/cpuinfo", "utf8");
    const model = /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim();
    const mhz = /^cpu MHz\s*:\s*([\d.]+)$/m.exec(info)?.[1];
    return { model: model ?? cpus()[0]?.model ?? "?", mhz: mhz === undefined ? null : Number(mhz) };
  } catch {
    return { model: cpus()[0]?.model ?? "?", mhz: null };
  }
}

function packageVersion(root: string, name: string): string {
  const p = join(root, "node_modules", name, "package.json");
  if (!existsSync(p)) return "absent";
  return (JSON.parse(readFileSync(p, "utf8")) as { version: string }).version;
}

/** Reads the machine's description; `root` is the repository checkout. */
export function machineInfo(root: string): MachineInfo {
  const cpu = cpuInfo();
  const dpkg = (pkg: string) => text("dpkg-query", ["-W", `-f=\${Version}`, pkg]) || "absent";
  return {
    cpuModel: cpu.model,
    cores: cpus().length,
    cpuMHz: cpu.mhz,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    loadBefore: loadavg(),
    taskset: spawnSync("sh", ["-c", "command -v taskset"]).status === 0,
    root: process.getuid?.() === 0,
    versions: {
      "@grpc/grpc-js": packageVersion(root, "@grpc/grpc-js"),
      "libtirpc-dev": dpkg("libtirpc-dev"),
      rpcgen: dpkg("rpcsvc-proto"),
      cc: text("cc", ["-dumpfullversion"]) || "absent",
    },
    git: {
      commit: text("git", ["rev-parse", "HEAD"], root),
      subject: text("git", ["log", "-1", "--format=%s"], root),
      dirty: text("git", ["status", "--porcelain", "--untracked-files=no"], root) !== "",
    },
  };
}
