/**
 * Lupine's transport beside raw Node dgram echo, grpc-js and Node TCP, in one run, over loopback.
 * Each server runs in its own process (bench/servers/echo-servers.ts), pinned to CPU 0 with
 * taskset when present; this process (the client) pins itself to CPU 1.
 *
 * Groups: ping-pong p50 latency; calls/s with 32 and 128 calls in flight; CPU per call (client +
 * server, from /proc); bulk MB/s of one large argument (1 GiB; 32 MiB with --quick) beside Node
 * TCP moving the same bytes; the secure transport beside the plain one (`lupine-secure-rows.ts`).
 * Parts can be picked by filter: `npm run bench -- lupine small|bulk|lossy|secure`.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import * as dgram from "node:dgram";
import { existsSync, readFileSync } from "node:fs";
import * as net from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import type { CallRequest } from "../src/runtime/transport.js";
import { connectLupine } from "../src/transport/lupine-node.js";
import type { XdrReader, XdrWriter } from "../src/xdr/index.js";
import type { BenchOptions, BenchRow } from "./harness.js";
import { summarize } from "./harness.js";
import { measureSecure } from "./lupine-secure-rows.js";
import { BENCH_ECHO, BENCH_PROGRAM, BENCH_SINK, grpcService } from "./servers/echo-servers.js";

const here = dirname(fileURLToPath(import.meta.url));
const HOST = "127.0.0.1";
const hasTaskset = existsSync("/usr/bin/taskset");

interface Server {
  port: number;
  pid: number;
  child: ChildProcess;
}

async function startServer(
  kind: string,
  mtu = 1472,
  env: Record<string, string> = {},
): Promise<Server> {
  const script = join(here, "servers", "echo-servers.js");
  const args = [script, kind, HOST, String(mtu)];
  const spawnOptions = {
    stdio: ["pipe", "pipe", "inherit"] as ("pipe" | "inherit")[],
    env: { ...process.env, ...env },
  };
  const child = hasTaskset
    ? spawn("taskset", ["-c", "0", process.execPath, ...args], spawnOptions)
    : spawn(process.execPath, args, spawnOptions);
  const port = await new Promise<number>((resolve, reject) => {
    let buf = "";
    child.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf("\n");
      if (nl >= 0) resolve((JSON.parse(buf.slice(0, nl)) as { port: number }).port);
    });
    child.once("exit", (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
  return { port, pid: child.pid!, child };
}

function stopServer(s: Server): void {
  s.child.stdin!.end();
  setTimeout(() => s.child.kill("SIGKILL"), 2000).unref();
}

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = f.slice(f.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** A system under test: one call function (resolves when its reply is back). */
interface Caller {
  call(): Promise<void>;
  close(): Promise<void>;
}

