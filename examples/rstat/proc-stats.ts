/**
 * rstat's numbers from Linux's /proc, as `rpc.rstatd` reports them: CPU ticks (user, nice,
 * system, idle), transfers of the first four disks, pages and swap pages in and out, interrupts,
 * packets and errors of every interface but loopback, context switches, the load averages scaled
 * by FSCALE (256), the boot time and the current time.
 *
 * The parsers are pure (text in, numbers out, tested on fixed texts); {@link readStats} reads the
 * files. XDR `int` fields wrap to 32 bits signed and `unsigned int` fields to 32 bits unsigned,
 * as the C counters do.
 */
import { readFileSync } from "node:fs";
import type { stats, statsswtch, statstime } from "./gen/rstat.js";

/** rstat.x: `#define FSHIFT 8`, `FSCALE (1<<FSHIFT)`. */
export const FSCALE = 256;

/** The texts the numbers come from. */
export interface ProcTexts {
  readonly stat: string;
  readonly vmstat: string;
  readonly loadavg: string;
  readonly netDev: string;
  readonly diskstats: string;
}

const i32 = (n: number) => n | 0;
const u32 = (n: number) => n >>> 0;

function field(text: string, key: string): number[] {
  const line = text.split("\n").find((l) => l.startsWith(`${key} `));
  return line === undefined ? [] : line.trim().split(/\s+/).slice(1).map(Number);
}

/** Sums over every interface but `lo`: received packets and errors, sent packets and errors, collisions. */
export function parseNetDev(text: string): {
  ipackets: number;
  ierrors: number;
  opackets: number;
  oerrors: number;
  collisions: number;
} {
  const out = { ipackets: 0, ierrors: 0, opackets: 0, oerrors: 0, collisions: 0 };
  for (const line of text.split("\n").slice(2)) {
    const m = /^\s*([^:]+):\s*(.*)$/.exec(line);
    if (m === null || m[1] === "lo") continue;
    const f = m[2]!.trim().split(/\s+/).map(Number);
    out.ipackets += f[1] ?? 0;
    out.ierrors += f[2] ?? 0;
    out.opackets += f[9] ?? 0;
    out.oerrors += f[10] ?? 0;
    out.collisions += f[13] ?? 0;
  }
  return out;
}

/** Transfers (reads + writes completed) of the first four disks (loop and ram devices skipped). */
export function parseDiskstats(text: string): number[] {
  const out: number[] = [];
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    const name = f[2];
    if (name === undefined || /^(loop|ram|zram)/.test(name)) continue;
    out.push(Number(f[3]) + Number(f[7]));
    if (out.length === 4) break;
  }
  while (out.length < 4) out.push(0);
  return out;
}

/** RSTATVERS_TIME's `statstime` from the texts, at `nowMs`. */
export function parseStats(t: ProcTexts, nowMs: number): statstime {
  const cpu = field(t.stat, "cpu");
  const vm = (k: string) => field(t.vmstat, k)[0] ?? 0;
  const load = t.loadavg.trim().split(/\s+/).slice(0, 3).map(Number);
  const net = parseNetDev(t.netDev);
  return {
    cp_time: [cpu[0] ?? 0, cpu[1] ?? 0, cpu[2] ?? 0, cpu[3] ?? 0].map(i32),
    dk_xfer: parseDiskstats(t.diskstats).map(i32),
    v_pgpgin: u32(vm("pgpgin")),
    v_pgpgout: u32(vm("pgpgout")),
    v_pswpin: u32(vm("pswpin")),
    v_pswpout: u32(vm("pswpout")),
    v_intr: u32(field(t.stat, "intr")[0] ?? 0),
    if_ipackets: i32(net.ipackets),
    if_ierrors: i32(net.ierrors),
    if_oerrors: i32(net.oerrors),
    if_collisions: i32(net.collisions),
    v_swtch: u32(field(t.stat, "ctxt")[0] ?? 0),
    avenrun: load.map((l) => i32(Math.round(l * FSCALE))),
    boottime: { tv_sec: u32(field(t.stat, "btime")[0] ?? 0), tv_usec: 0 },
    curtime: { tv_sec: u32(Math.floor(nowMs / 1000)), tv_usec: u32((nowMs % 1000) * 1000) },
    if_opackets: i32(net.opackets),
  };
}

/** Reads /proc now. */
export function readStats(): statstime {
  const read = (f: string) => readFileSync(f, "utf8");
  return parseStats(
    {
      stat: read("/proc/stat"),
      vmstat: read("/proc/vmstat"),
      loadavg: read("/proc/loadavg"),
      netDev: read("/proc/net/dev"),
      diskstats: read("/proc/diskstats"),
    },
    Date.now(),
  );
}

/** RSTATVERS_SWTCH's view (no current time; unsigned load averages). */
export function toSwtch(s: statstime): statsswtch {
  const { curtime: _, avenrun, ...rest } = s;
  return { ...rest, avenrun: avenrun.map(u32) };
}

/** RSTATVERS_ORIG's view. */
export function toOrig(s: statstime): stats {
  return {
    cp_time: s.cp_time,
    dk_xfer: s.dk_xfer,
    v_pgpgin: s.v_pgpgin,
    v_pgpgout: s.v_pgpgout,
    v_pswpin: s.v_pswpin,
    v_pswpout: s.v_pswpout,
    v_intr: s.v_intr,
    if_ipackets: s.if_ipackets,
    if_ierrors: s.if_ierrors,
    if_oerrors: s.if_oerrors,
    if_collisions: s.if_collisions,
    if_opackets: s.if_opackets,
  };
}
