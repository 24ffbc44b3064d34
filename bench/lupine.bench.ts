/**
 * Lupine's transport on its own (the comparison with the other systems — small calls, CPU, 1 GiB
 * in 1 MiB calls, the lossy link, the secure transport — is `compare.bench.ts`): one large
 * argument (1 GiB; 4 MiB with --quick) at datagram sizes beyond Ethernet's, beside Node TCP
 * discarding the bytes and Node TCP assembling them into one buffer as an RPC server must, with
 * the servers' defaults and again with glibc's huge pages (`HUGE_PAGES_ENV`), two arguments per
 * server (the first into memory the process never held, the second into memory given back), with
 * the cost of filling that much new memory without a network beside; and a
 * Lupine flow and a TCP flow competing for one netlab bottleneck. Each server runs in its own
 * process (bench/servers/echo-servers.ts), pinned to CPU 0 with taskset when present; this
 * process (the client) pins itself to CPU 1. The `cpu` part: the transport's own CPU per call,
 * client and server in one process over an in-memory port (bench/inproc-pair.ts), a figure that
 * hardly depends on other load. Parts: `npm run bench -- lupine.bench bulk|lossy|cpu` (the word `lupine` alone also selects compare.bench.ts).
 */
import { execFileSync } from "node:child_process";
import * as net from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { connectLupine } from "../src/transport/lupine-node.js";
import { NETLAB, NETLAB_PREFIX, netlabMissing, setUpLossyLink } from "./compare/lossy.js";
import { CLIENT_CORE, hasTaskset, LineProc, type Placement, SERVER_CORE } from "./compare/procs.js";
import { type BenchOptions, type BenchRow, summarize } from "./harness.js";
import type { PairResult } from "./inproc-pair.js";
import { BENCH_PROGRAM, BENCH_SINK } from "./servers/echo-servers.js";

const here = dirname(fileURLToPath(import.meta.url));
const HOST = "127.0.0.1";

/**
 * The environment of a server process that lets glibc's `malloc` back its memory with transparent
 * huge pages (glibc ≥ 2.35; docs/lupine.md "Receiving big messages"): a setting of the process,
 * given to every server of the bulk group that names it.
 */
const HUGE_PAGES_ENV = { GLIBC_TUNABLES: "glibc.malloc.hugetlb=1" };

/**
 * A bench server (bench/servers/echo-servers.ts) of `kind` listening on `bind`, started where
 * `placement` says (the servers' core, or inside a netlab host), once it says its port.
 */
async function startServer(
  kind: string,
  placement: Placement,
  bind = HOST,
  mtu = 1472,
): Promise<{ port: number; proc: LineProc }> {
  const script = join(here, "servers", "echo-servers.js");
  const args = [script, kind, bind, String(mtu)];
  const proc = new LineProc(`${kind} server`, process.execPath, args, placement);
  try {
    const { port } = await proc.json<{ port: number }>("port", 60_000);
    return { port, proc };
  } catch (e) {
    proc.stop();
    throw e;
  }
}

/** Sends one `bytes`-long argument over `sock` (8-byte length, then the bytes); resolves on the answer. */
async function tcpArgument(sock: net.Socket, data: Uint8Array): Promise<number> {
  const bytes = data.length;
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
  return bytes / 1e6 / ((performance.now() - t0) / 1000);
}

/**
 * What any receiver that keeps the argument pays before a byte of protocol: a process (pinned
 * like the servers, with the same environment) fills a new buffer of `bytes` in 65,000-byte
 * pieces, and then a second new one. The second may reuse memory the first gave back.
 */
async function freshMemory(bytes: number, env: Record<string, string>): Promise<number[]> {
  const script = join(here, "servers", "fresh-fill.js");
  const proc = new LineProc(
    "fresh-fill",
    process.execPath,
    ["--expose-gc", script, String(bytes)],
    {
      core: SERVER_CORE,
      env,
    },
  );
  const { mbs } = await proc.json<{ mbs: number[] }>("mbs", 600_000);
  await proc.done();
  return mbs;
}

