/**
 * The lossy-link and competing-flow benchmarks of bench/lupine.bench.ts, through netlab: two
 * hosts joined by a veth link (MTU 1500, segmentation offload off so that every system sends
 * 1500-byte packets), each sending with `loss 2% delay 10ms limit 10000` (RTT 20 ms).
 *
 * TCP is measured twice: with the system's default congestion control (Linux here defaults to
 * BBR, which does not treat random loss as congestion) and with Reno (`sysctl` inside the sending
 * host's namespace; a namespace may only pick an unrestricted algorithm, which CUBIC is not) —
 * the loss-based TCP that the Mathis et al. model describes: rate ≈ MSS/RTT · 1.22/√p. Each row
 * notes how many of the sender's packets netlab dropped (from `netlab show`), which shows the loss
 * applies to TCP as to Lupine. Rounds are interleaved.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchOptions, BenchRow } from "./harness.js";
import { summarize } from "./harness.js";
import { loadText } from "./procs.js";

const here = dirname(fileURLToPath(import.meta.url));
const NETLAB = join(here, "..", "..", "..", "shared", "netlab", "netlab");

function netlab(...args: string[]): string {
  return execFileSync(NETLAB, args, { stdio: ["ignore", "pipe", "ignore"] }).toString();
}

function netlabReady(): string | null {
  if (process.getuid?.() !== 0) return "needs root";
  if (!existsSync(NETLAB)) return `no netlab at ${NETLAB}`;
  try {
    netlab("check");
    return null;
  } catch {
    return "netlab check failed";
  }
}

/** Runs `node script args` inside netlab host `host`; resolves with its stdout. */
function inHost(
  host: string,
  args: string[],
  stdin: "pipe" | "ignore" = "ignore",
  stderr: "inherit" | "ignore" = "inherit",
) {
  const child = spawn(NETLAB, ["exec", host, process.execPath, ...args], {
    stdio: [stdin, "pipe", stderr],
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
    "ignore", // `netlab down` kills it: its shell's "Terminated" is noise
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

/** Packets netlab queued and dropped for what `host` sends over its link (ingress: in `peer`). */
function linkCounters(host: string): { queued: number; dropped: number } {
  const m = /nfq-\d+:.*?queued=(\d+) dropped=(\d+)/.exec(netlab("show", host));
  return m === null ? { queued: 0, dropped: 0 } : { queued: Number(m[1]), dropped: Number(m[2]) };
}

/** A transfer's sender: TCP with a congestion control, or Lupine. */
type Sender = { kind: "tcp"; cc: string | null } | { kind: "lupine" };

interface Testbed {
  a: string;
  b: string;
  addr: string;
  tcpPort: number;
  lupinePort: number;
  defaultCc: string;
  stop(): void;
}

async function setUp(a: string, b: string, impairment: string[]): Promise<Testbed> {
  for (const h of [a, b]) netlab("up", h, "delay", "10ms", "limit", "10000", ...impairment);
  netlab("link", a, b);
  for (const h of [a, b]) {
    const ifs = netlab("exec", h, "ls", "/sys/class/net").split(/\s+/);
    for (const i of ifs.filter((x) => x.startsWith("nl"))) {
      netlab("exec", h, "ip", "link", "set", "dev", i, "gso_max_size", "1500");
      netlab("exec", h, "ip", "link", "set", "dev", i, "gso_max_segs", "1");
    }
  }
  const addr = netlab("addr", b, a).trim();
  const defaultCc = netlab("exec", a, "sysctl", "-n", "net.ipv4.tcp_congestion_control").trim();
  const tcp = await hostServer(b, "tcp");
  const lup = await hostServer(b, "lupine");
  return {
    a,
    b,
    addr,
    tcpPort: tcp.port,
    lupinePort: lup.port,
    defaultCc,
    stop: () => {
      tcp.stop();
      lup.stop();
    },
  };
}

function tearDown(a: string, b: string): void {
  for (const h of [a, b]) {
    try {
      netlab("down", h);
    } catch {
      // already gone
    }
  }
}

/** Starts one transfer from host a; resolves with its parsed result. */
function transfer(t: Testbed, s: Sender, bytes: number): Promise<Record<string, number>> {
  const bulk = join(here, "servers", "bulk-client.js");
  if (s.kind === "tcp") {
    netlab("exec", t.a, "sysctl", "-qw", `net.ipv4.tcp_congestion_control=${s.cc ?? t.defaultCc}`);
    return inHost(t.a, [bulk, "tcp", t.addr, String(t.tcpPort), String(bytes)]).out.then(
      JSON.parse,
    );
  }
  return inHost(t.a, [
    bulk,
    "lupine",
    t.addr,
    String(t.lupinePort),
    String(bytes),
    "1472",
  ]).out.then(JSON.parse);
}

/** Goodput of one transfer per system through 2% loss, rounds interleaved. */
async function lossyLink(t: Testbed, options: BenchOptions, rows: BenchRow[]): Promise<void> {
  const bytes = options.quick ? 4 << 20 : 64 << 20;
  const rounds = options.quick ? 1 : 3;
  // Reno moves ~0.6 MB/s here (its rate is what the loss allows): it sends a quarter as much.
  const systems: { name: string; sender: Sender; bytes: number; baseline?: boolean }[] = [
    {
      name: `node tcp (${t.defaultCc}, the system default)`,
      sender: { kind: "tcp", cc: null },
      bytes,
      baseline: true,
    },
    { name: "node tcp (reno)", sender: { kind: "tcp", cc: "reno" }, bytes: bytes / 4 },
    { name: "lupine", sender: { kind: "lupine" }, bytes },
  ];
  const got = systems.map(() => ({ mbs: [] as number[], drop: [] as number[], note: "" }));
  const load = loadText();
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < systems.length; k++) {
      const i = (k + r) % systems.length;
      const before = linkCounters(t.a);
      const res = await transfer(t, systems[i]!.sender, systems[i]!.bytes);
      const after = linkCounters(t.a);
      got[i]!.mbs.push(res.mbs!);
      got[i]!.drop.push(
        (after.dropped - before.dropped) / Math.max(1, after.queued - before.queued),
      );
      if (systems[i]!.sender.kind === "lupine") {
        got[i]!.note =
          `last: ${res.retransmissions} retransmissions, ${res.toleratedLosses} losses tolerated, ${res.congestionEvents} window reductions`;
      }
    }
  }
  const group = `lossy link (netlab: 2% loss, 20 ms RTT, MTU 1500): one ${bytes >> 20} MiB transfer (reno: ${bytes >> 22} MiB)`;
  systems.forEach((s, i) => {
    const g = got[i]!;
    const dropped = `${(100 * summarize(g.drop).value).toFixed(1)}% of its packets dropped by netlab`;
    rows.push({
      group,
      system: s.name,
      ...summarize(g.mbs),
      unit: "MB/s",
      better: "higher",
      ...(s.baseline === true ? { baseline: true } : {}),
      note: `${rounds} rounds, load ${load} → ${loadText()}; ${dropped}${g.note === "" ? "" : `; ${g.note}`}`,
    });
  });
}

/** Lupine and one TCP flow started together through a rate limit: Lupine's share. */
async function competing(
  t: Testbed,
  label: string,
  cc: string | null,
  bytes: number,
  rows: BenchRow[],
) {
  const [tcp, lup] = await Promise.all([
    transfer(t, { kind: "tcp", cc }, bytes),
    transfer(t, { kind: "lupine" }, bytes),
  ]);
  const tm = tcp.mbs!;
  const lm = lup.mbs!;
  const group = `competing flows (${label}), lupine and tcp ${cc ?? t.defaultCc}: ${bytes >> 20} MiB each, started together`;
  rows.push({
    group,
    system: `node tcp (${cc ?? t.defaultCc})`,
    value: tm,
    unit: "MB/s",
    better: "higher",
    baseline: true,
  });
  rows.push({
    group,
    system: "lupine",
    value: lm,
    unit: "MB/s",
    better: "higher",
    note: `Lupine's share of the two: ${((100 * lm) / (lm + tm)).toFixed(0)}%`,
  });
}

/** Runs the netlab benchmarks (skipped, with the reason, where netlab cannot run). */
export async function measureLossy(options: BenchOptions, rows: BenchRow[]): Promise<void> {
  const why = netlabReady();
  if (why !== null) {
    console.error(`  lossy-link benchmark skipped: ${why}`);
    return;
  }
  const a = `pfb${process.pid}a`;
  const b = `pfb${process.pid}b`;
  const bytes = options.quick ? 4 << 20 : 64 << 20;
  const withTestbed = async (impairment: string[], run: (t: Testbed) => Promise<void>) => {
    try {
      const t = await setUp(a, b, impairment);
      try {
        await run(t);
      } finally {
        t.stop();
      }
    } finally {
      tearDown(a, b);
    }
  };
  await withTestbed(["loss", "2%"], (t) => lossyLink(t, options, rows));
  await withTestbed(["loss", "2%", "rate", "40mbit"], (t) =>
    competing(t, "2% loss, 20 ms RTT, rate 40mbit", null, bytes, rows),
  );
  // Without random loss, a loss-based TCP is limited by the bottleneck, not by the loss rate:
  // there a fair share is what it would get alone beside another TCP.
  await withTestbed(["rate", "40mbit"], async (t) => {
    await competing(t, "no random loss, 20 ms RTT, rate 40mbit", null, bytes, rows);
    await competing(t, "no random loss, 20 ms RTT, rate 40mbit", "reno", bytes, rows);
  });
}