async function rawDgram(port: number): Promise<Caller> {
  const s = dgram.createSocket({ type: "udp4", recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  await new Promise<void>((r) => {
    s.bind(0, HOST, r);
  });
  const waiting: (() => void)[] = [];
  s.on("message", () => waiting.shift()?.());
  const msg = Buffer.alloc(32);
  return {
    call: () =>
      new Promise<void>((resolve) => {
        waiting.push(resolve);
        s.send(msg, port, HOST);
      }),
    close: async () => {
      s.close();
    },
  };
}

function echoRequest(payload: Uint8Array): CallRequest<Uint8Array> {
  return {
    program: BENCH_PROGRAM,
    version: 1,
    procedure: BENCH_ECHO,
    procedureName: "ECHO",
    timeoutMs: 10_000,
    writeArgs: (w: XdrWriter) => w.writeVarOpaque(payload),
    readResult: (r: XdrReader) => r.readVarOpaque(),
  };
}

async function lupine(port: number): Promise<Caller> {
  const t = await connectLupine({ host: HOST, port }, { maxCallsInFlight: 1024 });
  const req = echoRequest(new Uint8Array(16));
  return {
    call: async () => {
      await t.call(req);
    },
    close: () => t.close(),
  };
}

async function grpcClient(port: number): Promise<Caller> {
  const Ctor = grpc.makeGenericClientConstructor(grpcService, "Bench");
  const c = new Ctor(`${HOST}:${port}`, grpc.credentials.createInsecure()) as unknown as {
    echo(b: Buffer, cb: (e: Error | null) => void): void;
    close(): void;
  };
  const msg = Buffer.alloc(16);
  const call = () => new Promise<void>((res, rej) => c.echo(msg, (e) => (e ? rej(e) : res())));
  await call();
  return { call, close: async () => c.close() };
}

async function pingPong(caller: Caller, n: number): Promise<number> {
  const lat: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await caller.call();
    if (i >= n / 4) lat.push((performance.now() - t0) * 1000);
  }
  return summarize(lat).value;
}

/** Calls/s with `inflight` concurrent callers over `ms`, and client+server CPU µs per call. */
async function inFlight(caller: Caller, inflight: number, ms: number, serverPid: number) {
  const cpu0 = process.cpuUsage();
  const s0 = cpuSeconds(serverPid);
  const t0 = performance.now();
  let n = 0;
  await Promise.all(
    Array.from({ length: inflight }, async () => {
      while (performance.now() - t0 < ms) {
        await caller.call();
        n++;
      }
    }),
  );
  const dt = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(cpu0);
  const cpu = (c.user + c.system) / 1e6 + (cpuSeconds(serverPid) - s0);
  return { rate: n / dt, cpuUsPerCall: (cpu / n) * 1e6 };
}

async function measureSmall(options: BenchOptions, rows: BenchRow[]): Promise<void> {
  const q = options.quick;
  const pingN = q ? 500 : 20_000;
  const windowMs = q ? 200 : 1500;
  const rounds = q ? 1 : 3;
  const systems: [string, (port: number) => Promise<Caller>, string][] = [
    ["raw dgram echo", rawDgram, "dgram"],
    ["lupine", lupine, "lupine"],
    ["grpc-js", grpcClient, "grpc"],
  ];
  for (const [name, make, kind] of systems) {
    const server = await startServer(kind);
    const caller = await make(server.port);
    try {
      await pingPong(caller, Math.min(2000, pingN)); // warm-up
      const p50 = await pingPong(caller, pingN);
      rows.push({
        group: "small call: ping-pong p50",
        system: name,
        value: p50,
        unit: "µs",
        better: "lower",
        ...(name === "raw dgram echo" ? { baseline: true } : {}),
      });
      for (const k of [32, 128]) {
        if (name === "grpc-js" && k === 32) continue;
        const rates: number[] = [];
        const cpus: number[] = [];
        for (let r = 0; r < rounds; r++) {
          const m = await inFlight(caller, k, windowMs, server.pid);
          rates.push(m.rate);
          cpus.push(m.cpuUsPerCall);
        }
        const s = summarize(rates);
        rows.push({
          group: `small calls: ${k} in flight`,
          system: name,
          value: s.value,
          min: s.min,
          max: s.max,
          unit: "calls/s",
          better: "higher",
          ...(name === "raw dgram echo" ? { baseline: true } : {}),
        });
        rows.push({
          group: `small calls: CPU per call (client + server), ${k} in flight`,
          system: name,
          value: summarize(cpus).value,
          unit: "µs",
          better: "lower",
          ...(name === "raw dgram echo" ? { baseline: true } : {}),
        });
      }
    } finally {
      await caller.close();
      stopServer(server);
    }
  }
}

async function measureBulk(options: BenchOptions, rows: BenchRow[]): Promise<void> {
  const bytes = options.quick ? 32 * 1024 * 1024 : 1024 * 1024 * 1024;
  const data = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i += 4096) data[i] = (i >>> 12) & 0xff;
  const label = `bulk: one ${bytes >= 1 << 30 ? "1 GiB" : `${bytes >> 20} MiB`} argument over loopback`;

  for (const [kind, system] of [
    ["tcp", "node tcp (bytes discarded)"],
    ["tcp-assemble", "node tcp (argument assembled)"],
  ] as const) {
    const tcp = await startServer(kind);
    try {
      const sock = net.connect(tcp.port, HOST);
      await new Promise<void>((r) => sock.once("connect", () => r()));
      const t0 = performance.now();
      const head = Buffer.alloc(8);
      head.writeBigUInt64BE(BigInt(bytes));
      sock.write(head);
      for (let at = 0; at < bytes; at += 16 << 20) {
        if (!sock.write(data.subarray(at, Math.min(bytes, at + (16 << 20))))) {
          await new Promise<void>((r) => sock.once("drain", () => r()));
        }
      }
      await new Promise<void>((r) => sock.once("data", () => r()));
      const mbs = bytes / 1e6 / ((performance.now() - t0) / 1000);
      sock.destroy();
      rows.push({
        group: label,
        system,
        value: mbs,
        unit: "MB/s",
        better: "higher",
        ...(kind === "tcp" ? { baseline: true } : {}),
      });
    } finally {
      stopServer(tcp);
    }
  }

  for (const mtu of [65_000, 8972]) {
    const srv = await startServer("lupine", mtu);
    try {
      const t = await connectLupine({ host: HOST, port: srv.port }, { maxDatagramBytes: mtu });
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
      const mbs = bytes / 1e6 / ((performance.now() - t0) / 1000);
      if (res !== bytes >>> 0) throw new Error(`sink saw ${res} bytes of ${bytes}`);
      const s = t.stats();
      rows.push({
        group: label,
        system: `lupine (datagrams ≤ ${mtu} B)`,
        value: mbs,
        unit: "MB/s",
        better: "higher",
        note: `${s.retransmissions} retransmissions, cwnd ${Math.round(s.cwndBytes / 1024)} KiB`,
      });
      await t.close();
    } finally {
      stopServer(srv);
    }
  }
}