/**
 * One large argument per transfer; every server gets two in a row, so that each setting has a
 * group for the first argument (into a process that never held that much memory) and one for the
 * second (the same server again: on this VM, memory a process takes for the first time costs
 * far more than memory given back and taken again: docs/lupine.md "Memory a process takes for
 * the first time").
 */
async function measureBulk(options: BenchOptions, rows: BenchRow[]): Promise<void> {
  const bytes = options.quick ? 4 * 1024 * 1024 : 1024 * 1024 * 1024;
  const data = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i += 4096) data[i] = (i >>> 12) & 0xff;
  const size = bytes >= 1 << 30 ? "1 GiB" : `${bytes >> 20} MiB`;
  const settings = [
    { env: {}, label: `bulk: ${size} arguments over loopback` },
    {
      env: HUGE_PAGES_ENV,
      label: `bulk: ${size} arguments over loopback, servers with GLIBC_TUNABLES=${HUGE_PAGES_ENV.GLIBC_TUNABLES}`,
    },
  ];
  const ORDINAL = ["first argument to a new server", "second argument to the same server"];
  const group = (label: string, k: number) => `${label}, ${ORDINAL[k]}`;

  for (const { env, label } of settings) {
    const fill = await freshMemory(bytes, env);
    for (const [k, mbs] of fill.entries()) {
      rows.push({
        group: group(label, k),
        system: "reference: new buffer filled, no network",
        value: mbs,
        unit: "MB/s",
        better: "higher",
      });
    }
    for (const [kind, system] of [
      ["tcp", "node tcp (bytes discarded)"],
      ["tcp-assemble", "node tcp (argument assembled)"],
    ] as const) {
      const tcp = await startServer(kind, { core: SERVER_CORE, env });
      try {
        const sock = net.connect(tcp.port, HOST);
        await new Promise<void>((r) => sock.once("connect", () => r()));
        for (let k = 0; k < ORDINAL.length; k++) {
          rows.push({
            group: group(label, k),
            system,
            value: await tcpArgument(sock, data),
            unit: "MB/s",
            better: "higher",
            ...(kind === "tcp" ? { baseline: true } : {}),
          });
        }
        sock.destroy();
      } finally {
        tcp.proc.stop();
      }
    }
    // Without huge pages the smaller datagrams too; with them, only the size Lupine uses on
    // loopback. `lupine-stream`: the sink reads its argument as it arrives (docs/protocol.md
    // §5.1) and holds none of it, as the TCP sink that discards.
    const lupines: [string, number][] =
      env === HUGE_PAGES_ENV
        ? [["lupine", 65_000]]
        : [
            ["lupine", 65_000],
            ["lupine-stream", 65_000],
            ["lupine", 8972],
          ];
    for (const [kind, mtu] of lupines) {
      const srv = await startServer(kind, { core: SERVER_CORE, env }, HOST, mtu);
      try {
        const t = await connectLupine({ host: HOST, port: srv.port }, { maxDatagramBytes: mtu });
        let before = t.stats().retransmissions;
        for (let k = 0; k < ORDINAL.length; k++) {
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
            group: group(label, k),
            system:
              kind === "lupine"
                ? `lupine (datagrams ≤ ${mtu} B)`
                : `lupine, streamed to the handler (datagrams ≤ ${mtu} B)`,
            value: mbs,
            unit: "MB/s",
            better: "higher",
            note: `${s.retransmissions - before} retransmissions, cwnd ${Math.round(s.cwndBytes / 1024)} KiB`,
          });
          before = s.retransmissions;
        }
        await t.close();
      } finally {
        srv.proc.stop();
      }
    }
  }
}

/** Runs `node bulk-client.js ARGS` inside netlab host `host`; its MB/s. */
async function hostTransfer(host: string, args: string[]): Promise<number> {
  const script = join(here, "servers", "bulk-client.js");
  const proc = new LineProc(`bulk client ${args[0]}`, process.execPath, [script, ...args], {
    core: null,
    prefix: [NETLAB, "exec", host],
  });
  try {
    const { mbs } = await proc.json<{ mbs: number }>("mbs", 10 * 60_000);
    return mbs;
  } finally {
    proc.stop();
  }
}

