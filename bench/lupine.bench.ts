/**
 * Lupine's transport beside raw Node dgram echo, grpc-js and Node TCP, in one run, over loopback.
 * Each server runs in its own process (bench/servers/echo-servers.ts) pinned to CPU 0 with
 * taskset when present; each measured window of small calls runs a fresh client process
 * (bench/servers/small-client.ts) pinned to CPU 1, as is this process. Rounds are interleaved
 * (every system once per round, the order rotating), rows give the median and the spread over
 * rounds, and every row notes the load average before and after.
 *
 * Parts (`npm run bench -- lupine [small|cpu|bulk|lossy]`): `small`: ping-pong p50 latency,
 * calls/s with 32 and 128 calls in flight, CPU per call of the client and of the server (each
 * process's own `process.cpuUsage()`); `cpu`: the transport's own CPU per call with client and
 * server in one process (no sockets); `bulk`: MB/s of one large argument (1 GiB; 32 MiB with
 * --quick) beside Node TCP moving the same bytes; `lossy`: a lossy link and competing flows
 * through netlab (bench/lossy.ts).
 */
import { execFileSync } from "node:child_process";
import * as net from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { connectLupine } from "../src/transport/lupine-node.js";
import type { BenchOptions, BenchRow } from "./harness.js";
import { summarize } from "./harness.js";
import { measureLossy } from "./lossy.js";
import { cpuDeltaUs, hasTaskset, LineProc, loadText, type WindowResult } from "./procs.js";
import { BENCH_PROGRAM, BENCH_SINK } from "./servers/echo-servers.js";

const here = dirname(fileURLToPath(import.meta.url));
const HOST = "127.0.0.1";

interface Server {
  port: number;
  proc: LineProc;
}

async function startServer(kind: string, mtu: number | "default" = "default"): Promise<Server> {
  const script = join(here, "servers", "echo-servers.js");
  const proc = new LineProc(`${kind} server`, 0, process.execPath, [
    script,
    kind,
    HOST,
    String(mtu),
  ]);
  const { port } = await proc.json<{ port: number }>("port");
  return { port, proc };
}

function stopServer(s: Server): void {
  s.proc.stop();
}

/** One measured window: a fresh client process against a running server, CPU of both sides. */
async function smallWindow(server: Server, kind: string, inflight: number, ms: number) {
  const client = new LineProc(`${kind} client`, 1, process.execPath, [
    join(here, "servers", "small-client.js"),
    kind,
    HOST,
    String(server.port),
    String(inflight),
    String(ms),
  ]);
  await client.json("ready");
  const s0 = await server.proc.cpu();
  client.send("go");
  const r = await client.json<WindowResult>("calls");
  const s1 = await server.proc.cpu();
  await client.done();
  return { ...r, serverCpuUs: cpuDeltaUs(s0, s1) };
}

interface SmallSystem {
  readonly name: string;
  readonly kind: string;
  readonly depths: readonly number[];
  readonly baseline?: boolean;
}

const SMALL_SYSTEMS: readonly SmallSystem[] = [
  { name: "raw dgram echo", kind: "dgram", depths: [1, 32, 128], baseline: true },
  { name: "lupine", kind: "lupine", depths: [1, 32, 128] },
  { name: "grpc-js", kind: "grpc", depths: [1, 128] },
];

/**
 * Small calls: ping-pong (1 in flight) and 32 / 128 in flight, every system once per round,
 * rounds interleaved (the order rotates each round) so that load from other processes falls on
 * every system alike; medians and spread over rounds, CPU per call of each side.
 */
