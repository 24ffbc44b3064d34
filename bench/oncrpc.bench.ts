/**
 * ONC RPC over UDP and TCP: Lupine client → Lupine server in separate processes (each pinned to
 * its own core with taskset when present), ping-pong and 32 / 128 calls in flight, beside raw
 * node:dgram echo of the same 44-byte datagrams and the rpcgen + libtirpc C client and server
 * (built from bench/c/bench.x in a temp dir), all in one run. Ratios are what count: the
 * machine is shared.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type BenchOptions, type BenchRow, summarize } from "./harness.js";

const here = dirname(fileURLToPath(import.meta.url));
const proc = join(here, "oncrpc-proc.js");
const cDir = resolve(here, "..", "..", "bench", "c");
const hasTaskset = spawnSync("sh", ["-c", "command -v taskset"]).status === 0;

function pinned(core: number, cmd: string, args: string[]): [string, string[]] {
  return hasTaskset ? ["taskset", ["-c", String(core), cmd, ...args]] : [cmd, args];
}

function startServer(
  cmd: string,
  args: string[],
): Promise<{ child: ChildProcess; ports: number[] }> {
  const [c, a] = pinned(0, cmd, args);
  return new Promise((res, rej) => {
    const child = spawn(c, a, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      const m = /ready udp (\d+)(?: tcp (\d+))?/.exec(out);
      if (m !== null) res({ child, ports: [Number(m[1]), Number(m[2] ?? 0)] });
    });
    child.on("exit", (code) => rej(new Error(`${cmd} exited with ${code}`)));
  });
}

interface ClientResult {
  calls: number;
  seconds: number;
  p50us: number;
  p99us: number;
}

function runClient(cmd: string, args: string[]): ClientResult {
  const [c, a] = pinned(1, cmd, args);
  const out = execFileSync(c, a, { encoding: "utf8", timeout: 120_000 });
  const json = out.trim().split("\n").pop()!;
  if (json.startsWith("{")) return JSON.parse(json) as ClientResult;
  const m = /calls (\d+) seconds ([\d.]+) p50us ([\d.]+) p99us ([\d.]+)/.exec(json);
  if (m === null) throw new Error(`bad client output: ${out}`);
  return { calls: Number(m[1]), seconds: Number(m[2]), p50us: Number(m[3]), p99us: Number(m[4]) };
}

function buildC(): string | undefined {
  for (const tool of ["rpcgen", "cc"])
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "lupine-bench-c-"));
  const tirpc = ["-I/usr/include/tirpc"];
  try {
    // rpcgen writes the .x's path into #include lines: run it in the temp dir on a copy.
    copyFileSync(join(cDir, "bench.x"), join(dir, "bench.x"));
    const gen = (flag: string, out: string) =>
      execFileSync("rpcgen", [flag, "-o", out, "bench.x"], { cwd: dir });
    gen("-h", "bench.h");
    gen("-c", "bench_xdr.c");
    gen("-l", "bench_clnt.c");
    gen("-m", "bench_svc.c");
    const cc = (out: string, ...src: string[]) =>
      execFileSync("cc", [
        "-O2",
        "-w",
        ...tirpc,
        "-I",
        dir,
        "-o",
        join(dir, out),
        ...src,
        "-ltirpc",
      ]);
    cc(
      "bench-server",
      join(cDir, "bench-server.c"),
      join(dir, "bench_svc.c"),
      join(dir, "bench_xdr.c"),
    );
    cc(
      "bench-client",
      join(cDir, "bench-client.c"),
      join(dir, "bench_clnt.c"),
      join(dir, "bench_xdr.c"),
    );
    return dir;
  } catch {
    return undefined;
  }
}

export async function run(options: BenchOptions): Promise<BenchRow[]> {
  const ms = options.quick ? 300 : 1000;
  const rounds = options.quick ? 1 : 5;
  const node = process.execPath;
  const cBin = buildC();
  const lupine = await startServer(node, [proc, "serve-lupine"]);
  const echo = await startServer(node, [proc, "serve-dgram"]);
  const cServer =
    cBin === undefined ? undefined : await startServer(join(cBin, "bench-server"), []);
  const [lu, lt] = lupine.ports as [number, number];
  const [eu] = echo.ports as [number];
  const rows: BenchRow[] = [];
  const note = `${rounds}×${ms} ms${hasTaskset ? ", server on core 0, client on core 1" : ""}`;
  type System = { system: string; args: () => [string, string[]]; baseline?: boolean };
  /**
   * Runs every system once per round, interleaved (round 1 of all, then round 2 of all, ...), so
   * that load from other processes falls on all systems alike; one row per system and group,
   * with the median over rounds.
   */
  const measure = (systems: System[], groups: { calls?: string; p50?: string }) => {
    const calls = systems.map(() => [] as number[]);
    const p50 = systems.map(() => [] as number[]);
    for (let r = 0; r < rounds; r++) {
      systems.forEach((s, i) => {
        const [cmd, args] = s.args();
        const res = runClient(cmd, args);
        calls[i]!.push(res.calls / res.seconds);
        p50[i]!.push(res.p50us);
      });
    }
    systems.forEach((s, i) => {
      const base = s.baseline === true ? { baseline: true } : {};
      if (groups.p50 !== undefined) {
        rows.push({
          group: groups.p50,
          system: s.system,
          ...summarize(p50[i]!),
          unit: "µs",
          better: "lower",
          ...base,
          note,
        });
      }
      if (groups.calls !== undefined) {
        rows.push({
          group: groups.calls,
          system: s.system,
          ...summarize(calls[i]!),
          unit: "calls/s",
          better: "higher",
          ...base,
          note,
        });
      }
    });
  };
  const lup = (proto: string, port: number, n: number) => (): [string, string[]] => [
    node,
    [proc, "client-lupine", proto, String(port), String(n), String(ms)],
  ];
  const raw = (n: number) => (): [string, string[]] => [
    node,
    [proc, "client-dgram", String(eu), String(n), String(ms)],
  ];
  const c = (proto: string, port: number) => (): [string, string[]] => [
    join(cBin!, "bench-client"),
    ["127.0.0.1", proto, String(port), String(ms)],
  ];
  try {
    const pingPong: System[] = [
      { system: "raw dgram echo", args: raw(1), baseline: true },
      { system: "lupine onc/udp", args: lup("udp", lu, 1) },
      { system: "lupine onc/tcp", args: lup("tcp", lt, 1) },
    ];
    if (cServer !== undefined) {
      const [cu, ct] = cServer.ports as [number, number];
      pingPong.push(
        { system: "rpcgen C client → C server udp", args: c("udp", cu) },
        { system: "rpcgen C client → C server tcp", args: c("tcp", ct) },
        { system: "rpcgen C client → lupine udp", args: c("udp", lu) },
        { system: "lupine client → C server udp", args: lup("udp", cu, 1) },
        { system: "lupine client → C server tcp", args: lup("tcp", ct, 1) },
      );
    }
    measure(pingPong, {
      p50: "onc rpc: ping-pong p50 latency (1 in flight)",
      calls: "onc rpc: ping-pong calls/s (1 in flight)",
    });
    for (const n of [32, 128]) {
      measure(
        [
          { system: "raw dgram echo", args: raw(n), baseline: true },
          { system: "lupine onc/udp", args: lup("udp", lu, n) },
          { system: "lupine onc/tcp", args: lup("tcp", lt, n) },
        ],
        { calls: `onc rpc: calls/s, ${n} in flight` },
      );
    }
  } finally {
    for (const s of [lupine, echo, cServer]) s?.child.kill("SIGKILL");
  }
  if (cBin === undefined) {
    rows.push({
      group: "onc rpc: ping-pong calls/s (1 in flight)",
      system: "rpcgen C",
      value: Number.NaN,
      unit: "calls/s",
      better: "higher",
      note: "rpcgen/cc/libtirpc missing: not measured",
    });
  }
  return rows;
}