/**
 * Competing flows through netlab: two hosts joined by a veth link (MTU 1500, segmentation offload
 * off so every system sends 1500-byte packets), each sending with `loss 2% delay 10ms limit 10000
 * rate 40mbit` (RTT 20 ms); a Lupine transfer and a TCP transfer started together, to show
 * Lupine's share of the bottleneck. (One transfer per system through the same lossy link, without
 * the rate limit, is part of the comparison.)
 */
async function measureLossy(options: BenchOptions, rows: BenchRow[]): Promise<void> {
  const why = netlabMissing();
  if (why !== undefined) {
    console.error(`  lossy-link benchmark skipped: ${why}`);
    return;
  }
  const bytes = options.quick ? 1 << 20 : 64 << 20;
  const a = `${NETLAB_PREFIX ?? "relb"}${process.pid}a`;
  const b = `${NETLAB_PREFIX ?? "relb"}${process.pid}b`;
  const teardown = () => {
    for (const h of [a, b]) execFileSync(NETLAB, ["down", h], { stdio: "ignore" });
  };
  // Competing flows: both at once through a 40 Mbit/s bottleneck.
  const share = `competing flows (same path + rate 40mbit): ${bytes >> 20} MiB each, started together`;
  try {
    const addr = setUpLossyLink(a, b, ["rate", "40mbit"]);
    const inServerHost = { core: null, prefix: [NETLAB, "exec", b] };
    const tcp = await startServer("tcp", inServerHost, "0.0.0.0");
    const lup = await startServer("lupine", inServerHost, "0.0.0.0");
    try {
      const [tm, lm] = await Promise.all([
        hostTransfer(a, ["tcp", addr, String(tcp.port), String(bytes)]),
        hostTransfer(a, ["lupine", addr, String(lup.port), String(bytes), "1472"]),
      ]);
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
      tcp.proc.stop();
      lup.proc.stop();
    }
  } finally {
    teardown();
  }
}

/** Runs `node inproc-pair.js DEPTH MS` on the clients' core; its result line. */
async function runPair(depth: number, ms: number): Promise<PairResult> {
  const args = [join(here, "inproc-pair.js"), String(depth), String(ms)];
  const proc = new LineProc("inproc-pair", process.execPath, args, { core: CLIENT_CORE });
  try {
    return await proc.json<PairResult>("calls", 5 * 60_000);
  } finally {
    proc.stop();
  }
}

/**
 * The transport's own CPU time per call, client and server in one process over an in-memory port:
 * no kernel, no sockets, so it hardly depends on other load. Rounds interleaved over the depths.
 */
async function measureInProcess(options: BenchOptions, rows: BenchRow[]): Promise<void> {
  const ms = options.quick ? 300 : 1500;
  const rounds = options.quick ? 1 : 3;
  const depths = [1, 32, 128];
  const got = depths.map(() => ({ cpu: [] as number[], per: [] as number[] }));
  for (let r = 0; r < rounds; r++) {
    for (const [i, depth] of depths.entries()) {
      const res = await runPair(depth, ms);
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
      note: `${summarize(g.per).value.toFixed(1)} calls per datagram; ${rounds} rounds of ${ms} ms`,
    });
  }
}

export async function run(options: BenchOptions): Promise<BenchRow[]> {
  if (hasTaskset) {
    try {
      execFileSync("taskset", ["-p", "-c", String(CLIENT_CORE), String(process.pid)], {
        stdio: "ignore",
      });
    } catch {
      // Not pinned: numbers are noisier, ratios still hold.
    }
  }
  const rows: BenchRow[] = [];
  const parts: string[] = options.filters.filter((f) => ["bulk", "lossy", "cpu"].includes(f));
  const want = (what: string) => parts.length === 0 || parts.includes(what);
  if (want("cpu")) await measureInProcess(options, rows);
  if (want("bulk")) await measureBulk(options, rows);
  if (want("lossy")) await measureLossy(options, rows);
  return rows;
}