async function measureSmall(options: BenchOptions, rows: BenchRow[]): Promise<void> {
  const ms = options.quick ? 200 : 1000;
  const rounds = options.quick ? 1 : 5;
  const servers = new Map<string, Server>();
  type Sample = { rate: number[]; p50: number[]; client: number[]; server: number[] };
  const samples = new Map<string, Sample>();
  const key = (s: SmallSystem, depth: number) => `${s.name}|${depth}`;
  const loadBefore = loadText();
  try {
    for (const s of SMALL_SYSTEMS) servers.set(s.kind, await startServer(s.kind));
    for (let round = 0; round < rounds; round++) {
      for (const depth of [1, 32, 128]) {
        const n = SMALL_SYSTEMS.length;
        for (let k = 0; k < n; k++) {
          const s = SMALL_SYSTEMS[(k + round) % n]!;
          if (!s.depths.includes(depth)) continue;
          const r = await smallWindow(servers.get(s.kind)!, s.kind, depth, ms);
          let m = samples.get(key(s, depth));
          if (m === undefined) {
            m = { rate: [], p50: [], client: [], server: [] };
            samples.set(key(s, depth), m);
          }
          m.rate.push(r.calls / r.seconds);
          m.p50.push(r.p50us);
          m.client.push(r.cpuUs / r.calls);
          m.server.push(r.serverCpuUs / r.calls);
        }
      }
    }
  } finally {
    for (const s of servers.values()) stopServer(s);
  }
  const note = `${rounds}×${ms} ms, load ${loadBefore} → ${loadText()}`;
  for (const depth of [1, 32, 128]) {
    const what = depth === 1 ? "ping-pong" : `${depth} in flight`;
    for (const s of SMALL_SYSTEMS) {
      const m = samples.get(key(s, depth));
      if (m === undefined) continue;
      const base = s.baseline === true ? { baseline: true } : {};
      const cpu = (group: string, v: number[]) =>
        rows.push({ group, system: s.name, ...summarize(v), unit: "µs", better: "lower", ...base });
      if (depth === 1) {
        rows.push({
          group: "small call: ping-pong p50",
          system: s.name,
          ...summarize(m.p50),
          unit: "µs",
          better: "lower",
          ...base,
          note,
        });
      } else {
        rows.push({
          group: `small calls: ${depth} in flight`,
          system: s.name,
          ...summarize(m.rate),
          unit: "calls/s",
          better: "higher",
          ...base,
          note,
        });
      }
      cpu(
        `small calls: CPU per call, client + server, ${what}`,
        m.client.map((c, i) => c + m.server[i]!),
      );
      cpu(`small calls: client CPU per call, ${what}`, m.client);
      cpu(`small calls: server CPU per call, ${what}`, m.server);
    }
  }
}

/**
 * The transport's own CPU time per call, client and server in one process over an in-memory port
 * (bench/inproc-pair.ts): no kernel, no sockets, so it hardly depends on other load.
 */
async function measureInProcess(options: BenchOptions, rows: BenchRow[]): Promise<void> {
  const ms = options.quick ? 300 : 1500;
  const rounds = options.quick ? 1 : 3;
  const depths = [1, 32, 128];
  const got = depths.map(() => ({ cpu: [] as number[], per: [] as number[] }));
  const load = loadText();
  for (let r = 0; r < rounds; r++) {
    for (const [i, depth] of depths.entries()) {
      const p = new LineProc("in-process pair", 1, process.execPath, [
        join(here, "inproc-pair.js"),
        String(depth),
        String(ms),
      ]);
      const res = await p.json<WindowResult & { callsPerDatagram: number }>("calls");
      await p.done();
      got[i]!.cpu.push(res.cpuUs / res.calls);
      got[i]!.per.push(res.callsPerDatagram);
    }
  }
  for (const [i, depth] of depths.entries()) {
    const g = got[i]!;
    rows.push({
      group: "small calls in one process (no sockets): CPU per call, client + server",
      system: depth === 1 ? "lupine, ping-pong" : `lupine, ${depth} in flight`,
      ...summarize(g.cpu),
      unit: "µs",
      better: "lower",
      note: `${summarize(g.per).value.toFixed(1)} calls per datagram; ${rounds}×${ms} ms, load ${load}`,
    });
  }
}

/** Sends `data` to a Node TCP sink server; MB/s. */
async function tcpSend(port: number, data: Uint8Array): Promise<number> {
  const sock = net.connect(port, HOST);
  await new Promise<void>((r) => sock.once("connect", () => r()));
  const t0 = performance.now();
  const head = Buffer.alloc(8);
  head.writeBigUInt64BE(BigInt(data.length));
  sock.write(head);
  for (let at = 0; at < data.length; at += 16 << 20) {
    if (!sock.write(data.subarray(at, Math.min(data.length, at + (16 << 20))))) {
      await new Promise<void>((r) => sock.once("drain", () => r()));
    }
  }
  await new Promise<void>((r) => sock.once("data", () => r()));
  const mbs = data.length / 1e6 / ((performance.now() - t0) / 1000);
  sock.destroy();
  return mbs;
}

/** Sends `data` as one Lupine call argument to the sink procedure; MB/s and a note. */
async function lupineSend(port: number, data: Uint8Array, mtu: number | undefined) {
  const t = await connectLupine(
    { host: HOST, port },
    mtu === undefined ? {} : { maxDatagramBytes: mtu },
  );
  const t0 = performance.now();
  const res = await t.call({
    program: BENCH_PROGRAM,
    version: 1,
    procedure: BENCH_SINK,
    procedureName: "SINK",
    timeoutMs: 600_000,
    writeArgs: (w) => w.writeVarOpaque(data),
    readResult: (r) => {
      const n = r.readUint();
      r.readUint(); // sampled sum
      return n;
    },
  });
  const mbs = data.length / 1e6 / ((performance.now() - t0) / 1000);
  if (res !== data.length >>> 0) throw new Error(`sink saw ${res} bytes of ${data.length}`);
  const st = t.stats();
  await t.close();
  return {
    mbs,
    note: `${st.retransmissions} retransmissions, ${st.datagramsSent} datagrams`,
  };
}

