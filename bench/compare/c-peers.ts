/**
 * The rpcgen + libtirpc C client and server of the benchmarks, built from `bench/c/bench.x` (the
 * same file `bench/gen/bench.ts` is generated from) and `bench/c/bench-{client,server}.c` into a
 * temporary directory: `rpcgen -h/-c/-l/-m`, then `cc -O2 ... -ltirpc`. Built once per process.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
/** The C sources (the compiled module sits in dist/bench/compare/). */
const cDir = resolve(here, "..", "..", "..", "bench", "c");

/** Paths of the built programs. */
export interface CPeers {
  readonly client: string;
  readonly server: string;
}

let built: CPeers | string | undefined;

/** Builds the C peers once; returns their paths, or why they cannot be built here. */
export function buildCPeers(): CPeers | string {
  built ??= build();
  return built;
}

function build(): CPeers | string {
  for (const tool of ["rpcgen", "cc"])
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) return `${tool} is missing`;
  const dir = mkdtempSync(join(tmpdir(), "lupine-bench-c-"));
  try {
    // rpcgen writes the .x's path into #include lines: run it in the temp dir on a copy.
    copyFileSync(join(cDir, "bench.x"), join(dir, "bench.x"));
    for (const [flag, out] of [
      ["-h", "bench.h"],
      ["-c", "bench_xdr.c"],
      ["-l", "bench_clnt.c"],
      ["-m", "bench_svc.c"],
    ] as const) {
      execFileSync("rpcgen", [flag, "-o", out, "bench.x"], { cwd: dir, stdio: "pipe" });
    }
    const cc = (out: string, ...src: string[]) =>
      execFileSync(
        "cc",
        ["-O2", "-w", "-I/usr/include/tirpc", "-I", dir, "-o", join(dir, out), ...src, "-ltirpc"],
        { stdio: "pipe" },
      );
    const xdr = join(dir, "bench_xdr.c");
    cc("bench-server", join(cDir, "bench-server.c"), join(dir, "bench_svc.c"), xdr);
    cc("bench-client", join(cDir, "bench-client.c"), join(dir, "bench_clnt.c"), xdr);
    return { client: join(dir, "bench-client"), server: join(dir, "bench-server") };
  } catch (e) {
    const err = e as { stderr?: Buffer };
    return `building the rpcgen C peers failed: ${err.stderr?.toString().trim().split("\n")[0] ?? String(e)}`;
  }
}
