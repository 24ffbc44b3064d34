/**
 * Compiling the largest real `.x` file (libvirt remote_protocol.x, 6,978 lines, from
 * ../shared/corpus) cold, in a fresh `lupine gen` process, beside the reference `rpcgen -c` (XDR
 * routines) and `rpcgen -h` (header) on the same file; plus a warm in-process compile. Target:
 * ≤ 1 s cold. Wall-clock milliseconds, median of several rounds.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "../src/compiler/index.js";
import { fsHost } from "../test/support.js";
import { type BenchOptions, type BenchRow, summarize } from "./harness.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const FILE = "zwbclearlove__libvirt-colo-extension/src__remote__remote_protocol.x";
/** Constants libvirt's C headers give the file. */
const DEFINES = {
  VIR_UUID_BUFLEN: "16",
  VIR_SECURITY_MODEL_BUFLEN: "257",
  VIR_SECURITY_LABEL_BUFLEN: "4097",
  VIR_SECURITY_DOI_BUFLEN: "257",
  VIR_TYPED_PARAM_INT: "1",
  VIR_TYPED_PARAM_UINT: "2",
  VIR_TYPED_PARAM_LLONG: "3",
  VIR_TYPED_PARAM_ULLONG: "4",
  VIR_TYPED_PARAM_DOUBLE: "5",
  VIR_TYPED_PARAM_BOOLEAN: "6",
  VIR_TYPED_PARAM_STRING: "7",
};

function timeMs(cmd: string, args: string[], cwd: string): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr}`);
  return ms;
}

/** Runs the compiler benchmark. */
export async function run(options: BenchOptions): Promise<BenchRow[]> {
  const shared = process.env.LUPINE_SHARED ?? join(root, "..", "shared");
  const source = join(shared, "corpus", "x", FILE);
  const group = "compiler: remote_protocol.x (6,978 lines), cold process";
  if (!existsSync(source)) {
    return [
      {
        group,
        system: "lupine gen",
        value: Number.NaN,
        unit: "ms",
        better: "lower",
        note: "../shared is absent",
      },
    ];
  }
  const dir = mkdtempSync(join(tmpdir(), "lupine-bench-gen-"));
  try {
    copyFileSync(source, join(dir, "remote_protocol.x"));
    const rounds = options.quick ? 1 : 5;
    const cli = join(root, "dist", "src", "cli", "main.js");
    const defs = Object.entries(DEFINES).flatMap(([k, v]) => ["-D", `${k}=${v}`]);
    const series = (fn: () => number) => summarize(Array.from({ length: rounds }, fn));
    const rows: BenchRow[] = [];
    rows.push({
      group,
      system: "lupine gen (node, cold)",
      unit: "ms",
      better: "lower",
      ...series(() =>
        timeMs(process.execPath, [cli, "gen", "remote_protocol.x", ...defs, "-o", "out"], dir),
      ),
    });
    const rpcgen = spawnSync("rpcgen", ["--version"], { stdio: "ignore" }).error === undefined;
    for (const flag of ["-c", "-h"]) {
      rows.push(
        rpcgen
          ? {
              group,
              system: `rpcgen ${flag}`,
              unit: "ms",
              better: "lower",
              ...series(() => {
                rmSync(join(dir, `out${flag}`), { force: true });
                return timeMs("rpcgen", [flag, "-o", `out${flag}`, "remote_protocol.x"], dir);
              }),
              ...(flag === "-c" ? { baseline: true } : {}),
            }
          : {
              group,
              system: `rpcgen ${flag}`,
              value: Number.NaN,
              unit: "ms",
              better: "lower",
              note: "rpcgen is missing",
            },
      );
    }
    const warm = series(() => {
      const t0 = performance.now();
      compile({
        host: fsHost,
        files: [join(dir, "remote_protocol.x")],
        defines: new Map(Object.entries(DEFINES)),
      });
      return performance.now() - t0;
    });
    rows.push({
      group: "compiler: remote_protocol.x, warm in-process compile()",
      system: "lupine compile()",
      unit: "ms",
      better: "lower",
      ...warm,
    });
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