interface BulkSystem {
  readonly system: string;
  readonly server: string;
  /** Lupine's datagram size (undefined: the transport's default for the destination). */
  readonly mtu?: number;
  readonly baseline?: boolean;
}

const BULK_SYSTEMS: readonly BulkSystem[] = [
  { system: "node tcp (bytes discarded)", server: "tcp", baseline: true },
  { system: "node tcp (argument assembled)", server: "tcp-assemble" },
  { system: "lupine (default datagram size)", server: "lupine" },
  { system: "lupine (datagrams ≤ 8972 B)", server: "lupine", mtu: 8972 },
];

/**
 * Bulk: one large argument (1 GiB; 32 MiB with --quick) over loopback, rounds interleaved, with
 * the CPU time of each side per MB. Each round starts fresh server processes (a receiver's
 * memory from an earlier transfer would make the next one cheaper).
 */
async function measureBulk(options: BenchOptions, rows: BenchRow[]): Promise<void> {
  const bytes = options.quick ? 32 * 1024 * 1024 : 1024 * 1024 * 1024;
  const rounds = options.quick ? 1 : 3;
  const data = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i += 4096) data[i] = (i >>> 12) & 0xff;
  const label = `bulk: one ${bytes >= 1 << 30 ? "1 GiB" : `${bytes >> 20} MiB`} argument over loopback`;
  const got = BULK_SYSTEMS.map(() => ({
    mbs: [] as number[],
    send: [] as number[],
    recv: [] as number[],
    note: "",
  }));
  const loadBefore = loadText();
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < BULK_SYSTEMS.length; k++) {
      const i = (k + round) % BULK_SYSTEMS.length;
      const sys = BULK_SYSTEMS[i]!;
      const srv = await startServer(sys.server, sys.mtu ?? "default");
      try {
        const s0 = await srv.proc.cpu();
        const c0 = process.cpuUsage();
        let mbs: number;
        if (sys.server === "lupine") {
          const r = await lupineSend(srv.port, data, sys.mtu);
          mbs = r.mbs;
          got[i]!.note = r.note;
        } else {
          mbs = await tcpSend(srv.port, data);
        }
        const c = process.cpuUsage(c0);
        const s1 = await srv.proc.cpu();
        const mb = bytes / 1e6;
        got[i]!.mbs.push(mbs);
        got[i]!.send.push((c.user + c.system) / mb);
        got[i]!.recv.push(cpuDeltaUs(s0, s1) / mb);
      } finally {
        stopServer(srv);
        await srv.proc.done();
      }
    }
  }
  const load = `load ${loadBefore} → ${loadText()}`;
  BULK_SYSTEMS.forEach((sys, i) => {
    const g = got[i]!;
    const base = sys.baseline === true ? { baseline: true } : {};
    rows.push({
      group: label,
      system: sys.system,
      ...summarize(g.mbs),
      unit: "MB/s",
      better: "higher",
      ...base,
      note: `${rounds} rounds, ${load}${g.note === "" ? "" : `; last: ${g.note}`}`,
    });
    rows.push({
      group: `${label}: sender CPU per MB`,
      system: sys.system,
      ...summarize(g.send),
      unit: "µs",
      better: "lower",
      ...base,
    });
    rows.push({
      group: `${label}: receiver CPU per MB`,
      system: sys.system,
      ...summarize(g.recv),
      unit: "µs",
      better: "lower",
      ...base,
    });
  });
}

/** Runs the Lupine transport benchmarks. */
export async function run(options: BenchOptions): Promise<BenchRow[]> {
  if (hasTaskset) {
    try {
      execFileSync("taskset", ["-p", "-c", "1", String(process.pid)], { stdio: "ignore" });
    } catch {
      // Not pinned: numbers are noisier, ratios still hold.
    }
  }
  const rows: BenchRow[] = [];
  const parts: string[] = options.filters.filter((f) =>
    ["small", "cpu", "bulk", "lossy"].includes(f),
  );
  const want = (what: string) => parts.length === 0 || parts.includes(what);
  if (want("small")) await measureSmall(options, rows);
  if (want("cpu")) await measureInProcess(options, rows);
  if (want("bulk")) await measureBulk(options, rows);
  if (want("lossy")) await measureLossy(options, rows);
  return rows;
}
