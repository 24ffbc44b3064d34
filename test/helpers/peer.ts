/**
 * Helpers for tests against ../shared/oncrpc-peer (real rpcgen + libtirpc peers) and netlab:
 * building the peers once per process, starting peer-server, and what is missing when a test
 * must skip.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root (dist/test/helpers → ../../..). */
export const repoRoot = resolve(here, "..", "..", "..");
/** ../shared beside the checkout. */
export const sharedDir = resolve(repoRoot, "..", "shared");
export const peerDir = join(sharedDir, "oncrpc-peer");
export const netlab = join(sharedDir, "netlab", "netlab");

function have(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
}

/** Why the C peers cannot be built here, or undefined when they can. */
export function peerMissing(): string | undefined {
  if (!existsSync(join(peerDir, "Makefile"))) return `${peerDir} is absent`;
  for (const cmd of ["make", "rpcgen", "cc"]) if (!have(cmd)) return `${cmd} is not installed`;
  if (!existsSync("/usr/include/tirpc/rpc/rpc.h")) return "libtirpc-dev is not installed";
  return undefined;
}

let built: string | undefined;

/** Builds peer-server and peer-client into a temp dir (once per process); returns the dir. */
export function buildPeer(): string {
  if (built !== undefined) return built;
  const dir = mkdtempSync(join(tmpdir(), "lupine-peer-"));
  execFileSync("make", ["-s", "-C", peerDir, `BUILD=${dir}`], { stdio: "pipe" });
  built = dir;
  return dir;
}

/** Why netlab cannot run here, or undefined when it can. */
export function netlabMissing(): string | undefined {
  if (!existsSync(netlab)) return `${netlab} is absent`;
  if (process.getuid?.() !== 0) return "netlab needs root";
  const r = spawnSync(netlab, ["check"], { encoding: "utf8" });
  if (r.status !== 0) return `netlab check failed: ${r.stdout}${r.stderr}`;
  if (!have("rpcbind")) return "rpcbind is not installed";
  return undefined;
}

/** Starts a process and resolves once a line of its stdout contains `ready` text. */
export function startAndWait(
  cmd: string,
  args: readonly string[],
  ready: string,
  timeoutMs = 10_000,
): Promise<{ child: ChildProcess; line: string }> {
  return new Promise((resolveStart, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${cmd} not ready after ${timeoutMs} ms: ${out}${err}`));
    }, timeoutMs);
    child.stderr!.on("data", (d) => {
      err += d;
    });
    child.stdout!.on("data", (d) => {
      out += d;
      const line = out.split("\n").find((l) => l.includes(ready));
      if (line !== undefined) {
        clearTimeout(timer);
        resolveStart({ child, line });
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} exited with ${code}: ${out}${err}`));
    });
  });
}

/** Runs a command to completion; resolves with its exit code and output. */
export function run(
  cmd: string,
  args: readonly string[],
  timeoutMs = 60_000,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolveRun({ code, out });
    });
  });
}

/** The FAIL lines and the closing `N passed, N failed` line of peer-client output. */
export function peerSummary(out: string): string {
  return out
    .split("\n")
    .filter((l) => l.startsWith("FAIL") || /\d+ passed, \d+ failed/.test(l))
    .join("\n");
}