const NETLAB = join(here, "..", "..", "..", "shared", "netlab", "netlab");

function netlabReady(): string | null {
  if (process.getuid?.() !== 0) return "needs root";
  if (!existsSync(NETLAB)) return `no netlab at ${NETLAB}`;
  try {
    execFileSync(NETLAB, ["check"], { stdio: "ignore" });
    return null;
  } catch {
    return "netlab check failed";
  }
}

/** Runs `node script args` inside netlab host `host`; resolves with its stdout. */
function inHost(host: string, args: string[], stdin: "pipe" | "ignore" = "ignore") {
  const child = spawn(NETLAB, ["exec", host, process.execPath, ...args], {
    stdio: [stdin, "pipe", "inherit"],
  });
  const out = new Promise<string>((resolve, reject) => {
    let buf = "";
    child.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
    });
    child.once("exit", (code) => (code === 0 ? resolve(buf) : reject(new Error(`exit ${code}`))));
  });
  return { child, out };
}

async function hostServer(host: string, kind: string): Promise<{ port: number; stop(): void }> {
  const { child, out } = inHost(
    host,
    [join(here, "servers", "echo-servers.js"), kind, "0.0.0.0", "1472"],
    "pipe",
  );
  out.catch(() => {}); // killed by `netlab down` at the end: expected
  const port = await new Promise<number>((resolve, reject) => {
    let buf = "";
    child.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      const m = /"port":(\d+)/.exec(buf);
      if (m !== null) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
  return { port, stop: () => child.stdin!.end() };
}

/**
 * Lossy link through netlab: two hosts joined by a veth link (MTU 1500, segmentation offload off
 * so every system sends 1500-byte packets), each sending with `loss 2% delay 10ms limit 10000`
 * (RTT 20 ms). Goodput of one transfer per system; then Lupine and TCP at once through the same
 * path with a `rate` limit, to show Lupine's share.
 */
async function measureLossy(options: BenchOptions, rows: BenchRow[]): Promise<void> {
  const why = netlabReady();
  if (why !== null) {
    console.error(`  lossy-link benchmark skipped: ${why}`);
    return;
  }
  const bytes = options.quick ? 4 << 20 : 64 << 20;
  const a = `relb${process.pid}a`;
  const b = `relb${process.pid}b`;
  const bulk = join(here, "servers", "bulk-client.js");
  const setup = (extra: string[]) => {
    for (const h of [a, b]) {
      execFileSync(NETLAB, ["up", h, "loss", "2%", "delay", "10ms", "limit", "10000", ...extra], {
        stdio: "ignore",
      });
    }
    execFileSync(NETLAB, ["link", a, b], { stdio: "ignore" });
    for (const h of [a, b]) {
      const ifs = execFileSync(NETLAB, ["exec", h, "ls", "/sys/class/net"]).toString().split(/\s+/);
      for (const i of ifs.filter((x) => x.startsWith("nl"))) {
        execFileSync(NETLAB, ["exec", h, "ip", "link", "set", "dev", i, "gso_max_size", "1500"]);
        execFileSync(NETLAB, ["exec", h, "ip", "link", "set", "dev", i, "gso_max_segs", "1"]);
      }
    }
    return execFileSync(NETLAB, ["addr", b, a]).toString().trim();
  };
  const teardown = () => {
    for (const h of [a, b]) execFileSync(NETLAB, ["down", h], { stdio: "ignore" });
  };
  const group = `lossy link (netlab: 2% loss, 20 ms RTT, MTU 1500): one ${bytes >> 20} MiB transfer`;
  try {
    const addr = setup([]);
    const tcp = await hostServer(b, "tcp");
    const lup = await hostServer(b, "lupine");
    try {
      const t = JSON.parse(
        await inHost(a, [bulk, "tcp", addr, String(tcp.port), String(bytes)]).out,
      );
      rows.push({
        group,
        system: "node tcp",
        value: t.mbs,
        unit: "MB/s",
        better: "higher",
        baseline: true,
      });
      const l = JSON.parse(
        await inHost(a, [bulk, "lupine", addr, String(lup.port), String(bytes), "1472"]).out,
      );
      rows.push({
        group,
        system: "lupine",
        value: l.mbs,
        unit: "MB/s",
        better: "higher",
        note: `${l.retransmissions} retransmissions, ${l.toleratedLosses} losses tolerated, ${l.congestionEvents} window reductions`,
      });
    } finally {
      tcp.stop();
      lup.stop();
    }
  } finally {
    teardown();
  }
  // Competing flows: both at once through a 40 Mbit/s bottleneck.
  const share = `competing flows (same path + rate 40mbit): ${bytes >> 20} MiB each, started together`;
  try {
    const addr = setup(["rate", "40mbit"]);
    const tcp = await hostServer(b, "tcp");
    const lup = await hostServer(b, "lupine");
    try {
      const [t, l] = await Promise.all([
        inHost(a, [bulk, "tcp", addr, String(tcp.port), String(bytes)]).out,
        inHost(a, [bulk, "lupine", addr, String(lup.port), String(bytes), "1472"]).out,
      ]);
      const tm = JSON.parse(t).mbs as number;
      const lm = JSON.parse(l).mbs as number;
      rows.push({
        group: share,
        system: "node tcp",
        value: tm,
        unit: "MB/s",
        better: "higher",
        baseline: true,
      });
      rows.push({
        group: share,
        system: "lupine",
        value: lm,
        unit: "MB/s",
        better: "higher",
        note: `Lupine's share of the two: ${((100 * lm) / (lm + tm)).toFixed(0)}%`,
      });
    } finally {
      tcp.stop();
      lup.stop();
    }
  } finally {
    teardown();
  }
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
    ["small", "bulk", "lossy", "secure"].includes(f),
  );
  const want = (what: string) => parts.length === 0 || parts.includes(what);
  if (want("small")) await measureSmall(options, rows);
  if (want("bulk")) await measureBulk(options, rows);
  if (want("lossy")) await measureLossy(options, rows);
  if (want("secure")) {
    await measureSecure(options, rows, { start: startServer, stop: stopServer });
  }
  return rows;
}
