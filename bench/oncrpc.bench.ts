/**
 * ONC RPC over UDP and TCP: Lupine client → Lupine server in separate processes (each pinned to
 * its own core with taskset when present), ping-pong and 32 / 128 calls in flight, beside raw
 * node:dgram echo of the same 44-byte datagrams and the rpcgen + libtirpc C client and server
 * (built from bench/c/bench.x in a temp dir), all in one run: rounds interleaved, medians and
 * spread, CPU time per call of each side (bench/procs.ts), load averages in the notes. Ratios are
 * what count: the machine is shared.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type BenchOptions, type BenchRow, summarize } from "./harness.js";
import {
  type CpuUs,
  cpuDeltaUs,
  hasTaskset,
  LineProc,
  loadText,
  type WindowResult,
} from "./procs.js";

const here = dirname(fileURLToPath(import.meta.url));
const proc = join(here, "oncrpc-proc.js");
const cDir = resolve(here, "..", "..", "bench", "c");

/** CPU time of a process from /proc (for the C programs, which do not speak the protocol). */
function procCpu(pid: number): CpuUs {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = f.slice(f.lastIndexOf(")") + 2).split(" ");
  return { user: Number(fields[11]) * 1e4, system: Number(fields[12]) * 1e4 };
}

interface Server {
  readonly proc: LineProc;
  readonly ports: number[];
  /** Node servers answer `cpu`; the C server is read from /proc. */
  cpu(): Promise<CpuUs>;
}

async function startServer(label: string, cmd: string, args: string[]): Promise<Server> {
  const p = new LineProc(label, 0, cmd, args);
  const m = await p.next((line) => /ready udp (\d+)(?: tcp (\d+))?/.exec(line) ?? undefined);
  const node = cmd === process.execPath;
  return {
    proc: p,
    ports: [Number(m[1]), Number(m[2] ?? 0)],
    cpu: () => (node ? p.cpu() : Promise.resolve(procCpu(p.child.pid!))),
  };
}

interface ClientResult extends WindowResult {
  serverCpuUs: number;
}

/** One measured window: a client process against a running server. */
async function runClient(server: Server, cmd: string, args: string[]): Promise<ClientResult> {
  const node = cmd === process.execPath;
  const client = new LineProc("client", 1, cmd, args);
  if (node) await client.json("ready");
  const s0 = await server.cpu();
  if (node) client.send("go");
  const r = node
    ? await client.json<WindowResult>("calls")
    : await client.next((line) => {
        const m = /calls (\d+) seconds ([\d.]+) p50us ([\d.]+) p99us ([\d.]+)/.exec(line);
        if (m === null) return undefined;
        const w: WindowResult = {
          calls: Number(m[1]),
          seconds: Number(m[2]),
          p50us: Number(m[3]),
          p99us: Number(m[4]),
          cpuUs: Number.NaN,
        };
        return w;
      });
  const s1 = await server.cpu();
  await client.done();
  return { ...r, serverCpuUs: cpuDeltaUs(s0, s1) };
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
  const lupine = await startServer("lupine server", node, [proc, "serve-lupine"]);
  const echo = await startServer("echo server", node, [proc, "serve-dgram"]);
  const cServer =
    cBin === undefined ? undefined : await startServer("C server", join(cBin, "bench-server"), []);
  const [lu, lt] = lupine.ports as [number, number];
  const [eu] = echo.ports as [number];
  const rows: BenchRow[] = [];
  const loadBefore = loadText();
  type System = {
    system: string;
    server: Server;
    args: () => [string, string[]];
    baseline?: boolean;
  };
  /**
   * Runs every system once per round, interleaved (round 1 of all, then round 2 of all, ...; the
   * order rotates), so that load from other processes falls on all systems alike; one row per
   * system and group, with the median and spread over rounds, and CPU per call of each side.
   */
  const measure = async (
    systems: System[],
    groups: { calls?: string; p50?: string; cpu: string },
  ) => {
    const got = systems.map(() => ({
      calls: [] as number[],
      p50: [] as number[],
      client: [] as number[],
      server: [] as number[],
    }));
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < systems.length; k++) {
        const i = (k + r) % systems.length;
        const s = systems[i]!;
        const [cmd, args] = s.args();
        const res = await runClient(s.server, cmd, args);
        got[i]!.calls.push(res.calls / res.seconds);
        got[i]!.p50.push(res.p50us);
        got[i]!.client.push(res.cpuUs / res.calls);
        got[i]!.server.push(res.serverCpuUs / res.calls);
      }
    }
    const note = `${rounds}×${ms} ms${hasTaskset ? ", server on core 0, client on core 1" : ""}, load ${loadBefore} → ${loadText()}`;
    systems.forEach((s, i) => {
      const g = got[i]!;
      const base = s.baseline === true ? { baseline: true } : {};
      if (groups.p50 !== undefined) {
        rows.push({
          group: groups.p50,
          system: s.system,
          ...summarize(g.p50),
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
          ...summarize(g.calls),
          unit: "calls/s",
          better: "higher",
          ...base,
          note,
        });
      }
      if (g.client.every((x) => Number.isFinite(x))) {
        rows.push({
          group: `${groups.cpu}: client CPU per call`,
          system: s.system,
          ...summarize(g.client),
          unit: "µs",
          better: "lower",
          ...base,
        });
      }
      rows.push({
        group: `${groups.cpu}: server CPU per call`,
        system: s.system,
        ...summarize(g.server),
        unit: "µs",
        better: "lower",
        ...base,
        ...(s.server === cServer ? { note: "C server: /proc, 10 ms ticks" } : {}),
      });
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
      { system: "raw dgram echo", server: echo, args: raw(1), baseline: true },
      { system: "lupine onc/udp", server: lupine, args: lup("udp", lu, 1) },
      { system: "lupine onc/tcp", server: lupine, args: lup("tcp", lt, 1) },
    ];
    if (cServer !== undefined) {
      const [cu, ct] = cServer.ports as [number, number];
      pingPong.push(
        { system: "rpcgen C client → C server udp", server: cServer, args: c("udp", cu) },
        { system: "rpcgen C client → C server tcp", server: cServer, args: c("tcp", ct) },
        { system: "rpcgen C client → lupine udp", server: lupine, args: c("udp", lu) },
        { system: "lupine client → C server udp", server: cServer, args: lup("udp", cu, 1) },
        { system: "lupine client → C server tcp", server: cServer, args: lup("tcp", ct, 1) },
      );
    }
    await measure(pingPong, {
      p50: "onc rpc: ping-pong p50 latency (1 in flight)",
      calls: "onc rpc: ping-pong calls/s (1 in flight)",
      cpu: "onc rpc: ping-pong",
    });
    for (const n of [32, 128]) {
      await measure(
        [
          { system: "raw dgram echo", server: echo, args: raw(n), baseline: true },
          { system: "lupine onc/udp", server: lupine, args: lup("udp", lu, n) },
          { system: "lupine onc/tcp", server: lupine, args: lup("tcp", lt, n) },
        ],
        { calls: `onc rpc: calls/s, ${n} in flight`, cpu: `onc rpc: ${n} in flight` },
      );
    }
  } finally {
    for (const s of [lupine, echo, cServer]) {
      if (s === undefined) continue;
      s.proc.stop();
      s.proc.child.kill("SIGKILL");
    }
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
